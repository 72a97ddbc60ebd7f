package io.lifecyclemail.common.flink;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A {@link RecordBundle} as one value: a bit per part (a variable-length long: one byte for up to seven
 * parts), then each present part's record in Avro's binary encoding, in the parts' order. The
 * savepoint keeps each part's name, record class and schema ({@link RecordBundleSerializerSnapshot}),
 * so a bundle written with other parts, or with older schemas of them, is read back by name; a part
 * whose record class is gone is read past with its schema.
 */
public final class RecordBundleSerializer extends TypeSerializer<RecordBundle> {
    private static final long serialVersionUID = 1L;
    /** As many parts as the bits of a long. */
    static final int MAX_PARTS = 64;

    private final String[] names;
    private final String[] classNames;
    /** The schemas the parts were written with, as JSON; null: each record class's own. */
    private final String[] writerSchemas;

    /** One per part: a record serializer, or null for a part whose class is gone (then read with {@link #skippers}). */
    private transient AvroBinarySerializer<?>[] serializers;
    private transient GenericDatumReader<Object>[] skippers;
    private transient BinaryDecoder skipDecoder;
    private transient AvroBinarySerializer.ViewInput skipInput;
    /** The records of the bundle being written, by part: one array per serializer (they are per thread). */
    private transient SpecificRecord[] present;

    public RecordBundleSerializer(List<RecordBundle.Part> parts) {
        this(parts.stream().map(RecordBundle.Part::name).toArray(String[]::new),
                parts.stream().map(part -> part.type().getName()).toArray(String[]::new), null);
    }

    RecordBundleSerializer(String[] names, String[] classNames, String[] writerSchemas) {
        if (names.length > MAX_PARTS) {
            throw new IllegalArgumentException("a bundle holds at most " + MAX_PARTS + " parts, not " + names.length);
        }
        if (Arrays.stream(names).distinct().count() != names.length) {
            throw new IllegalArgumentException("two parts of a bundle have the same name: " + Arrays.toString(names));
        }
        this.names = names.clone();
        this.classNames = classNames.clone();
        this.writerSchemas = writerSchemas == null ? null : writerSchemas.clone();
    }

    /** The schema part {@code i} is written with: the one a savepoint named, else its record class's. */
    Schema schema(int i) {
        if (writerSchemas != null) {
            return new Schema.Parser().parse(writerSchemas[i]);
        }
        return ((AvroBinarySerializer<?>) serializers()[i]).schema();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private AvroBinarySerializer<?>[] serializers() {
        if (serializers == null) {
            serializers = new AvroBinarySerializer<?>[names.length];
            skippers = new GenericDatumReader[names.length];
            for (int i = 0; i < names.length; i++) {
                String written = writerSchemas == null ? null : writerSchemas[i];
                Class<? extends SpecificRecord> type = recordClass(classNames[i]);
                if (type != null) {
                    serializers[i] = new AvroBinarySerializer(type, written);
                } else if (written != null) {
                    skippers[i] = new GenericDatumReader<>(new Schema.Parser().parse(written));
                } else {
                    throw new IllegalStateException("the record class " + classNames[i] + " of bundle part "
                            + names[i] + " is not on the class path");
                }
            }
        }
        return serializers;
    }

    /** The record class of that name; null if it is not on the class path. */
    @SuppressWarnings("unchecked")
    static Class<? extends SpecificRecord> recordClass(String name) {
        try {
            return (Class<? extends SpecificRecord>) Class.forName(name, false,
                    Thread.currentThread().getContextClassLoader() != null
                            ? Thread.currentThread().getContextClassLoader() : RecordBundleSerializer.class.getClassLoader());
        } catch (ClassNotFoundException gone) {
            return null;
        }
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void serialize(RecordBundle bundle, DataOutputView target) throws IOException {
        AvroBinarySerializer[] parts = serializers();
        if (present == null) {
            present = new SpecificRecord[names.length];
        }
        long bits = 0;
        for (int i = 0; i < names.length; i++) {
            present[i] = bundle.get(names[i]);
            if (present[i] != null) {
                bits |= 1L << i;
            }
        }
        writeUnsigned(bits, target);
        for (int i = 0; i < names.length; i++) {
            if (present[i] != null) {
                parts[i].serialize(present[i], target);
                present[i] = null; // not held past the write
            }
        }
    }

    @Override
    public RecordBundle deserialize(DataInputView source) throws IOException {
        AvroBinarySerializer<?>[] parts = serializers();
        long bits = readUnsigned(source);
        RecordBundle bundle = new RecordBundle(Long.bitCount(bits));
        for (int i = 0; i < names.length; i++) {
            if ((bits & 1L << i) == 0) {
                continue;
            }
            if (parts[i] != null) {
                bundle.put(names[i], parts[i].deserialize(source));
            } else { // a part whose record class is gone: read past it
                if (skipInput == null) {
                    skipInput = new AvroBinarySerializer.ViewInput();
                }
                skipInput.view = source;
                skipDecoder = DecoderFactory.get().directBinaryDecoder(skipInput, skipDecoder);
                skippers[i].read(null, skipDecoder);
            }
        }
        if (bits >>> names.length != 0) {
            throw new IOException("a bundle with parts beyond the " + names.length + " its serializer knows: bits " + Long.toBinaryString(bits));
        }
        return bundle;
    }

    @Override
    public RecordBundle deserialize(RecordBundle reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public RecordBundle copy(RecordBundle from) {
        if (from == null) {
            return null;
        }
        AvroBinarySerializer[] parts = serializers();
        RecordBundle copy = new RecordBundle(names.length);
        for (String name : from.names()) {
            int at = Arrays.asList(names).indexOf(name);
            SpecificRecord record = from.get(name);
            copy.put(name, at >= 0 && parts[at] != null ? (SpecificRecord) parts[at].copy(record) : record);
        }
        return copy;
    }

    @Override
    public RecordBundle copy(RecordBundle from, RecordBundle reuse) {
        return copy(from);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public RecordBundle createInstance() {
        return new RecordBundle();
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<RecordBundle> duplicate() {
        return new RecordBundleSerializer(names, classNames, writerSchemas); // record serializers are per thread
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public TypeSerializerSnapshot<RecordBundle> snapshotConfiguration() {
        String[] schemas = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            schemas[i] = schema(i).toString();
        }
        return new RecordBundleSerializerSnapshot(names, classNames, schemas);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RecordBundleSerializer that && Arrays.equals(that.names, names)
                && Arrays.equals(that.classNames, classNames) && Arrays.equals(that.writerSchemas, writerSchemas);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(names);
    }

    private static void writeUnsigned(long value, DataOutputView target) throws IOException {
        while ((value & ~0x7FL) != 0) {
            target.writeByte((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        target.writeByte((int) value);
    }

    private static long readUnsigned(DataInputView source) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = source.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("a bundle's part bits run past 64");
    }
}
