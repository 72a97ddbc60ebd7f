package io.lifecyclemail.common.flink;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An Avro record in Avro's binary encoding (variable-length ints and longs, one byte per union branch),
 * written straight to Flink's views: the encoding is self-delimiting, so no length is written and the
 * decoder reads no byte past the record. Restoring state written with an older schema of the record,
 * it reads with that schema as the writer's and fills new fields with their defaults; state written by
 * Flink's own Avro serializer is migrated (see {@link AvroBinarySerializerSnapshot}).
 */
public final class AvroBinarySerializer<T extends SpecificRecord> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    /** The schema the bytes were written with, as JSON; null: the record class's own. */
    private final String writerSchema;

    private transient Schema schema;
    private transient SpecificData data;
    private transient SpecificDatumWriter<T> writer;
    private transient SpecificDatumReader<T> reader;
    private transient ViewOutput output;
    private transient ViewInput input;
    private transient BinaryEncoder encoder;
    private transient BinaryDecoder decoder;

    public AvroBinarySerializer(Class<T> type) {
        this(type, null);
    }

    AvroBinarySerializer(Class<T> type, String writerSchema) {
        this.type = Objects.requireNonNull(type);
        this.writerSchema = writerSchema;
    }

    /** The record class's schema. */
    Schema schema() {
        if (schema == null) {
            data = SpecificData.getForClass(type);
            schema = data.getSchema(type);
        }
        return schema;
    }

    @Override
    public void serialize(T record, DataOutputView target) throws IOException {
        if (writer == null) {
            writer = new SpecificDatumWriter<>(schema(), data);
            output = new ViewOutput();
        }
        output.view = target;
        encoder = EncoderFactory.get().directBinaryEncoder(output, encoder);
        writer.write(record, encoder);
    }

    @Override
    public T deserialize(DataInputView source) throws IOException {
        if (reader == null) {
            Schema written = writerSchema == null ? schema() : new Schema.Parser().parse(writerSchema);
            reader = new SpecificDatumReader<>(written, schema(), data);
            input = new ViewInput();
        }
        input.view = source;
        decoder = DecoderFactory.get().directBinaryDecoder(input, decoder);
        return reader.read(null, decoder);
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source); // a record a function keeps must not be overwritten by the next
    }

    @Override
    @SuppressWarnings("unchecked")
    public T copy(T from) {
        return from == null ? null : (T) data().deepCopy(schema(), from);
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    private SpecificData data() {
        schema();
        return data;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T createInstance() {
        return (T) data().newRecord(null, schema());
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return new AvroBinarySerializer<>(type, writerSchema); // encoders and buffers are per thread
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new AvroBinarySerializerSnapshot<>(type, schema());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AvroBinarySerializer<?> that && that.type == type
                && Objects.equals(that.writerSchema, writerSchema);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    Class<T> type() {
        return type;
    }

    /** Flink's output view as the stream Avro's encoder writes to. */
    static final class ViewOutput extends OutputStream {
        DataOutputView view;

        @Override
        public void write(int b) throws IOException {
            view.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            view.write(bytes, offset, length);
        }
    }

    /** Flink's input view as the stream Avro's decoder reads from. */
    static final class ViewInput extends InputStream {
        DataInputView view;

        @Override
        public int read() throws IOException {
            try {
                return view.readUnsignedByte();
            } catch (EOFException end) {
                return -1;
            }
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            return view.read(bytes, offset, length);
        }
    }
}
