package io.lifecyclemail.decision.flink;

import static io.lifecyclemail.decision.Events.ALICE;
import static io.lifecyclemail.decision.Events.millis;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.DecisionPipeline;
import io.lifecyclemail.decision.Events;
import io.lifecyclemail.decision.scenario.BirthdayScenario;
import io.lifecyclemail.decision.scenario.BrowseAbandonmentScenario;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.decision.scenario.DeepBrowsingScenario;
import io.lifecyclemail.decision.scenario.PointsExpiryScenario;
import io.lifecyclemail.decision.scenario.PostPurchaseScenario;
import io.lifecyclemail.decision.scenario.PricePageVisitScenario;
import io.lifecyclemail.decision.scenario.RegistrationAnniversaryScenario;
import io.lifecyclemail.decision.scenario.ReplenishmentScenario;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.decision.scenario.SinceLastScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.ScenarioTrigger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind's detector, one story each, as Flink runs it: fires exactly at its deadline's watermark
 * (and not a millisecond before), survives a snapshot and restore on RocksDB taken just before, is
 * not fooled by every event arriving twice, is cancelled by the event that should cancel it, and
 * leaves no timers and no state but the profile's facts when the customer's story is over.
 */
class EveryDetectorHarnessTest {
    /**
     * @param events the customer's story, after a profile with consent
     * @param due when the mail is due (offset from Events.T0)
     * @param cancel an event that, added to the story, means no mail at {@code due}; null if none
     * @param end an event that ends a story that would otherwise go on (a yearly birthday); null if none
     */
    record Story(String name, Scenario scenario, List<Object> events, Duration due, Object cancel, Object end) {
        @Override
        public String toString() {
            return name;
        }
    }

    static OrderEvent order(Duration at, OrderEventType type, String orderId, String product) {
        return OrderEvent.newBuilder(Events.order(ALICE, at, type)).setOrderId(orderId)
                .setLines(product == null ? List.of() : List.of(new ItemLine(Events.product(product, 1000), 1))).build();
    }

    static CustomerProfile.Builder profile(Duration at) {
        return CustomerProfile.newBuilder(Events.profile(ALICE, at, true));
    }

    static ScenarioTrigger trigger(String scenario, Duration at) {
        return ScenarioTrigger.newBuilder().setScenarioId(scenario).setCustomerId(ALICE).setTriggerEventId("t-" + scenario)
                .setEventTime(millis(at)).setReason("outside").build();
    }

    static Stream<Story> stories() {
        Duration m1 = Duration.ofMinutes(1);
        return Stream.of(
                new Story("cart", new CartAbandonmentScenario("s", 1, "", true, Duration.ofHours(2), "t", 5),
                        List.of(Events.cartAdd(ALICE, m1, "tea", 1)), m1.plusHours(2),
                        order(Duration.ofMinutes(30), OrderEventType.PLACED, "o1", "tea"), null),
                new Story("browse", new BrowseAbandonmentScenario("s", 1, "", true, Duration.ofHours(1), "t", 5, 1),
                        List.of(Events.click(ALICE, m1, ClickType.PRODUCT_VIEW, Events.product("pot", 900), 1)),
                        m1.plusHours(1), Events.cartAdd(ALICE, Duration.ofMinutes(10), "pot", 1), null),
                new Story("price-page", new PricePageVisitScenario("s", 1, "", true, Duration.ofHours(2), "t", "pricing", "", ""),
                        List.of(Events.page(ALICE, m1, "pricing")), m1.plusHours(2),
                        order(Duration.ofMinutes(30), OrderEventType.PLACED, "o1", null), null),
                new Story("deep-browsing", new DeepBrowsingScenario("s", 1, "", true, Duration.ofMinutes(30), 3, "t", ""),
                        List.of(Events.page(ALICE, m1, "home"), Events.page(ALICE, m1.plusMinutes(1), "category"),
                                Events.page(ALICE, m1.plusMinutes(2), "search")), m1.plusMinutes(32), null, null),
                new Story("dormancy", new SinceLastScenario(SinceLastScenario.DORMANCY, "s", 1, "", true, Duration.ofDays(5), "t", 2),
                        List.of(order(Duration.ofHours(1), OrderEventType.PLACED, "o1", "tea")), Duration.ofHours(1).plusDays(5),
                        order(Duration.ofDays(1), OrderEventType.PLACED, "o2", "tea"), null),
                new Story("at-risk", new SinceLastScenario(SinceLastScenario.AT_RISK, "s", 1, "", true, Duration.ofDays(3), "t", 0),
                        List.of(Events.pageView(ALICE, Duration.ofHours(1))), Duration.ofHours(1).plusDays(3),
                        Events.pageView(ALICE, Duration.ofDays(1)), null),
                new Story("no-login", new SinceLastScenario(SinceLastScenario.NO_LOGIN, "s", 1, "", true, Duration.ofDays(4), "t", 3),
                        List.of(Events.click(ALICE, Duration.ofHours(1), ClickType.LOGIN, null, 1)), Duration.ofHours(1).plusDays(4),
                        Events.click(ALICE, Duration.ofDays(1), ClickType.LOGIN, null, 1), null),
                new Story("birthday", new BirthdayScenario("s", 1, "", true, LocalTime.of(9, 0), ZoneOffset.UTC, "t", ""),
                        List.of(profile(Duration.ZERO).setBirthday(LocalDate.of(1990, 11, 5)).build()), Duration.ofDays(3),
                        profile(Duration.ofDays(1)).setErased(true).build(),
                        profile(Duration.ofDays(4)).setErased(true).build()),
                new Story("points-expiry", new PointsExpiryScenario("s", 1, "", true, Duration.ofDays(7), "t"),
                        List.of(profile(Duration.ZERO).setPointsBalance(500L).setPointsExpiry(Events.at(Duration.ofDays(10))).build()),
                        Duration.ofDays(3), profile(Duration.ofDays(1)).setPointsBalance(0L).setPointsExpiry(Events.at(Duration.ofDays(10))).build(),
                        null),
                new Story("post-purchase", new PostPurchaseScenario("s", 1, "", true,
                        List.of(new PostPurchaseScenario.Step("how-is-it", Duration.ofDays(1), "t"))),
                        List.of(order(Duration.ofHours(1), OrderEventType.PLACED, "o1", "tea")), Duration.ofHours(1).plusDays(1),
                        order(Duration.ofHours(12), OrderEventType.CANCELLED, "o1", null), null),
                new Story("anniversary", new RegistrationAnniversaryScenario("s", 1, "", true, Duration.ofDays(365), "t", ""),
                        List.of(profile(Duration.ZERO).setRegisteredAt(Events.at(Duration.ofDays(3 - 365))).build()),
                        Duration.ofDays(3), profile(Duration.ofDays(1)).setErased(true).build(), null),
                new Story("replenishment", new ReplenishmentScenario("s", 1, "", true, "t",
                        List.of(new ReplenishmentScenario.Usage("tea", null, Duration.ofDays(10)))),
                        List.of(order(Duration.ofHours(1), OrderEventType.PLACED, "o1", "tea")), Duration.ofHours(1).plusDays(10),
                        null, null),
                new Story("restock", new RestockScenario("s", 1, "", true, Duration.ofDays(30), true, true, true, "t"),
                        List.of(trigger("s", Duration.ofHours(1))), Duration.ofHours(1), null, null),
                new Story("sequence", new SequenceScenario("s", 1, "", true, List.of(SequenceScenario.Step.of(SequenceScenario.EventType.CART_ADD)),
                        Duration.ofDays(1), new SequenceScenario.Absence(List.of(SequenceScenario.Step.of(SequenceScenario.EventType.ORDER_PLACED)),
                        Duration.ofHours(2)), "t"),
                        List.of(trigger("s", Duration.ofHours(1))), Duration.ofHours(3),
                        order(Duration.ofHours(2), OrderEventType.PLACED, "o1", null), null),
                // a first step repeated about one product: matches may overlap, and the stage keeps the last one's end
                new Story("sequence-of-one-product", new SequenceScenario("s", 1, "", true,
                        List.of(new SequenceScenario.Step(SequenceScenario.EventType.PRODUCT_VIEW, null, null, null, null,
                                null, null, 2, true)),
                        Duration.ofDays(1), new SequenceScenario.Absence(List.of(SequenceScenario.Step.of(SequenceScenario.EventType.ORDER_PLACED)),
                        Duration.ofHours(2)), "t"),
                        List.of(ScenarioTrigger.newBuilder(trigger("s", Duration.ofHours(1)))
                                .setFirstEventTime(millis(Duration.ofMinutes(30))).build()), Duration.ofHours(3),
                        order(Duration.ofHours(2), OrderEventType.PLACED, "o1", null), null));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness(Story story, StateBackend backend,
                                                                                        OperatorSubtaskState restore) throws Exception {
        CustomerScenariosFunction function = new CustomerScenariosFunction(
                DecisionPipeline.detectors(List.of(story.scenario()), Duration.ofDays(30)));
        KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(new CustomerScenariosOperator(function),
                        CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(backend);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    static void push(KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness, List<Object> events)
            throws Exception {
        List<CustomerInput> inputs = new ArrayList<>();
        for (Object event : events) {
            inputs.add(Events.input(event));
        }
        for (CustomerInput input : inputs) {
            harness.processElement(new StreamRecord<>(input, CustomerInputs.eventTime(input)));
        }
    }

    static List<Object> story(Story story, Object... more) {
        List<Object> events = new ArrayList<>();
        events.add(Events.profile(ALICE, Duration.ofMinutes(-1), true));
        events.addAll(story.events());
        for (Object event : more) {
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void firesAtItsWatermarkAcrossARestoreOnRocksDbOnceForDuplicatedEvents(Story story) throws Exception {
        var harness = harness(story, new EmbeddedRocksDBStateBackend(), null);
        List<Object> events = story(story);
        push(harness, events);
        push(harness, events); // every event twice
        harness.processWatermark(new Watermark(millis(story.due()) - 1));
        assertThat(harness.extractOutputValues()).as("nothing before the deadline").isEmpty();
        harness.prepareSnapshotPreBarrier(1L); // as the task does before every checkpoint
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = harness(story, new EmbeddedRocksDBStateBackend(), snapshot);
        harness.processWatermark(new Watermark(millis(story.due())));
        assertThat(harness.extractOutputValues()).singleElement().satisfies(decision -> {
            assertThat(decision.getOutcome()).isEqualTo(DecisionOutcome.SENT);
            assertThat(decision.getTriggerTime().toEpochMilli()).isEqualTo(millis(story.due()));
        });
        harness.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void isCancelledByTheEventThatCancelsIt(Story story) throws Exception {
        if (story.cancel() == null) {
            return; // nothing cancels it (the restock notice, the deep session, the replenishment reminder)
        }
        var harness = harness(story, new HashMapStateBackend(), null);
        push(harness, story(story, story.cancel()));
        harness.processWatermark(new Watermark(millis(story.due().plusDays(1))));
        assertThat(harness.extractOutputValues()).filteredOn(d -> d.getTriggerTime().toEpochMilli() == millis(story.due()))
                .isEmpty();
        harness.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void leavesOnlyTheProfileWhenTheStoryIsOver(Story story) throws Exception {
        var harness = harness(story, new HashMapStateBackend(), null);
        push(harness, story(story, story.end()));
        harness.processWatermark(new Watermark(millis(Duration.ofDays(800))));
        assertThat(harness.extractOutputValues()).isNotEmpty();
        assertThat(harness.numEventTimeTimers()).isZero();
        boolean erased = story.end() instanceof CustomerProfile profile && profile.getErased();
        assertThat(harness.numKeyedStateEntries()).as("the consent flag only, unless the profile was erased")
                .isEqualTo(erased ? 0 : 1);
        harness.close();
    }
}
