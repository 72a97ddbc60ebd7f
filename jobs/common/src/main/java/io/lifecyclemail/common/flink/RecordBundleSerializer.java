package io.lifecyclemail.common.flink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A {@link RecordBundle} as one value: a bit per part (a variable-length long: one byte for up to seven
 * parts), then each present part's record in Avro's binary encoding, in the parts' order. The
 * savepoint keeps each part's name, record class and schema ({@link RecordBundleSerializerSnapshot}),
 * so a bundle written with other parts, or with older schemas of them, is read back by name; a part
 * whose record class is gone is read past with its schema.
 *
 * <p>With a shared record type (the customer's bundle shares {@code Product}), the bits are followed
 * by the bundle's distinct records of that type (a count, then each), and the parts hold their indexes
 * where they held the records ({@link SharedRecords}).
 */
public final class RecordBundleSerializer extends TypeSerializer<RecordBundle> {
    private static final long serialVersionUID = 1L;
    /** As many parts as the bits of a long. */
    static final int MAX_PARTS = 64;

    private final String[] names;
    private final String[] classNames;
    /** The schemas the parts were written with, as JSON; null: each record class's own. */
    private final String[] writerSchemas;
    /** The record class whose records the parts share (written once per bundle); null: none. */
    private final String sharedClassName;

    /** One per part: a record serializer, or null for a part whose class is gone (then read with {@link #skippers}). */
    private transient AvroBinarySerializer<?>[] serializers;
    private transient GenericDatumReader<Object>[] skippers;
    /** The records of the bundle being written, by part: one array per serializer (they are per thread). */
    private transient SpecificRecord[] present;
    /** With a shared record type: the records shared, and each part's writer and reader of turned schemas. */
    private transient SharedRecords shared;
    private transient AvroBinarySerializer<?> sharedSerializer;
    private transient SharedRecords.Writer[] sharingWriters;
    private transient SpecificDatumReader<Object>[] sharingReaders;
    /** With a shared record type: the parts, written here first, as the shared records go before them. */
    private transient DataOutputSerializer partsBuffer;
    private transient AvroBinarySerializer.ViewOutput output;
    private transient BinaryEncoder encoder;
    /** What parts are read with that are not read by their record serializers. */
    private transient AvroBinarySerializer.ViewInput input;
    private transient BinaryDecoder decoder;

    public RecordBundleSerializer(List<RecordBundle.Part> parts) {
        this(parts, null);
    }

    /** @param shared the record class the parts' records share, written once per bundle; null: none */
    public RecordBundleSerializer(List<RecordBundle.Part> parts, Class<? extends SpecificRecord> shared) {
        this(parts.stream().map(RecordBundle.Part::name).toArray(String[]::new),
                parts.stream().map(part -> part.type().getName()).toArray(String[]::new), null,
                shared == null ? null : shared.getName());
    }

    RecordBundleSerializer(String[] names, String[] classNames, String[] writerSchemas, String sharedClassName) {
        if (names.length > MAX_PARTS) {
            throw new IllegalArgumentException("a bundle holds at most " + MAX_PARTS + " parts, not " + names.length);
        }
        if (Arrays.stream(names).distinct().count() != names.length) {
            throw new IllegalArgumentException("two parts of a bundle have the same name: " + Arrays.toString(names));
        }
        this.names = names.clone();
        this.classNames = classNames.clone();
        this.writerSchemas = writerSchemas == null ? null : writerSchemas.clone();
        this.sharedClassName = sharedClassName;
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
            input = new AvroBinarySerializer.ViewInput();
            if (sharedClassName != null) {
                startSharing();
            }
        }
        return serializers;
    }

    /** The writers and readers of the parts' turned schemas, and the shared records' own serializer. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void startSharing() {
        Class<? extends SpecificRecord> sharedType = recordClass(sharedClassName);
        if (sharedType == null) {
            throw new IllegalStateException("the shared record class " + sharedClassName + " is not on the class path");
        }
        Schema sharedSchema = SpecificData.getForClass(sharedType).getSchema(sharedType);
        String sharedWritten = null;
        List<Class<? extends SpecificRecord>> types = new ArrayList<>(List.of(sharedType));
        for (AvroBinarySerializer<?> part : serializers) {
            if (part != null) {
                types.add(part.type());
            }
        }
        shared = new SharedRecords(sharedType);
        SpecificData writerModel = SharedRecords.writerModel(sharedType.getClassLoader(), types);
        SpecificData readerModel = shared.readerModel(sharedType.getClassLoader(), types);
        sharingWriters = new SharedRecords.Writer[names.length];
        sharingReaders = new SpecificDatumReader[names.length];
        for (int i = 0; i < names.length; i++) {
            Schema written = writerSchemas == null ? null : new Schema.Parser().parse(writerSchemas[i]);
            if (sharedWritten == null && written != null) {
                Schema found = SharedRecords.named(written, sharedClassName);
                sharedWritten = found == null ? null : found.toString();
            }
            Schema turnedWritten = written == null ? null : SharedRecords.referencing(written, sharedClassName);
            if (serializers[i] != null) {
                Schema today = serializers[i].schema();
                Schema turnedToday = SharedRecords.referencing(today, sharedClassName);
                sharingWriters[i] = shared.new Writer(turnedToday, writerModel);
                sharingReaders[i] = new SpecificDatumReader<>(turnedWritten == null ? turnedToday : turnedWritten,
                        turnedToday, readerModel);
            } else {
                skippers[i] = new GenericDatumReader<>(turnedWritten);
            }
        }
        sharedSerializer = new AvroBinarySerializer(sharedType, sharedWritten == null || sharedWritten.equals(sharedSchema.toString())
                ? null : sharedWritten);
        partsBuffer = new DataOutputSerializer(256);
        output = new AvroBinarySerializer.ViewOutput();
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
        if (shared != null) {
            writeSharing(target);
            return;
        }
        for (int i = 0; i < names.length; i++) {
            if (present[i] != null) {
                parts[i].serialize(present[i], target);
                present[i] = null; // not held past the write
            }
        }
    }

    /** The shared records, then {@link #present}'s parts with their indexes. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void writeSharing(DataOutputView target) throws IOException {
        try {
            partsBuffer.clear();
            output.view = partsBuffer;
            encoder = EncoderFactory.get().directBinaryEncoder(output, encoder);
            for (int i = 0; i < names.length; i++) {
                if (present[i] != null) {
                    sharingWriters[i].write(present[i], encoder);
                }
            }
            List<Object> records = shared.written();
            writeUnsigned(records.size(), target);
            for (Object record : records) {
                ((AvroBinarySerializer) sharedSerializer).serialize(record, target);
            }
            target.write(partsBuffer.getSharedBuffer(), 0, partsBuffer.length());
        } finally {
            Arrays.fill(present, null); // not held past the write
            shared.finish();
        }
    }

    @Override
    public RecordBundle deserialize(DataInputView source) throws IOException {
        AvroBinarySerializer<?>[] parts = serializers();
        long bits = readUnsigned(source);
        RecordBundle bundle = new RecordBundle(Long.bitCount(bits));
        if (shared != null) {
            readSharing(bits, source, bundle);
            return bundle;
        }
        for (int i = 0; i < names.length; i++) {
            if ((bits & 1L << i) == 0) {
                continue;
            }
            if (parts[i] != null) {
                bundle.put(names[i], parts[i].deserialize(source));
            } else { // a part whose record class is gone: read past it
                input.view = source;
                decoder = DecoderFactory.get().directBinaryDecoder(input, decoder);
                skippers[i].read(null, decoder);
            }
        }
        checkKnown(bits);
        return bundle;
    }

    /** The shared records, then the parts of {@code bits}, which hold them by index. */
    private void readSharing(long bits, DataInputView source, RecordBundle bundle) throws IOException {
        checkKnown(bits);
        long count = readUnsigned(source);
        if (count > Integer.MAX_VALUE) {
            throw new IOException("a bundle with " + count + " shared records");
        }
        try {
            shared.startReading((int) count);
            for (int i = 0; i < count; i++) {
                shared.setRead(i, sharedSerializer.deserialize(source));
            }
            input.view = source;
            decoder = DecoderFactory.get().directBinaryDecoder(input, decoder);
            for (int i = 0; i < names.length; i++) {
                if ((bits & 1L << i) == 0) {
                    continue;
                }
                if (sharingReaders[i] != null) {
                    bundle.put(names[i], (SpecificRecord) sharingReaders[i].read(null, decoder));
                } else { // a part whose record class is gone: read past it
                    skippers[i].read(null, decoder);
                }
            }
        } finally {
            shared.finish();
        }
    }

    private void checkKnown(long bits) throws IOException {
        if (bits >>> names.length != 0) {
            throw new IOException("a bundle with parts beyond the " + names.length + " its serializer knows: bits " + Long.toBinaryString(bits));
        }
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
        return new RecordBundleSerializer(names, classNames, writerSchemas, sharedClassName); // record serializers are per thread
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
        return new RecordBundleSerializerSnapshot(names, classNames, schemas, sharedClassName);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RecordBundleSerializer that && Arrays.equals(that.names, names)
                && Arrays.equals(that.classNames, classNames) && Arrays.equals(that.writerSchemas, writerSchemas)
                && java.util.Objects.equals(that.sharedClassName, sharedClassName);
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
