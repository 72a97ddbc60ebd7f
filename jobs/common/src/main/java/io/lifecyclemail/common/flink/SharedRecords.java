package io.lifecyclemail.common.flink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversion;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.io.Encoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The records of one type that a bundle's parts hold, each written once however many parts hold an
 * equal one: a customer's product appears in the cart, the order lines, the browse history and the
 * mails waiting, and its name and URLs were most of those parts' bytes. Each part is written with its
 * schema turned so that, wherever the shared record was, an int stands: its index among the bundle's
 * shared records, which are written before the parts ({@link RecordBundleSerializer}). Read back, the
 * parts of a bundle hold the same instance where they held equal records, as they do on the heap
 * when one event's product went into several parts; no part changes a shared record in place.
 */
final class SharedRecords {
    /** The property that marks an int of a turned schema as a reference; its value is the shared record's full name. */
    static final String REFERENCE = "lifecyclemail.shared";
    /** The logical type of a reference: reading, a conversion turns the index into the record. */
    private static final String REFERENCE_TYPE = "lifecyclemail-shared-reference";

    private final Class<? extends SpecificRecord> type;
    private final Map<Object, Integer> indexes = new HashMap<>();
    private final List<Object> written = new ArrayList<>();
    private Object[] read = new Object[8];
    private int readCount;

    SharedRecords(Class<? extends SpecificRecord> type) {
        this.type = type;
    }

    /** {@code schema} with every occurrence of the record named {@code shared} turned into a reference. */
    static Schema referencing(Schema schema, String shared) {
        return referencing(schema, shared, new IdentityHashMap<>());
    }

    private static Schema referencing(Schema schema, String shared, Map<Schema, Schema> turned) {
        Schema known = turned.get(schema);
        if (known != null) {
            return known;
        }
        turned.put(schema, schema); // a record that holds itself is not turned below itself
        Schema result = switch (schema.getType()) {
            case RECORD -> schema.getFullName().equals(shared) ? reference(shared) : record(schema, shared, turned);
            case ARRAY -> {
                Schema elements = referencing(schema.getElementType(), shared, turned);
                yield elements == schema.getElementType() ? schema : withProps(Schema.createArray(elements), schema);
            }
            case MAP -> {
                Schema values = referencing(schema.getValueType(), shared, turned);
                yield values == schema.getValueType() ? schema : withProps(Schema.createMap(values), schema);
            }
            case UNION -> {
                List<Schema> branches = new ArrayList<>();
                boolean changed = false;
                for (Schema branch : schema.getTypes()) {
                    Schema now = referencing(branch, shared, turned);
                    changed |= now != branch;
                    branches.add(now);
                }
                yield changed ? Schema.createUnion(branches) : schema; // a union with an int already is rejected here
            }
            default -> schema;
        };
        turned.put(schema, result);
        return result;
    }

    /** The record named {@code name} within {@code schema}; null if there is none. */
    static Schema named(Schema schema, String name) {
        return named(schema, name, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static Schema named(Schema schema, String name, java.util.Set<Schema> seen) {
        if (!seen.add(schema)) {
            return null;
        }
        if (schema.getType() == Schema.Type.RECORD && schema.getFullName().equals(name)) {
            return schema;
        }
        List<Schema> inner = switch (schema.getType()) {
            case RECORD -> schema.getFields().stream().map(Schema.Field::schema).toList();
            case ARRAY -> List.of(schema.getElementType());
            case MAP -> List.of(schema.getValueType());
            case UNION -> schema.getTypes();
            default -> List.of();
        };
        for (Schema each : inner) {
            Schema found = named(each, name, seen);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static Schema record(Schema record, String shared, Map<Schema, Schema> turned) {
        List<Schema.Field> fields = new ArrayList<>();
        boolean changed = false;
        for (Schema.Field field : record.getFields()) {
            Schema now = referencing(field.schema(), shared, turned);
            changed |= now != field.schema();
            fields.add(new Schema.Field(field, now)); // its name, doc, default, order, aliases and properties
        }
        if (!changed) {
            return record;
        }
        Schema copy = Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), record.isError(), fields);
        record.getAliases().forEach(copy::addAlias);
        return withProps(copy, record);
    }

    private static Schema reference(String shared) {
        Schema reference = Schema.create(Schema.Type.INT);
        reference.addProp(REFERENCE, shared);
        new LogicalType(REFERENCE_TYPE).addToSchema(reference); // so that Avro's fast reader converts it (see readerModel)
        return reference;
    }

    private static Schema withProps(Schema copy, Schema of) {
        of.getObjectProps().forEach(copy::addProp);
        return copy;
    }

    private static boolean isReference(Schema schema) {
        return schema.getType() == Schema.Type.INT && schema.getProp(REFERENCE) != null;
    }

    /**
     * A model to write the turned schemas with: the records' logical type conversions, and the
     * interpreted path, which {@link Writer} takes part in (a record's own coder would pass it by).
     */
    static SpecificData writerModel(ClassLoader loader, List<Class<? extends SpecificRecord>> types) {
        SpecificData model = new SpecificData(loader);
        for (Class<? extends SpecificRecord> type : types) {
            SpecificData.getForClass(type).getConversions().forEach(model::addLogicalTypeConversion);
        }
        model.setCustomCoders(false);
        return model;
    }

    /**
     * A model to read the turned schemas with: Avro's fast reader, with a conversion of each reference
     * into this bundle's record. (Reading with the interpreted path instead made the RocksDB backend's
     * whole job about a fifth slower.)
     */
    SpecificData readerModel(ClassLoader loader, List<Class<? extends SpecificRecord>> types) {
        SpecificData model = writerModel(loader, types);
        model.addLogicalTypeConversion(new Conversion<Object>() {
            @Override
            public Class<Object> getConvertedType() {
                return Object.class;
            }

            @Override
            public String getLogicalTypeName() {
                return REFERENCE_TYPE;
            }

            @Override
            public Object fromInt(Integer index, Schema schema, LogicalType type) {
                return recordAt(index);
            }
        });
        model.setFastReaderEnabled(true);
        return model;
    }

    /** The shared records met while writing, in the order of their indexes. */
    List<Object> written() {
        return written;
    }

    private int indexOf(Object record) {
        Integer index = indexes.get(record);
        if (index == null) {
            index = written.size();
            indexes.put(record, index);
            written.add(record);
        }
        return index;
    }

    /** Before a bundle's parts are read: the shared records written before them. */
    void startReading(int count) {
        if (read.length < count) {
            read = new Object[Math.max(count, read.length * 2)];
        }
        readCount = count;
    }

    void setRead(int index, Object record) {
        read[index] = record;
    }

    /** After a bundle is read or written: nothing is held past it, and the next starts with nothing shared. */
    void finish() {
        indexes.clear();
        written.clear();
        java.util.Arrays.fill(read, 0, readCount, null);
        readCount = 0;
    }

    private Object recordAt(int index) {
        if (index < 0 || index >= readCount) {
            throw new AvroRuntimeException("a reference to shared record " + index + " of a bundle with " + readCount);
        }
        return read[index];
    }

    /** Writes a part with its turned schema: a shared record as its index. */
    final class Writer extends SpecificDatumWriter<Object> {
        Writer(Schema turned, SpecificData model) {
            super(turned, model);
        }

        @Override
        protected void writeWithoutConversion(Schema schema, Object datum, Encoder out) throws IOException {
            if (isReference(schema)) {
                out.writeInt(indexOf(datum));
            } else {
                super.writeWithoutConversion(schema, datum, out);
            }
        }

        @Override
        protected int resolveUnion(Schema union, Object datum) {
            if (type.isInstance(datum)) {
                List<Schema> branches = union.getTypes();
                for (int i = 0; i < branches.size(); i++) {
                    if (isReference(branches.get(i))) {
                        return i;
                    }
                }
            }
            return super.resolveUnion(union, datum);
        }
    }
}
