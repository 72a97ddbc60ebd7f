package io.lifecyclemail.decision.restock;

import static io.lifecyclemail.decision.Events.millis;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.Events;
import io.lifecyclemail.decision.flink.ArrivalsOperator;
import io.lifecyclemail.decision.flink.RestockInterestFunction;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.state.ProductSignal;
import io.lifecyclemail.state.ScenarioTrigger;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Restock interest keyed by product and bucket, as Flink runs it, driven by watermarks. */
class RestockInterestFunctionTest {
    static final RestockScenario RESTOCK = new RestockScenario("restock", 1, "", true, Duration.ofDays(30),
            true, true, true, "restock");

    RestockInterest rules = new RestockInterest(List.of(RESTOCK), 1);
    KeyedOneInputStreamOperatorTestHarness<String, ProductSignal, ScenarioTrigger> harness;

    KeyedOneInputStreamOperatorTestHarness<String, ProductSignal, ScenarioTrigger> open(StateBackend backend,
                                                                                     OperatorSubtaskState restore)
            throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new ArrivalsOperator<>(new RestockInterestFunction(rules)),
                RestockInterest::key, Types.STRING);
        harness.setStateBackend(backend);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    void push(List<ProductSignal> signals) throws Exception {
        for (ProductSignal signal : signals) {
            harness.processElement(new StreamRecord<>(signal, signal.getEventTime()));
        }
    }

    void click(String customer, Duration at, ClickType type, String product) throws Exception {
        push(rules.signals(Events.click(customer, at, type, Events.product(product, 7480), 1)));
    }

    void buy(String customer, Duration at, String product) throws Exception {
        OrderEvent order = OrderEvent.newBuilder(Events.purchase(customer, at))
                .setLines(List.of(new ItemLine(Events.product(product, 7480), 1))).build();
        push(rules.signals(order));
    }

    void stock(String product, Duration at, int level) throws Exception {
        push(rules.signals(InventoryChange.newBuilder().setEventId("stock-" + product + "-" + at.toMinutes())
                .setEventTime(Events.at(at)).setProductId(product).setStockLevel(level).build()));
    }

    List<ScenarioTrigger> triggers() {
        return harness.extractOutputValues();
    }

    @Test
    void aRestockTellsThoseWhoViewedFavouritedOrAskedButNotThoseWhoBoughtOrLookedTooLongAgo() throws Exception {
        open(new HashMapStateBackend(), null);
        click("erin", Duration.ofDays(-31), ClickType.PRODUCT_VIEW, "pot");
        stock("pot", Duration.ZERO, 5);
        click("alice", Duration.ofHours(1), ClickType.PRODUCT_VIEW, "pot");
        click("bob", Duration.ofHours(2), ClickType.FAVOURITE, "pot");
        click("carol", Duration.ofHours(3), ClickType.NOTIFY_ME, "pot");
        click("dave", Duration.ofHours(1), ClickType.PRODUCT_VIEW, "pot");
        buy("dave", Duration.ofHours(2), "pot");
        click("frank", Duration.ofHours(1), ClickType.PRODUCT_VIEW, "cup"); // another product
        stock("pot", Duration.ofHours(4), 0);
        stock("pot", Duration.ofHours(6), 10);
        harness.processWatermark(new Watermark(millis(Duration.ofHours(5))));
        assertThat(triggers()).as("nothing before the watermark reaches the restock").isEmpty();

        harness.processWatermark(new Watermark(millis(Duration.ofHours(6))));
        assertThat(triggers()).extracting(ScenarioTrigger::getCustomerId).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(triggers()).allSatisfy(trigger -> {
            assertThat(trigger.getScenarioId()).isEqualTo("restock");
            assertThat(trigger.getEventTime()).isEqualTo(millis(Duration.ofHours(6)));
            assertThat(trigger.getEntryKey()).isEqualTo("pot");
            assertThat(trigger.getItems()).extracting(line -> line.getProduct().getProductId()).containsExactly("pot");
        });
        assertThat(triggers()).filteredOn(t -> t.getCustomerId().equals("carol")).singleElement()
                .satisfies(t -> assertThat(t.getReason()).contains("asked to be told", "not bought since"));
    }

    @Test
    void onlyAStockChangeFromZeroIsARestockAndNotifyMeIsUsedUp() throws Exception {
        open(new HashMapStateBackend(), null);
        click("alice", Duration.ofHours(1), ClickType.PRODUCT_VIEW, "pot");
        click("carol", Duration.ofHours(1), ClickType.NOTIFY_ME, "pot");
        stock("pot", Duration.ofHours(2), 10); // level unknown before: not known to be a restock
        stock("pot", Duration.ofHours(3), 12); // more stock, never out
        stock("pot", Duration.ofHours(4), 0);
        stock("pot", Duration.ofHours(5), 3);
        stock("pot", Duration.ofHours(6), 0);
        stock("pot", Duration.ofHours(7), 8);
        harness.processWatermark(new Watermark(millis(Duration.ofHours(8))));
        assertThat(triggers()).extracting(ScenarioTrigger::getCustomerId, t -> t.getEventTime())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("alice", millis(Duration.ofHours(5))),
                        org.assertj.core.groups.Tuple.tuple("carol", millis(Duration.ofHours(5))),
                        org.assertj.core.groups.Tuple.tuple("alice", millis(Duration.ofHours(7))));
    }

    @Test
    void aStockOutSoonAfterARestockReachesTheCustomersJustToldAndOnlyWithinTheHorizon() throws Exception {
        open(new HashMapStateBackend(), null);
        click("alice", Duration.ofHours(1), ClickType.PRODUCT_VIEW, "pot");
        click("bob", Duration.ofHours(1), ClickType.NOTIFY_ME, "pot");
        stock("pot", Duration.ofHours(2), 0);
        stock("pot", Duration.ofHours(3), 2); // restock: both told
        stock("pot", Duration.ofHours(4), 1); // fewer, not out
        stock("pot", Duration.ofHours(5), 0); // out again: both get a stock-out
        stock("pot", Duration.ofHours(6), 4); // restock: alice told (bob's notify-me was used up)
        stock("pot", Duration.ofDays(3), 0); // out again, but past the horizon (1 day): nothing waits that long
        harness.processWatermark(new Watermark(millis(Duration.ofDays(4))));
        var stockOuts = harness.getSideOutput(io.lifecyclemail.decision.flink.RestockInterestFunction.STOCK_OUTS);
        assertThat(stockOuts).extracting(record -> record.getValue().getCustomerId(), record -> record.getValue().getEventTime())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("alice", millis(Duration.ofHours(5))),
                        org.assertj.core.groups.Tuple.tuple("bob", millis(Duration.ofHours(5))));
        assertThat(rules.staleHorizonMillis()).isEqualTo(Duration.ofDays(1).toMillis());
    }

    @Test
    void aStockEventWrittenTwiceRestocksOnceAlsoWhenTheCopyComesLateAfterAStockOut() throws Exception {
        open(new HashMapStateBackend(), null);
        click("alice", Duration.ofHours(1), ClickType.PRODUCT_VIEW, "pot");
        stock("pot", Duration.ofHours(2), 0);
        stock("pot", Duration.ofHours(3), 5);
        stock("pot", Duration.ofHours(3), 5); // a producer retry: released together with the first
        harness.processWatermark(new Watermark(millis(Duration.ofHours(4))));
        assertThat(triggers()).as("one restock").hasSize(1);

        stock("pot", Duration.ofHours(5), 0);
        harness.processWatermark(new Watermark(millis(Duration.ofHours(6))));
        var stockOuts = harness.getSideOutput(RestockInterestFunction.STOCK_OUTS);
        assertThat(stockOuts).as("out again").hasSize(1);

        stock("pot", Duration.ofHours(3), 5); // a copy 3 hours behind the watermark: older than the level known
        stock("pot", Duration.ofHours(5), 0); // a late copy of the stock-out
        assertThat(triggers()).as("no second restock from the copy").hasSize(1);
        assertThat(stockOuts).as("no second stock-out").hasSize(1);

        stock("pot", Duration.ofMinutes(5 * 60 + 30), 2); // late, but newer than the level known: applied
        assertThat(triggers()).extracting(ScenarioTrigger::getEventTime)
                .containsExactly(millis(Duration.ofHours(3)), millis(Duration.ofMinutes(5 * 60 + 30)));
    }

    @Test
    void interestExpiresInEventTimeAndLeavesOnlyTheProductsOwnState() throws Exception {
        open(new HashMapStateBackend(), null);
        stock("pot", Duration.ZERO, 0);
        click("alice", Duration.ofHours(1), ClickType.PRODUCT_VIEW, "pot");
        click("bob", Duration.ofDays(10), ClickType.FAVOURITE, "pot");
        harness.processWatermark(new Watermark(millis(Duration.ofDays(32))));
        assertThat(harness.numKeyedStateEntries()).as("stock level and its time, the product as shown, bob's interest").isEqualTo(4);
        harness.processWatermark(new Watermark(millis(Duration.ofDays(42))));
        assertThat(harness.numKeyedStateEntries()).as("the product's stock level, its time and look only").isEqualTo(3);
        assertThat(harness.numEventTimeTimers()).isZero();
        stock("pot", Duration.ofDays(43), 5);
        harness.processWatermark(new Watermark(millis(Duration.ofDays(44))));
        assertThat(triggers()).isEmpty();
    }

    @Test
    void survivesSnapshotAndRestoreOnRocksDb() throws Exception {
        open(new EmbeddedRocksDBStateBackend(), null);
        stock("pot", Duration.ZERO, 0);
        click("alice", Duration.ofHours(1), ClickType.PRODUCT_VIEW, "pot");
        stock("pot", Duration.ofHours(3), 4); // still waiting for the watermark at snapshot time
        harness.processWatermark(new Watermark(millis(Duration.ofHours(2))));
        assertThat(harness.numEventTimeTimers()).as("the restock waits in memory: only the sweep's timer").isEqualTo(1);
        harness.prepareSnapshotPreBarrier(1L);
        assertThat(harness.numEventTimeTimers()).as("the restock in state, with a timer at its instant").isEqualTo(2);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        open(new EmbeddedRocksDBStateBackend(), snapshot);
        harness.processWatermark(new Watermark(millis(Duration.ofHours(3))));
        assertThat(triggers()).extracting(ScenarioTrigger::getCustomerId).containsExactly("alice");
    }

    @Test
    void signalsPutInStateAtACheckpointAreAppliedBeforeLaterOnesThatWaitedInMemoryAfterTheRestore() throws Exception {
        open(new EmbeddedRocksDBStateBackend(), null);
        stock("pot", Duration.ZERO, 0);
        harness.processWatermark(new Watermark(millis(Duration.ofMinutes(30))));
        click("alice", Duration.ofHours(1), ClickType.PRODUCT_VIEW, "pot"); // waiting at the checkpoint
        harness.prepareSnapshotPreBarrier(1L);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        open(new EmbeddedRocksDBStateBackend(), snapshot);
        stock("pot", Duration.ofHours(2), 4); // after alice's view, waiting in memory
        click("bob", Duration.ofHours(3), ClickType.PRODUCT_VIEW, "pot"); // after the restock: not told
        harness.processWatermark(new Watermark(millis(Duration.ofHours(3))));
        assertThat(triggers()).as("alice's view, restored, counts before the restock")
                .extracting(ScenarioTrigger::getCustomerId).containsExactly("alice");
    }

    @Test
    void aHotProductsHundredThousandInterestedCustomersAreSpreadOverBuckets() throws Exception {
        int buckets = 32;
        int customers = 100_000;
        rules = new RestockInterest(List.of(RESTOCK), buckets);
        open(new HashMapStateBackend(), null);
        stock("pot", Duration.ZERO, 0);
        for (int c = 0; c < customers; c++) {
            click("c" + c, Duration.ofMinutes(1).plusMillis(c), ClickType.PRODUCT_VIEW, "pot");
        }
        stock("pot", Duration.ofHours(1), 50);
        long start = System.nanoTime();
        harness.processWatermark(new Watermark(millis(Duration.ofHours(2))));
        long millisTaken = (System.nanoTime() - start) / 1_000_000;

        assertThat(triggers()).hasSize(customers);
        assertThat(triggers()).extracting(ScenarioTrigger::getCustomerId).doesNotHaveDuplicates();
        Map<Integer, Integer> perBucket = new HashMap<>();
        triggers().forEach(t -> perBucket.merge(RestockInterest.bucketOf(t.getCustomerId(), buckets), 1, Integer::sum));
        // no key fans out to more than a small share: the work is split into 32 steps over the subtasks
        assertThat(perBucket).hasSize(buckets);
        assertThat(perBucket.values()).allSatisfy(n -> assertThat(n).isLessThan(2 * customers / buckets));
        System.out.printf("restock fan-out: %d customers over %d buckets in %d ms (largest bucket %d)%n",
                customers, buckets, millisTaken, perBucket.values().stream().mapToInt(Integer::intValue).max().orElse(0));
    }
}
