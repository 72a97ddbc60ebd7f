package io.lifecyclemail.decision.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.lifecyclemail.decision.Events;
import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.decision.scenario.SequenceScenario.EventType;
import io.lifecyclemail.decision.scenario.SequenceScenario.Step;
import io.lifecyclemail.decision.sequence.SequenceOrdering;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.state.SequenceInput;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SequenceOrderFunctionTest {
    static final Duration WITHIN = Duration.ofHours(6);
    static final SequenceScenario SEQUENCE = new SequenceScenario("s", 1, "", true, List.of(
            new Step(EventType.PAGE_VIEW, "pricing", null, null, null, null, null, 1, false),
            new Step(EventType.PRODUCT_VIEW, null, null, null, null, null, null, 3, true)),
            WITHIN, null, "browse-abandonment");
    static final OutputTag<SequenceInput> LATE = new OutputTag<>("late", new AvroTypeInfo<>(SequenceInput.class));

    /**
     * The same story on both backends, with the waiting events in memory throughout or put into state
     * by a checkpoint and restored: the same output, the same state left.
     */
    @ParameterizedTest
    @CsvSource({"hashmap,false", "rocksdb,false", "hashmap,true", "rocksdb,true"})
    void releasesEventsInTimeOrderAtTheWatermarkSendsLateOnesAsideAndForgetsTheCustomerAfterTheSequencesTime(
            String backend, boolean checkpointWhileWaiting) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, SequenceInput, SequenceInput> harness = harness(backend);
        harness.open();
        ClickstreamEvent pricingLater = Events.page("c", Duration.ofMinutes(12), "pricing");
        ClickstreamEvent pricing = Events.page("c", Duration.ofMinutes(5), "pricing");
        ClickstreamEvent pricingOther = Events.page("d", Duration.ofMinutes(8), "pricing");
        ClickstreamEvent second = view("c", 20);
        ClickstreamEvent first = view("c", 10);
        ClickstreamEvent third = view("c", 30);
        ClickstreamEvent other = view("d", 15);
        for (ClickstreamEvent event : List.of(pricingLater, second, first, pricing, other)) {
            harness.processElement(SequenceOrdering.input(event), event.getEventTime().toEpochMilli());
        }
        assertThat(harness.numEventTimeTimers()).as("waiting in memory: no timer").isZero();
        if (checkpointWhileWaiting) {
            harness.prepareSnapshotPreBarrier(1L);
            assertThat(harness.numEventTimeTimers()).as("in state, one timer per instant waiting").isEqualTo(5);
            assertThat(held(harness, "c").getWaiting()).hasSize(4);
            OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
            harness.close();
            harness = harness(backend);
            harness.initializeState(snapshot);
            harness.open();
        }
        try {
            for (ClickstreamEvent event : List.of(third, pricingOther)) { // after the restore: in memory
                harness.processElement(SequenceOrdering.input(event), event.getEventTime().toEpochMilli());
            }
            harness.processWatermark(new Watermark(Events.millis(Duration.ofMinutes(20))));
            // CEP is keyed by customer: each customer's events in time order; customers in any order
            assertThat(released(harness, "c")).as("c's up to the watermark, in time order, at their instants")
                    .containsExactly(tuple(pricing, Events.millis(Duration.ofMinutes(5))),
                            tuple(pricingLater, Events.millis(Duration.ofMinutes(12))));
            assertThat(released(harness, "d")).containsExactly(tuple(pricingOther, Events.millis(Duration.ofMinutes(8))));

            ClickstreamEvent late = view("c", 20);
            harness.processElement(SequenceOrdering.input(late), late.getEventTime().toEpochMilli());
            assertThat(harness.getSideOutput(LATE)).as("at the watermark: no match could use it")
                    .extracting(record -> record.getValue().getEvent()).containsExactly(late);

            harness.processWatermark(new Watermark(Events.millis(Duration.ofMinutes(30))));
            StreamRecord<? extends SequenceInput> thirdOut = harness.extractOutputStreamRecords().get(3);
            assertThat(thirdOut.getValue().getEvent()).isEqualTo(third);
            assertThat(thirdOut.getTimestamp()).as("stamped with its own time").isEqualTo(Events.millis(Duration.ofMinutes(30)));
            assertThat(thirdOut.getValue().getRepeatStartTime()).as("the third view of p1")
                    .isEqualTo(Events.millis(Duration.ofMinutes(10)));
            assertThat(held(harness, "c")).as("what c counted").isNotNull();
            assertThat(held(harness, "d")).isNotNull();

            harness.processWatermark(new Watermark(Events.millis(Duration.ofMinutes(12).plus(WITHIN)) - 1));
            assertThat(held(harness, "d")).as("d's pricing page is too old for any view to follow it").isNull();
            assertThat(held(harness, "c")).as("a view could still follow c's later pricing page").isNotNull();
            harness.processWatermark(new Watermark(Events.millis(Duration.ofMinutes(12).plus(WITHIN))));
            assertThat(held(harness, "c")).as("nothing kept once no match can use it").isNull();
            assertThat(harness.numEventTimeTimers()).isZero();
            assertThat(harness.extractOutputValues()).hasSize(4);
        } finally {
            harness.close();
        }
    }

    /**
     * Versions before this one counted every customer's views, whether a pricing page came first or not,
     * and kept no record of it: restored from their savepoint (no operator state that says otherwise),
     * every view is counted for the Sequence's time, so that a pricing page seen before the restore
     * still leads to its match; restored from this version's, a customer without a pricing page counts
     * nothing.
     */
    @ParameterizedTest
    @CsvSource({"hashmap,true", "rocksdb,true", "hashmap,false", "rocksdb,false"})
    void restoredFromAVersionThatDidNotRecordThePricingPageEveryViewIsCountedForTheSequencesTime(String backend,
            boolean olderVersion) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, SequenceInput, SequenceInput> harness = harness(backend);
        harness.open();
        harness.processWatermark(new Watermark(Events.millis(Duration.ofMinutes(5))));
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();
        assertThat(snapshot.getManagedOperatorState()).as("this version says it records the pricing page").isNotEmpty();
        if (olderVersion) {
            snapshot = OperatorSubtaskState.builder().setManagedKeyedState(snapshot.getManagedKeyedState()).build();
        }
        harness = harness(backend);
        harness.initializeState(snapshot);
        harness.open();
        try {
            for (int minute : new int[] {10, 20, 30}) {
                ClickstreamEvent event = view("c", minute);
                harness.processElement(SequenceOrdering.input(event), event.getEventTime().toEpochMilli());
            }
            harness.processWatermark(new Watermark(Events.millis(Duration.ofMinutes(30))));
            if (olderVersion) {
                assertThat(harness.extractOutputValues()).singleElement().satisfies(third ->
                        assertThat(third.getRepeatStartTime()).isEqualTo(Events.millis(Duration.ofMinutes(10))));
                assertThat(held(harness, "c")).isNotNull();
                harness.processWatermark(new Watermark(Events.millis(Duration.ofMinutes(30).plus(WITHIN)) + 1));
                assertThat(held(harness, "c")).as("forgotten after the Sequence's time").isNull();
            } else {
                assertThat(harness.extractOutputValues()).isEmpty();
                assertThat(held(harness, "c")).isNull();
            }
            assertThat(harness.numEventTimeTimers()).isZero();
        } finally {
            harness.close();
        }
    }

    /** A customer's events released so far, with the time each is stamped with. */
    static List<Tuple> released(KeyedOneInputStreamOperatorTestHarness<String, SequenceInput, SequenceInput> harness,
                                String customer) {
        return harness.extractOutputStreamRecords().stream()
                .filter(record -> SequenceOrdering.customerOf(record.getValue()).equals(customer))
                .map(record -> tuple(record.getValue().getEvent(), record.getTimestamp())).toList();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SequenceInput, SequenceInput> harness(String backend)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, SequenceInput, SequenceInput> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(new ArrivalsOperator<>(
                        new SequenceOrderFunction(SequenceOrdering.of(SEQUENCE), LATE)),
                        SequenceOrdering::customerOf, Types.STRING);
        StateBackend state = backend.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
        harness.setStateBackend(state);
        return harness;
    }

    static io.lifecyclemail.state.SequenceOrder held(
            KeyedOneInputStreamOperatorTestHarness<String, SequenceInput, SequenceInput> harness, String customer) throws Exception {
        org.apache.flink.runtime.state.KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(customer);
        return backend.getPartitionedState(org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                new org.apache.flink.api.common.state.ValueStateDescriptor<>("sequence-order",
                        new io.lifecyclemail.common.flink.AvroBinaryTypeInfo<>(io.lifecyclemail.state.SequenceOrder.class))).value();
    }

    static ClickstreamEvent view(String customer, int minute) {
        return Events.click(customer, Duration.ofMinutes(minute), ClickType.PRODUCT_VIEW, Events.product("p1", 900), 1);
    }
}
