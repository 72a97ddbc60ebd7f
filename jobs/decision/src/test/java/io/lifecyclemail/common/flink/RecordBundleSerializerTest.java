package io.lifecyclemail.common.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.state.ConsentGiven;
import io.lifecyclemail.state.GovernorState;
import io.lifecyclemail.state.ProductInterest;
import io.lifecyclemail.state.RankStanding;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Several records of a key as one state value, across versions that keep other parts. */
class RecordBundleSerializerTest {
    static final ProductInterest INTEREST = AvroBinarySerializerTest.INTEREST;
    static final RankStanding STANDING = new RankStanding("alice", 5L, "loyal", null, 5, 4, 3, 2, 0);
    static final GovernorState CONSENT = GovernorState.newBuilder().setConsent(new ConsentGiven(0L, "signup")).build();

    static final RecordBundle.Part INTEREST_PART = new RecordBundle.Part("interest", ProductInterest.class);
    static final RecordBundle.Part STANDING_PART = new RecordBundle.Part("standing", RankStanding.class);
    static final RecordBundle.Part GOVERNOR_PART = new RecordBundle.Part("governor", GovernorState.class);

    static <T extends SpecificRecord> int size(T record) throws Exception {
        @SuppressWarnings("unchecked")
        var serializer = new AvroBinarySerializer<>((Class<T>) record.getClass());
        return AvroBinarySerializerTest.write(serializer, List.of(record)).length;
    }

    @Test
    void aBundleIsItsPresentRecordsAfterOneByteOfPartsAndIsReadBackByName() throws Exception {
        var serializer = new RecordBundleSerializer(List.of(INTEREST_PART, STANDING_PART, GOVERNOR_PART));
        RecordBundle bundle = new RecordBundle();
        bundle.put("governor", CONSENT);
        bundle.put("interest", INTEREST);
        byte[] bytes = AvroBinarySerializerTest.write(serializer, List.of(bundle, new RecordBundle()));
        assertThat(bytes).as("a byte of parts, the two records; then an empty bundle's byte")
                .hasSize(1 + size(INTEREST) + size(CONSENT) + 1);

        DataInputDeserializer in = new DataInputDeserializer(bytes);
        RecordBundle read = serializer.deserialize(in);
        assertThat(read).isEqualTo(bundle);
        assertThat(read.get("interest")).isEqualTo(INTEREST);
        assertThat(read.get("standing")).isNull();
        assertThat(serializer.deserialize(in).isEmpty()).isTrue();
        assertThat(in.available()).isZero();

        RecordBundle copy = serializer.copy(bundle);
        assertThat(copy).isEqualTo(bundle);
        assertThat(copy.get("governor")).isEqualTo(CONSENT).isNotSameAs(CONSENT);
        copy.put("governor", null);
        assertThat(bundle.get("governor")).as("the copy is the copy's").isNotNull();
        assertThat(serializer.duplicate()).isEqualTo(serializer).isNotSameAs(serializer);
    }

    @Test
    void partsWrittenWithOlderSchemasOrWhoseClassIsGoneAreReadOrReadPastAndCompatibilityIsResolved() throws Exception {
        Schema today = ProductInterest.getClassSchema();
        Schema older = Schema.createRecord(today.getName(), today.getDoc(), today.getNamespace(), false,
                today.getFields().stream().filter(field -> !field.name().equals("product"))
                        .map(field -> new Schema.Field(field, field.schema())).toList());
        Schema gone = Schema.createRecord("Gone", null, "io.lifecyclemail.state.removed", false,
                List.of(new Schema.Field("note", Schema.create(Schema.Type.STRING))));
        // as a version wrote it whose parts were: the gone record, the interest (older schema), the standing
        var out = new java.io.ByteArrayOutputStream();
        out.write(0b111);
        var encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        var goneRecord = new GenericData.Record(gone);
        goneRecord.put("note", "what a removed scenario kept");
        new GenericDatumWriter<>(gone).write(goneRecord, encoder);
        var olderInterest = new GenericData.Record(older);
        older.getFields().forEach(field -> olderInterest.put(field.name(), INTEREST.get(field.name())));
        new GenericDatumWriter<>(older).write(olderInterest, encoder);
        var standing = new java.io.ByteArrayOutputStream();
        standing.write(AvroBinarySerializerTest.write(new AvroBinarySerializer<>(RankStanding.class), List.of(STANDING)));
        out.write(standing.toByteArray());

        var then = new RecordBundleSerializerSnapshot(new String[] {"removed", "interest", "standing"},
                new String[] {"io.lifecyclemail.state.removed.Gone", ProductInterest.class.getName(), RankStanding.class.getName()},
                new String[] {gone.toString(), older.toString(), RankStanding.getClassSchema().toString()});
        RecordBundle read = then.restoreSerializer().deserialize(new DataInputDeserializer(out.toByteArray()));
        assertThat(read.names()).as("the gone part read past").containsExactly("interest", "standing");
        assertThat(read.get("interest")).isEqualTo(INTEREST);
        assertThat(read.get("standing")).isEqualTo(STANDING);

        var now = new RecordBundleSerializer(List.of(STANDING_PART, INTEREST_PART)).snapshotConfiguration();
        assertThat(now.resolveSchemaCompatibility(now).isCompatibleAsIs()).isTrue();
        assertThat(now.resolveSchemaCompatibility(then).isCompatibleAfterMigration())
                .as("a part gone, the others reordered, one with an older schema").isTrue();
        // parts added, removed or reordered, their schemas unchanged: the bytes stay, read and written in the older order
        var serializerOfThen = new RecordBundleSerializer(List.of(INTEREST_PART, STANDING_PART));
        RecordBundle both = new RecordBundle();
        both.put("standing", STANDING);
        both.put("interest", INTEREST);
        byte[] writtenThen = AvroBinarySerializerTest.write(serializerOfThen, List.of(both));
        var otherParts = new RecordBundleSerializer(List.of(STANDING_PART, GOVERNOR_PART)).snapshotConfiguration()
                .resolveSchemaCompatibility(serializerOfThen.snapshotConfiguration());
        assertThat(otherParts.isCompatibleWithReconfiguredSerializer()).isTrue();
        var reconfigured = otherParts.getReconfiguredSerializer();
        RecordBundle readNow = reconfigured.deserialize(new DataInputDeserializer(writtenThen));
        assertThat(readNow).as("the part no longer listed is kept, unread").isEqualTo(both);
        assertThat(AvroBinarySerializerTest.write(reconfigured, List.of(readNow))).isEqualTo(writtenThen);
        readNow.put("governor", CONSENT);
        assertThat(reconfigured.deserialize(new DataInputDeserializer(
                AvroBinarySerializerTest.write(reconfigured, List.of(readNow))))).as("with today's new part after them")
                .isEqualTo(readNow);

        var otherClass = new RecordBundleSerializerSnapshot(new String[] {"interest"},
                new String[] {RankStanding.class.getName()}, new String[] {RankStanding.getClassSchema().toString()});
        assertThat(now.resolveSchemaCompatibility(otherClass).isIncompatible()).as("a part of another record").isTrue();
        var unreadable = new RecordBundleSerializerSnapshot(new String[] {"interest"},
                new String[] {ProductInterest.class.getName()}, new String[] {Schema.createRecord(today.getName(), null,
                today.getNamespace(), false, List.of(new Schema.Field("viewed_at", Schema.create(Schema.Type.STRING)))).toString()});
        assertThat(now.resolveSchemaCompatibility(unreadable).isIncompatible()).as("times that became strings").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aSavepointOfOtherPartsIsRestoredByNameAndWrittenAgainWithTodays(String backend) throws Exception {
        OperatorSubtaskState before;
        try (var harness = harness(List.of(INTEREST_PART, STANDING_PART), backend, null)) {
            harness.processElement(new StreamRecord<>("alice", 1));
            harness.processElement(new StreamRecord<>("bob", 2));
            before = harness.snapshot(1, 1);
        }
        // today: the interest part is gone, the standing comes first, the governor's part is new
        List<RecordBundle.Part> today = List.of(STANDING_PART, GOVERNOR_PART);
        OperatorSubtaskState after;
        try (var harness = harness(today, backend, before)) {
            harness.processElement(new StreamRecord<>("alice", 3));
            assertThat(harness.extractOutputValues()).containsExactly("alice had [interest, standing]");
            after = harness.snapshot(2, 2);
        }
        try (var harness = harness(today, backend, after)) {
            harness.processElement(new StreamRecord<>("bob", 4));
            harness.processElement(new StreamRecord<>("alice", 5));
            assertThat(harness.extractOutputValues()).as("the interest, no longer a part, kept unread, as a removed scenario's state")
                    .containsExactly("bob had [interest, standing]", "alice had [interest, standing, governor]");
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, String, String> harness(
            List<RecordBundle.Part> parts, String backend, OperatorSubtaskState restore) throws Exception {
        return AvroBinarySerializerTest.harness(new Bundles(parts), backend, restore);
    }

    /** Keeps a bundle per customer with every part it knows; says which parts it found before. */
    static final class Bundles extends KeyedProcessFunction<String, String, String> {
        private final List<RecordBundle.Part> parts;
        private transient ValueState<RecordBundle> bundle;

        Bundles(List<RecordBundle.Part> parts) {
            this.parts = List.copyOf(parts);
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            bundle = getRuntimeContext().getState(new ValueStateDescriptor<>("parts", new RecordBundleTypeInfo(parts)));
        }

        @Override
        public void processElement(String customer, Context context, Collector<String> out) throws Exception {
            RecordBundle kept = bundle.value();
            if (kept != null) {
                out.collect(customer + " had " + kept.names());
            } else {
                kept = new RecordBundle();
            }
            for (RecordBundle.Part part : parts) {
                kept.put(part.name(), part.type() == ProductInterest.class ? INTEREST
                        : part.type() == RankStanding.class ? STANDING : CONSENT);
            }
            bundle.update(kept);
        }
    }
}
