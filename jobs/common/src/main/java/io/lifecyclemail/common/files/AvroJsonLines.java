package io.lifecyclemail.common.files;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Records as Avro JSON, one per line: files a person can read and a Flink file source can split by
 * line (the RFM bootstrap's seed and order files). Lines are read with the schema they were written
 * with, which the class in the jar must still be.
 */
public final class AvroJsonLines<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private transient Schema schema;

    private AvroJsonLines(Class<T> type) {
        this.type = type;
    }

    public static <T extends SpecificRecord> AvroJsonLines<T> of(Class<T> type) {
        return new AvroJsonLines<>(type);
    }

    private Schema schema() {
        if (schema == null) {
            schema = SpecificData.getForClass(type).getSchema(type);
        }
        return schema;
    }

    /** One line of JSON, without the line break. */
    public String encode(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema(), out, false);
            new SpecificDatumWriter<T>(schema()).write(record, encoder);
            encoder.flush();
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IllegalArgumentException when the line is not a record of this schema */
    public T decode(String line) {
        try {
            return new SpecificDatumReader<T>(schema()).read(null, DecoderFactory.get().jsonDecoder(schema(), line));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + " record: " + e.getMessage(), e);
        }
    }
}
