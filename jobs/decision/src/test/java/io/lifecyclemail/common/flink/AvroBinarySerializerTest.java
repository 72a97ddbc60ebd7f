package io.lifecyclemail.common.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.Events;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.ProductInterest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.avro.Schema;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Records in Avro's binary encoding, in Flink's streams and state. */
class AvroBinarySerializerTest {
    static final long TIME = Events.millis(Duration.ofHours(5));
    static final ProductInterest INTEREST = new ProductInterest(TIME, 0L, TIME + 1, 0L, "", null);

    static CustomerInput click(int n) {
        return new CustomerInput(Events.click("alice", Duration.ofMinutes(n), ClickType.CART_ADD,
                Events.product("pot-" + n, 7480), n));
    }

    static <T> byte[] write(TypeSerializer<T> serializer, List<T> records) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (T record : records) {
            serializer.serialize(record, out);
        }
        return out.getCopyOfBuffer();
    }

    @Test
    void recordsWrittenBackToBackAreReadBackEachExactlyAndInFewerBytesThanFlinksAvroSerializer() throws Exception {
        AvroBinarySerializer<CustomerInput> serializer = new AvroBinarySerializer<>(CustomerInput.class);
        List<CustomerInput> records = List.of(click(1), click(2), click(3));
        byte[] bytes = write(serializer, records);
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        for (CustomerInput record : records) {
            assertThat(serializer.deserialize(in)).isEqualTo(record);
        }
        assertThat(in.available()).isZero();

        assertThat(write(new AvroBinarySerializer<>(ProductInterest.class), List.of(INTEREST)))
                .as("two times of 6 bytes, two zeros, an empty string and a null branch of 1 each").hasSize(16);
        assertThat(write(new AvroSerializer<>(ProductInterest.class), List.of(INTEREST))).hasSize(40);
        assertThat(bytes.length * 10).isLessThan(7 * write(new AvroSerializer<>(CustomerInput.class), records).length);

        CustomerInput copy = serializer.copy(records.get(0));
        assertThat(copy).isEqualTo(records.get(0)).isNotSameAs(records.get(0));
        assertThat(serializer.duplicate()).isEqualTo(serializer).isNotSameAs(serializer);
    }

    @Test
    void stateWrittenWithAnOlderSchemaIsReadWithTheDefaultsOfTodaysFieldsAndCompatibilityIsResolved() throws Exception {
        Schema today = ProductInterest.getClassSchema();
        Schema older = Schema.createRecord(today.getName(), today.getDoc(), today.getNamespace(), false,
                today.getFields().stream().filter(field -> !field.name().equals("product"))
                        .map(field -> new Schema.Field(field, field.schema())).toList());
        assertThat(older.getField("product")).as("the older schema has no product").isNull();
        var olderRecord = new org.apache.avro.generic.GenericData.Record(older);
        older.getFields().forEach(field -> olderRecord.put(field.name(), INTEREST.get(field.name())));
        var out = new java.io.ByteArrayOutputStream();
        var encoder = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<>(older).write(olderRecord, encoder);

        var ofThen = new AvroBinarySerializerSnapshot<>(ProductInterest.class, older);
        ProductInterest read = ofThen.restoreSerializer().deserialize(new DataInputDeserializer(out.toByteArray()));
        assertThat(read).isEqualTo(INTEREST);

        var now = new AvroBinarySerializer<>(ProductInterest.class).snapshotConfiguration();
        assertThat(now.resolveSchemaCompatibility(ofThen).isCompatibleAfterMigration()).isTrue();
        assertThat(now.resolveSchemaCompatibility(now).isCompatibleAsIs()).isTrue();
        var otherType = new AvroBinarySerializerSnapshot<>(ProductInterest.class, Schema.createRecord(today.getName(),
                null, today.getNamespace(), false, List.of(new Schema.Field("viewed_at", Schema.create(Schema.Type.STRING)))));
        assertThat(now.resolveSchemaCompatibility(otherType).isIncompatible()).as("times that became strings").isTrue();
        assertThat(now.resolveSchemaCompatibility(new AvroSerializer<>(ProductInterest.class).snapshotConfiguration())
                .isCompatibleAfterMigration()).as("what versions before this one wrote").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void stateThatFlinksAvroSerializerWroteIsRestoredAndWrittenAgainInTheBinaryEncoding(String backend) throws Exception {
        OperatorSubtaskState before;
        try (var harness = harness(new AvroTypeInfo<>(ProductInterest.class), backend, null)) {
            harness.processElement(new StreamRecord<>("alice", 1));
            harness.processElement(new StreamRecord<>("bob", 2));
            before = harness.snapshot(1, 1);
        }
        OperatorSubtaskState after;
        try (var harness = harness(new AvroBinaryTypeInfo<>(ProductInterest.class), backend, before)) {
            harness.processElement(new StreamRecord<>("alice", 3)); // reads what the older version wrote, adds to it
            assertThat(harness.extractOutputValues()).containsExactly("alice: value " + INTEREST.getViewedAt()
                    + ", 1 in the list, 1 in the map");
            after = harness.snapshot(2, 2);
        }
        try (var harness = harness(new AvroBinaryTypeInfo<>(ProductInterest.class), backend, after)) {
            harness.processElement(new StreamRecord<>("bob", 4));
            harness.processElement(new StreamRecord<>("alice", 5));
            assertThat(harness.extractOutputValues()).containsExactly(
                    "bob: value " + INTEREST.getViewedAt() + ", 1 in the list, 1 in the map",
                    "alice: value " + INTEREST.getViewedAt() + ", 2 in the list, 1 in the map");
        }
        if (backend.equals("hashmap")) {
            assertThat(after.getStateSize()).isLessThan(before.getStateSize());
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, String, String> harness(
            TypeInformation<ProductInterest> type, String backend, OperatorSubtaskState restore) throws Exception {
        return harness(new Interests(type), backend, restore);
    }

    /** An opened harness around {@code function}, keyed by the customer it gets, on the named backend, restored if given. */
    static KeyedOneInputStreamOperatorTestHarness<String, String, String> harness(
            KeyedProcessFunction<String, String, String> function, String backend, OperatorSubtaskState restore)
            throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function),
                (String customer) -> customer, Types.STRING);
        StateBackend stateBackend = backend.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
        harness.setStateBackend(stateBackend);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    /** Keeps a record per customer in each kind of state; says what it found before it adds to it. */
    static final class Interests extends KeyedProcessFunction<String, String, String> {
        private final TypeInformation<ProductInterest> type;
        private transient ValueState<ProductInterest> value;
        private transient ListState<ProductInterest> list;
        private transient MapState<String, ProductInterest> map;

        Interests(TypeInformation<ProductInterest> type) {
            this.type = type;
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            value = getRuntimeContext().getState(new ValueStateDescriptor<>("value", type));
            list = getRuntimeContext().getListState(new ListStateDescriptor<>("list", type));
            map = getRuntimeContext().getMapState(new MapStateDescriptor<>("map", Types.STRING, type));
        }

        @Override
        public void processElement(String customer, Context context, Collector<String> out) throws Exception {
            if (value.value() != null) {
                long listed = StreamSupport.stream(list.get().spliterator(), false).filter(INTEREST::equals).count();
                long mapped = StreamSupport.stream(map.entries().spliterator(), false)
                        .filter(entry -> entry.getValue().equals(INTEREST)).map(Map.Entry::getKey).count();
                out.collect(customer + ": value " + value.value().getViewedAt() + ", " + listed + " in the list, "
                        + mapped + " in the map");
            }
            value.update(INTEREST);
            list.add(INTEREST);
            map.put("pot", INTEREST);
        }
    }
}
