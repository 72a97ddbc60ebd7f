package io.lifecyclemail.common.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (a 2-byte marker, the schema's 8-byte fingerprint, then the binary
 * record): every value on our topics says which schema wrote it, without a registry. Bytes written
 * with another schema are refused by fingerprint instead of being misread.
 * Not thread-safe; each Flink subtask makes its own.
 */
public final class AvroCodec<T extends SpecificRecord> {
    static {
        AvroLimits.applyDefaults();
    }

    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> type) {
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
    }

    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type);
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IOException or an Avro runtime exception when the bytes are not a record of this schema */
    public T decode(byte[] bytes) throws IOException {
        return decoder.decode(bytes);
    }
}
