package io.lifecyclemail.common.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot;

/**
 * What a savepoint keeps of an {@link AvroBinarySerializer}: the record class and the schema the
 * state was written with. On restore, state written with an older schema that today's record can
 * read (Avro's schema resolution) is migrated; so is state written by Flink's own Avro serializer,
 * which versions before this one used.
 */
public final class AvroBinarySerializerSnapshot<T extends SpecificRecord> implements TypeSerializerSnapshot<T> {
    private Class<T> type;
    private Schema schema;

    /** For Flink, which reads the snapshot into it. */
    public AvroBinarySerializerSnapshot() {
    }

    AvroBinarySerializerSnapshot(Class<T> type, Schema schema) {
        this.type = type;
        this.schema = schema;
    }

    @Override
    public int getCurrentVersion() {
        return 1;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeUTF(type.getName());
        byte[] json = schema.toString().getBytes(StandardCharsets.UTF_8); // may be longer than writeUTF allows
        out.writeInt(json.length);
        out.write(json);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void readSnapshot(int version, DataInputView in, ClassLoader classLoader) throws IOException {
        String name = in.readUTF();
        try {
            type = (Class<T>) Class.forName(name, false, classLoader);
        } catch (ClassNotFoundException e) {
            throw new IOException("the record class " + name + " of this state is not on the class path", e);
        }
        byte[] json = new byte[in.readInt()];
        in.readFully(json);
        schema = new Schema.Parser().parse(new String(json, StandardCharsets.UTF_8));
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        return new AvroBinarySerializer<>(type, schema.toString());
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
        if (old instanceof AvroBinarySerializerSnapshot<T> before) {
            if (!before.type.getName().equals(type.getName())) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            if (before.schema.equals(schema)) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            return SchemaCompatibility.checkReaderWriterCompatibility(schema, before.schema).getType()
                    == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE
                    ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
        if (old instanceof AvroSerializerSnapshot<T>) {
            // written by Flink's serializer: readable if Flink's would read it; then written again in ours
            return new AvroSerializer<>(type).snapshotConfiguration().resolveSchemaCompatibility(old).isIncompatible()
                    ? TypeSerializerSchemaCompatibility.incompatible()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }
}
