package io.lifecyclemail.decision.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.rfm.CurrencyTable;
import io.lifecyclemail.decision.rfm.RfmPopulation;
import io.lifecyclemail.decision.rfm.RfmRanking;
import io.lifecyclemail.decision.rfm.RfmSettings;
import io.lifecyclemail.decision.rfm.RollingRfm;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.PopulationCounts;
import io.lifecyclemail.state.PopulationShard;
import io.lifecyclemail.state.RankStanding;
import io.lifecyclemail.state.RfmChange;
import io.lifecyclemail.state.RfmValues;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The RFM stages' state: what they keep while a customer buys, and that nothing is left when they are gone. */
class RfmStagesHarnessTest {
    static final long DAY = 86_400_000L;
    static final long T = 20_000 * DAY; // a summary time (midnight UTC)
    static final RfmSettings SETTINGS = RfmSettings.defaults(new RollingRfm(CurrencyTable.only("JPY"), 400 * DAY));

    static RfmValues values(long time, int orders, long total) {
        return new RfmValues(time, time, orders, total, "UTC");
    }

    static RfmChange change(String customer, long time, RfmValues before, RfmValues after) {
        return new RfmChange(customer, time, before, after, after != null && (before == null
                || after.getOrders() > before.getOrders()), "JPY", null);
    }

    static RfmSummary summaryOf(long asOf, RfmChange... changes) {
        PopulationCounts counts = RfmPopulation.empty();
        for (RfmChange change : changes) {
            RfmPopulation.apply(counts, change, SETTINGS);
        }
        return RfmPopulation.summary(counts, asOf, SETTINGS);
    }

    static int keyedEntries(Object operator) {
        return ((HeapKeyedStateBackend<?>) ((AbstractStreamOperator<?>) operator).getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    @Test
    void theRankStageScoresInEventTimeAndForgetsACustomerWithNoPurchaseLeft() throws Exception {
        CustomerRankFunction function = new CustomerRankFunction(new RfmRanking(SETTINGS.ranks(), List.of()), SETTINGS,
                Long.MAX_VALUE);
        try (KeyedBroadcastOperatorTestHarness<String, RfmChange, RfmSummary, RfmRecord> harness =
                     ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(function, RfmChange::getCustomerId,
                             Types.STRING, CustomerRankFunction.SUMMARIES)) {
            RfmChange bought = change("a", T - DAY, null, values(T - DAY, 1, 5000));
            RfmChange other = change("b", T - DAY, null, values(T - DAY, 2, 9000));
            harness.processElement(bought, bought.getTime());
            harness.processElement(other, other.getTime());
            harness.processWatermark(new Watermark(T - 1));
            assertThat(harness.extractOutputValues()).as("nothing before the watermark passes the changes").isEmpty();
            harness.processBroadcastWatermark(new Watermark(T - 1));
            assertThat(harness.extractOutputValues()).extracting(RfmRecord::getRank).as("no summary yet: unscored")
                    .containsExactly(null, null);

            harness.processBroadcastElement(summaryOf(T, bought, other), T);
            harness.processWatermark(new Watermark(T));
            harness.processBroadcastWatermark(new Watermark(T));
            assertThat(harness.extractOutputValues()).hasSize(4).last().satisfies(record -> {
                assertThat(record.getSummaryAsOf()).isEqualTo(java.time.Instant.ofEpochMilli(T));
                assertThat(record.getRecencyDays()).isEqualTo(1);
            });
            assertThat(harness.getSideOutput(CustomerRankFunction.STANDINGS)).extracting(r -> ((RankStanding) r.getValue()).getRank())
                    .containsExactlyInAnyOrder("non-loyal", "settled");
            assertThat(harness.numEventTimeTimers()).as("each ranked customer waits for the next summary").isEqualTo(2);

            RfmChange cancelled = change("a", T + DAY / 2, values(T - DAY, 1, 5000), values(T - DAY, 0, 0));
            harness.processElement(cancelled, cancelled.getTime());
            harness.processWatermark(new Watermark(T + DAY / 2));
            harness.processBroadcastWatermark(new Watermark(T + DAY / 2));
            assertThat(harness.getSideOutput(CustomerRankFunction.STANDINGS)).extracting(r -> ((RankStanding) r.getValue()).getRank())
                    .as("the customer stage is told to forget the rank").contains("unranked");
            assertThat(keyedEntries(harness.getOperator())).as("only b's ranked state is left").isEqualTo(1);
            harness.processWatermark(new Watermark(T + 2 * DAY));
            harness.processBroadcastWatermark(new Watermark(T + 2 * DAY));
            assertThat(harness.numEventTimeTimers()).as("a's timers end with a; b waits for the next summary").isEqualTo(1);
        }
    }

    @Test
    void aShardFoldsItsChangesAtEachSummaryTimeAndReportsWhileItHasBuyers() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Integer, RfmChange, PopulationShard> harness =
                     new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                             new PopulationShardFunction(SETTINGS, Long.MAX_VALUE)), change -> 3, Types.INT)) {
            harness.setStateBackend(new HashMapStateBackend());
            harness.open();
            RfmChange first = change("a", T - DAY / 2, null, values(T - DAY / 2, 1, 1000));
            RfmChange later = change("a", T + DAY / 2, values(T - DAY / 2, 1, 1000), values(T + DAY / 2, 2, 3000));
            harness.processElement(first, first.getTime());
            harness.processElement(later, later.getTime());
            harness.processWatermark(new Watermark(T));
            assertThat(harness.extractOutputValues()).singleElement().satisfies(shard -> {
                assertThat(shard.getAsOf()).isEqualTo(T);
                assertThat(shard.getCounts().getFrequencies()).as("only the change before T").containsEntry("1", 1L);
            });
            assertThat(harness.numKeyedStateEntries()).as("the counts and the change still waiting").isEqualTo(2);
            RfmChange gone = change("a", T + DAY + 1, values(T + DAY / 2, 2, 3000), null);
            harness.processElement(gone, gone.getTime());
            harness.processWatermark(new Watermark(T + 2 * DAY));
            assertThat(harness.extractOutputValues()).hasSize(3).last().satisfies(shard ->
                    assertThat(shard.getCounts().getFrequencies()).isEmpty());
            assertThat(harness.numKeyedStateEntries()).as("the curves stay (what happened), no waiting change")
                    .isEqualTo(1);
        }
    }
}
