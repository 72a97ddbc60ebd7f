package io.lifecyclemail.common.flink;

import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** The type of a {@link RecordBundle} with the given parts, for a state descriptor. */
public final class RecordBundleTypeInfo extends OpaqueTypeInfo<RecordBundle> {
    private static final long serialVersionUID = 1L;

    private final List<RecordBundle.Part> parts;
    private final Class<? extends SpecificRecord> shared;

    public RecordBundleTypeInfo(List<RecordBundle.Part> parts) {
        this(parts, null);
    }

    /** @param shared the record class whose records the parts share, written once per bundle; null: none */
    public RecordBundleTypeInfo(List<RecordBundle.Part> parts, Class<? extends SpecificRecord> shared) {
        this.parts = List.copyOf(parts);
        this.shared = shared;
        new RecordBundleSerializer(this.parts, shared); // fails here on too many parts or a name twice
    }

    @Override
    public Class<RecordBundle> getTypeClass() {
        return RecordBundle.class;
    }

    @Override
    public TypeSerializer<RecordBundle> createSerializer(SerializerConfig config) {
        return new RecordBundleSerializer(parts, shared);
    }

    @Override
    public String toString() {
        return "RecordBundle" + parts.stream().map(RecordBundle.Part::name).toList();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RecordBundleTypeInfo that && that.parts.equals(parts) && that.shared == shared;
    }

    @Override
    public int hashCode() {
        return parts.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof RecordBundleTypeInfo;
    }
}
