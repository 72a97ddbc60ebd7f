package io.lifecyclemail.decision.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.detect.ExternalTriggers;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.govern.Governor;
import io.lifecyclemail.decision.scenario.Cap;
import io.lifecyclemail.decision.scenario.Governance;
import io.lifecyclemail.decision.scenario.GovernorPolicy;
import io.lifecyclemail.decision.scenario.QuietHours;
import io.lifecyclemail.decision.scenario.Reentry;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.decision.scenario.ScenarioPolicy;
import io.lifecyclemail.schema.Conversion;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.EngagementType;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.ScenarioTrigger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The governor as Flink runs it, inside the customer stage, driven by watermarks: candidates come
 * from outside triggers (as restock's do), consent from profiles, suppression from engagement.
 */
class GovernorHarnessTest {
    static final String ALICE = "alice";
    static final long HOUR = Duration.ofHours(1).toMillis();
    static final long DAY = Duration.ofDays(1).toMillis();
    static final QuietHours NIGHT = new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0));

    static int ids;

    static RestockScenario scenario(String id, int priority, Governance governance) {
        return new RestockScenario(id, 1, "", true, Duration.ofDays(30), true, true, true, "restock",
                new ScenarioPolicy(Reentry.ALWAYS, priority).withGovernance(governance));
    }

    static Governance governance(List<Cap> caps, Governance.WhenCapped whenCapped, Duration maxDelay, double holdout,
                                 boolean transactional) {
        return new Governance(transactional, Set.of(), caps, whenCapped, maxDelay, holdout, List.of());
    }

    static KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness(
            GovernorPolicy policy, List<RestockScenario> scenarios, StateBackend backend) throws Exception {
        CustomerScenariosFunction function = new CustomerScenariosFunction(
                List.of(new ExternalTriggers("restock-triggers", RestockScenario.STEP, scenarios)), Long.MAX_VALUE,
                LatePolicy.DEFAULT, new Governor(policy, List.copyOf(scenarios)));
        KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(new CustomerScenariosOperator(function),
                        CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(backend);
        return harness;
    }

    static ScenarioTrigger trigger(String scenario, String customer, long time, String product) {
        return ScenarioTrigger.newBuilder().setScenarioId(scenario).setCustomerId(customer)
                .setTriggerEventId("stock-" + ++ids).setEventTime(time).setEntryKey(product)
                .setItems(List.of(new ItemLine(Product.newBuilder().setProductId(product).build(), 1)))
                .setReason(product + " is back").build();
    }

    static CustomerProfile profile(String customer, long time, boolean consent, String zone) {
        return CustomerProfile.newBuilder().setEventId("profile-" + ++ids).setEventTime(Instant.ofEpochMilli(time))
                .setCustomerId(customer).setMarketingConsent(consent).setTimezone(zone)
                .setConsentTime(consent ? Instant.ofEpochMilli(time) : null).build();
    }

    static EngagementEvent engagement(String customer, long time, EngagementType type) {
        return EngagementEvent.newBuilder().setEventId("engagement-" + ++ids).setEventTime(Instant.ofEpochMilli(time))
                .setCustomerId(customer).setType(type).build();
    }

    static OrderEvent order(String customer, long time, String product) {
        return OrderEvent.newBuilder().setEventId("order-" + ++ids).setEventTime(Instant.ofEpochMilli(time))
                .setCustomerId(customer).setOrderId("o-" + ids).setType(OrderEventType.PLACED).setTotalMinor(1000L)
                .setLines(List.of(new ItemLine(Product.newBuilder().setProductId(product).build(), 1))).build();
    }

    static void push(KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness, Object event)
            throws Exception {
        CustomerInput input = new CustomerInput(event);
        harness.processElement(new StreamRecord<>(input, CustomerInputs.eventTime(input)));
    }

    static List<SendCommand> commands(KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness) {
        var side = harness.getSideOutput(CustomerScenariosFunction.SEND_COMMANDS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    static List<Conversion> conversions(KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness) {
        var side = harness.getSideOutput(CustomerScenariosFunction.CONVERSIONS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void capsHoldOverWindowBoundariesAsWatermarksPass() throws Exception {
        long t0 = Instant.parse("2026-11-02T03:00:00Z").toEpochMilli();
        RestockScenario restock = scenario("restock", 50, Governance.DEFAULT);
        var harness = harness(new GovernorPolicy(List.of(new Cap(1, Duration.ofDays(1))), null, ZoneOffset.UTC, 0, "",
                Duration.ofDays(7)), List.of(restock), new HashMapStateBackend());
        harness.open();
        push(harness, profile(ALICE, t0 - HOUR, true, null));
        push(harness, trigger("restock", ALICE, t0, "tea"));
        push(harness, trigger("restock", ALICE, t0 + DAY - 1, "cup"));
        push(harness, trigger("restock", ALICE, t0 + DAY, "pot"));
        harness.processWatermark(new Watermark(t0 + DAY - 1));
        assertThat(harness.extractOutputValues()).extracting(Decision::getOutcome)
                .containsExactly(DecisionOutcome.SENT, DecisionOutcome.CAPPED);
        harness.processWatermark(new Watermark(t0 + DAY));
        assertThat(harness.extractOutputValues()).extracting(Decision::getOutcome)
                .containsExactly(DecisionOutcome.SENT, DecisionOutcome.CAPPED, DecisionOutcome.SENT);
        assertThat(commands(harness)).hasSize(2);
        harness.close();
    }

    @Test
    void quietHoursDeferAcrossTheSpringForwardNightToEightInTheMorningLocalTime() throws Exception {
        RestockScenario restock = scenario("restock", 50, Governance.DEFAULT);
        var harness = harness(new GovernorPolicy(List.of(), NIGHT, ZoneOffset.UTC, 0, "", Duration.ofDays(7)),
                List.of(restock), new HashMapStateBackend());
        harness.open();
        long tenPm = Instant.parse("2026-03-28T21:00:00Z").toEpochMilli(); // 22:00 CET
        long eight = Instant.parse("2026-03-29T06:00:00Z").toEpochMilli(); // 08:00 CEST, 23 hours later by the clock
        push(harness, profile(ALICE, tenPm - DAY, true, "Europe/Berlin"));
        push(harness, trigger("restock", ALICE, tenPm, "tea"));
        harness.processWatermark(new Watermark(eight - 1));
        assertThat(harness.extractOutputValues()).singleElement().satisfies(decision -> {
            assertThat(decision.getOutcome()).isEqualTo(DecisionOutcome.DEFERRED);
            assertThat(decision.getDeferredUntil().toEpochMilli()).isEqualTo(eight);
        });
        assertThat(commands(harness)).isEmpty();
        harness.processWatermark(new Watermark(eight));
        assertThat(harness.extractOutputValues()).extracting(Decision::getOutcome)
                .containsExactly(DecisionOutcome.DEFERRED, DecisionOutcome.SENT);
        assertThat(commands(harness)).hasSize(1);
        harness.close();
    }

    @Test
    void aDeferredSendSurvivesSnapshotAndRestoreOnRocksDbAndGoesOutOnce() throws Exception {
        RestockScenario restock = scenario("restock", 50, Governance.DEFAULT);
        GovernorPolicy policy = new GovernorPolicy(List.of(), NIGHT, ZoneId.of("Asia/Tokyo"), 0, "", Duration.ofDays(7));
        var harness = harness(policy, List.of(restock), new EmbeddedRocksDBStateBackend());
        harness.open();
        long night = Instant.parse("2026-11-02T13:00:00Z").toEpochMilli(); // 22:00 in Tokyo
        long eight = Instant.parse("2026-11-02T23:00:00Z").toEpochMilli();
        push(harness, profile(ALICE, night - DAY, true, null));
        push(harness, trigger("restock", ALICE, night, "tea"));
        harness.processWatermark(new Watermark(night + HOUR));
        assertThat(harness.extractOutputValues()).extracting(Decision::getOutcome).containsExactly(DecisionOutcome.DEFERRED);
        harness.prepareSnapshotPreBarrier(1L); // as the task does before every checkpoint
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = harness(policy, List.of(restock), new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        harness.processWatermark(new Watermark(eight - 1));
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processWatermark(new Watermark(eight));
        assertThat(harness.extractOutputValues()).singleElement().satisfies(decision -> {
            assertThat(decision.getOutcome()).isEqualTo(DecisionOutcome.SENT);
            assertThat(decision.getDecidedAt().toEpochMilli()).isEqualTo(eight);
        });
        assertThat(commands(harness)).hasSize(1);
        harness.processWatermark(new Watermark(eight + 40 * DAY));
        assertThat(commands(harness)).hasSize(1);
        harness.close();
    }

    @Test
    void everythingIsForgottenOnceTheWindowsPassAndConsentIsGone() throws Exception {
        long t0 = Instant.parse("2026-11-02T03:00:00Z").toEpochMilli();
        RestockScenario restock = scenario("restock", 50, governance(List.of(new Cap(2, Duration.ofDays(30))),
                Governance.WhenCapped.DEFER, Duration.ofDays(2), 0, false));
        var harness = harness(new GovernorPolicy(List.of(new Cap(1, Duration.ofDays(1))), NIGHT, ZoneOffset.UTC, 0, "",
                Duration.ofDays(7)), List.of(restock), new HashMapStateBackend());
        harness.open();
        push(harness, profile(ALICE, t0 - HOUR, true, "Asia/Tokyo"));
        push(harness, trigger("restock", ALICE, t0, "tea"));
        push(harness, trigger("restock", ALICE, t0 + HOUR, "cup")); // capped, deferred a day
        push(harness, order(ALICE, t0 + 2 * HOUR, "pot")); // credited to the first mail
        push(harness, profile(ALICE, t0 + 3 * DAY, false, null)); // consent withdrawn, no zone
        harness.processWatermark(new Watermark(t0 + 3 * DAY));
        assertThat(harness.extractOutputValues()).extracting(Decision::getOutcome)
                .containsExactly(DecisionOutcome.SENT, DecisionOutcome.DEFERRED, DecisionOutcome.SENT);
        assertThat(conversions(harness)).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isPositive();
        harness.processWatermark(new Watermark(t0 + 40 * DAY));
        assertThat(harness.numKeyedStateEntries()).as("sends past every cap window, touches past attribution").isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        harness.close();
    }

    @Test
    void anUnsubscribeLaterThanTheAllowedLatenessIsStillApplied() throws Exception {
        long t0 = Instant.parse("2026-11-02T03:00:00Z").toEpochMilli();
        RestockScenario restock = scenario("restock", 50, Governance.DEFAULT);
        var harness = harness(GovernorPolicy.NONE, List.of(restock), new HashMapStateBackend());
        harness.open();
        push(harness, profile(ALICE, t0, true, null));
        harness.processWatermark(new Watermark(t0 + 5 * HOUR));
        push(harness, engagement(ALICE, t0 + HOUR, EngagementType.UNSUBSCRIBED)); // 4 hours behind: beyond 1h lateness
        push(harness, trigger("restock", ALICE, t0 + 6 * HOUR, "tea"));
        harness.processWatermark(new Watermark(t0 + 6 * HOUR));
        assertThat(harness.extractOutputValues()).filteredOn(d -> !d.getScenarioKind().equals(LatePolicy.KIND))
                .singleElement().extracting(Decision::getOutcome).isEqualTo(DecisionOutcome.SUPPRESSED);
        assertThat(commands(harness)).isEmpty();
        harness.close();
    }
}
