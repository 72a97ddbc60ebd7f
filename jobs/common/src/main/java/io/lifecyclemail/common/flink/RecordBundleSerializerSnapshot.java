package io.lifecyclemail.common.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What a savepoint keeps of a {@link RecordBundleSerializer}: each part's name, record class and
 * schema, in the order the parts are written. On restore:
 * <ul>
 *   <li>the same parts and schemas: the bundles are read as they are;</li>
 *   <li>parts added, removed or reordered: the bundles stay as they are, read and written with the
 *   savepoint's parts in its order, today's new parts after them; a part no longer listed stays, unread
 *   (as a removed scenario's state stayed when each had a state of its own);</li>
 *   <li>a part's schema changed in a way today's record can read, or a part's record class gone: the
 *   bundles are read with the savepoint's parts and schemas and written again with today's parts (the
 *   parts no longer listed are then dropped);</li>
 *   <li>a part whose record class changed, or whose older schema today's record cannot read: the state
 *   is incompatible, and the job does not start on it;</li>
 *   <li>another shared record type (none, before version 2 of this snapshot): read as they were written,
 *   written again with today's.</li>
 * </ul>
 */
public final class RecordBundleSerializerSnapshot implements TypeSerializerSnapshot<RecordBundle> {
    private String[] names;
    private String[] classNames;
    private String[] schemas;
    /** The record class the parts share; null: none (all that version 1 wrote). */
    private String sharedClassName;

    /** For Flink, which reads the snapshot into it. */
    public RecordBundleSerializerSnapshot() {
    }

    RecordBundleSerializerSnapshot(String[] names, String[] classNames, String[] schemas) {
        this(names, classNames, schemas, null);
    }

    RecordBundleSerializerSnapshot(String[] names, String[] classNames, String[] schemas, String sharedClassName) {
        this.names = names;
        this.classNames = classNames;
        this.schemas = schemas;
        this.sharedClassName = sharedClassName;
    }

    /** 2: with the shared record class after the parts. */
    @Override
    public int getCurrentVersion() {
        return 2;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            out.writeUTF(names[i]);
            out.writeUTF(classNames[i]);
            byte[] json = schemas[i].getBytes(StandardCharsets.UTF_8); // may be longer than writeUTF allows
            out.writeInt(json.length);
            out.write(json);
        }
        out.writeUTF(sharedClassName == null ? "" : sharedClassName);
    }

    @Override
    public void readSnapshot(int version, DataInputView in, ClassLoader classLoader) throws IOException {
        int parts = in.readInt();
        names = new String[parts];
        classNames = new String[parts];
        schemas = new String[parts];
        for (int i = 0; i < parts; i++) {
            names[i] = in.readUTF();
            classNames[i] = in.readUTF();
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            schemas[i] = new String(json, StandardCharsets.UTF_8);
        }
        String shared = version >= 2 ? in.readUTF() : "";
        sharedClassName = shared.isEmpty() ? null : shared;
    }

    @Override
    public TypeSerializer<RecordBundle> restoreSerializer() {
        return new RecordBundleSerializer(names, classNames, schemas, sharedClassName);
    }

    @Override
    public TypeSerializerSchemaCompatibility<RecordBundle> resolveSchemaCompatibility(
            TypeSerializerSnapshot<RecordBundle> old) {
        if (!(old instanceof RecordBundleSerializerSnapshot before)) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        boolean sameSharing = Objects.equals(before.sharedClassName, sharedClassName);
        if (Arrays.equals(before.names, names) && Arrays.equals(before.classNames, classNames)
                && Arrays.equals(before.schemas, schemas) && sameSharing) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        List<String> todays = Arrays.asList(names);
        boolean rewrite = !sameSharing;
        for (int i = 0; i < before.names.length; i++) {
            int now = todays.indexOf(before.names[i]);
            if (now < 0) {
                // a part no longer listed (a scenario removed) stays, unread, while its record class exists
                rewrite |= RecordBundleSerializer.recordClass(before.classNames[i]) == null;
                continue;
            }
            if (!classNames[now].equals(before.classNames[i])) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            if (!schemas[now].equals(before.schemas[i])) {
                Schema reader = new Schema.Parser().parse(schemas[now]);
                Schema writer = new Schema.Parser().parse(before.schemas[i]);
                if (SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                        != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    return TypeSerializerSchemaCompatibility.incompatible();
                }
                rewrite = true;
            }
        }
        if (rewrite) { // read with the savepoint's parts and schemas, written again with today's
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        // Parts added, removed or reordered, the schemas unchanged: the savepoint's parts in its order, then
        // today's new ones. The bytes stay as they are (RocksDB would otherwise rewrite every customer).
        List<String> keptNames = new ArrayList<>(Arrays.asList(before.names));
        List<String> keptClasses = new ArrayList<>(Arrays.asList(before.classNames));
        for (int i = 0; i < names.length; i++) {
            if (!keptNames.contains(names[i])) {
                keptNames.add(names[i]);
                keptClasses.add(classNames[i]);
            }
        }
        if (keptNames.size() > RecordBundleSerializer.MAX_PARTS) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration(); // dropping the parts no longer listed
        }
        return TypeSerializerSchemaCompatibility.compatibleWithReconfiguredSerializer(new RecordBundleSerializer(
                keptNames.toArray(String[]::new), keptClasses.toArray(String[]::new), null, sharedClassName));
    }
}
