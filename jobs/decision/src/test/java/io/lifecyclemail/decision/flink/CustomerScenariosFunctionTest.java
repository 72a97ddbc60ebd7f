package io.lifecyclemail.decision.flink;

import static io.lifecyclemail.decision.Events.ALICE;
import static io.lifecyclemail.decision.Events.BOB;
import static io.lifecyclemail.decision.Events.cartAdd;
import static io.lifecyclemail.decision.Events.cartRemove;
import static io.lifecyclemail.decision.Events.input;
import static io.lifecyclemail.decision.Events.millis;
import static io.lifecyclemail.decision.Events.profile;
import static io.lifecyclemail.decision.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.Events;
import io.lifecyclemail.decision.browse.BrowseAbandonment;
import io.lifecyclemail.decision.cart.CartAbandonment;
import io.lifecyclemail.decision.detect.ExternalTriggers;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.state.ScenarioTrigger;
import io.lifecyclemail.decision.scenario.BrowseAbandonmentScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.CustomerInput;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cart detector as Flink runs it, driven by watermarks. Heap state where a test counts state
 * entries (RocksDB cannot count them), RocksDB for snapshot and restore.
 */
class CustomerScenariosFunctionTest {
    static final Duration WAIT = Duration.ofHours(2);
    static final Duration RETENTION = Duration.ofDays(30);
    static final CartAbandonmentScenario CART_2H =
            new CartAbandonmentScenario("cart-2h", 1, "", true, WAIT, "cart-abandonment", 10);

    KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness;

    @BeforeEach
    void open() throws Exception {
        harness = newHarness(new HashMapStateBackend());
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> newHarness(StateBackend backend)
            throws Exception {
        CustomerScenariosFunction function = new CustomerScenariosFunction(List.of(new CartAbandonment(List.of(CART_2H), RETENTION)));
        KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(new CustomerScenariosOperator(function),
                        CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(backend);
        return harness;
    }

    /** An opened harness on heap state around {@code function}. */
    static KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness(
            CustomerScenariosFunction function) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, CustomerInput, Decision> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(new CustomerScenariosOperator(function),
                        CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(new HashMapStateBackend());
        harness.open();
        return harness;
    }

    void push(Object event) throws Exception {
        CustomerInput input = input(event);
        harness.processElement(new StreamRecord<>(input, CustomerInputs.eventTime(input)));
    }

    void watermark(Duration offset) throws Exception {
        harness.processWatermark(new Watermark(millis(offset)));
    }

    List<Decision> decisions() {
        return harness.extractOutputValues();
    }

    List<SendCommand> commands() {
        var side = harness.getSideOutput(CustomerScenariosFunction.SEND_COMMANDS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void remindsOnceTheWatermarkPassesTheDeadline() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        push(cartAdd(ALICE, Duration.ofMinutes(2), "cup", 1));

        watermark(Duration.ofMinutes(2).plus(WAIT).minusMillis(1));
        assertThat(decisions()).isEmpty();

        watermark(Duration.ofMinutes(2).plus(WAIT));
        assertThat(decisions()).singleElement().satisfies(decision -> {
            assertThat(decision.getOutcome()).isEqualTo(DecisionOutcome.SENT);
            assertThat(decision.getTriggerTime().toEpochMilli()).isEqualTo(millis(Duration.ofMinutes(2).plus(WAIT)));
        });
        assertThat(commands()).singleElement().satisfies(command -> {
            assertThat(command.getCustomerId()).isEqualTo(ALICE);
            assertThat(command.getSendId()).isEqualTo(decisions().get(0).getSendId());
            assertThat(command.getItems()).extracting(line -> line.getProduct().getProductId())
                    .containsExactly("cup", "tea");
        });
    }

    @Test
    void doesNotRemindWhenPurchasedBeforeDeadlineAndLeavesNoStateBehind() throws Exception {
        push(cartAdd(BOB, Duration.ZERO, "tea", 1));
        push(purchase(BOB, Duration.ofMinutes(30)));
        watermark(Duration.ofDays(3));

        assertThat(decisions()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void forgetsTheCartAfterTheRetentionAndKeepsOnlyConsent() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        watermark(Duration.ofMinutes(1).plus(WAIT));
        assertThat(decisions()).hasSize(1);

        watermark(Duration.ofMinutes(1).plus(RETENTION));
        assertThat(partsOf(ALICE).names()).as("consent, that this cart was reminded, when to forget that")
                .containsExactlyInAnyOrder("governor", "scenario-entries", "wake-ups");
        assertThat(harness.numKeyedStateEntries()).as("the customer's parts, in one entry").isEqualTo(1);
        watermark(Duration.ofMinutes(1).plus(WAIT).plus(RETENTION));
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(partsOf(ALICE).names()).as("only the consent flag of the profile").containsExactly("governor");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void oneCartIsRemindedOnceButTheNextCartAgain() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        push(cartAdd(ALICE, Duration.ofHours(5), "cup", 1)); // the same cart, changed after its reminder
        push(purchase(ALICE, Duration.ofHours(10)));
        push(cartAdd(ALICE, Duration.ofHours(11), "pot", 1)); // a new cart
        watermark(Duration.ofDays(1));

        assertThat(decisions()).extracting(Decision::getOutcome).containsExactly(
                DecisionOutcome.SENT, DecisionOutcome.REENTRY_BLOCKED, DecisionOutcome.SENT);
        assertThat(decisions().get(1).getReason()).contains("re-entry is never");
        assertThat(commands()).extracting(command -> command.getItems().get(0).getProduct().getProductId())
                .containsExactly("tea", "pot");
    }

    @Test
    void purchaseReadLaterButEarlierInEventTimeDoesNotCancelALaterCart() throws Exception {
        // the orders topic lags behind the clickstream: the purchase comes in after a cart change that followed it
        push(profile(ALICE, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(10), "tea", 1));
        push(purchase(ALICE, Duration.ofMinutes(5)));
        watermark(Duration.ofMinutes(10).plus(WAIT));
        assertThat(decisions()).hasSize(1);
    }

    @Test
    void purchaseReadFirstButLaterInEventTimeCancelsTheCart() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        push(purchase(ALICE, Duration.ofMinutes(30)));
        push(cartAdd(ALICE, Duration.ofMinutes(10), "tea", 1));
        watermark(Duration.ofDays(1));
        assertThat(decisions()).isEmpty();
    }

    @Test
    void cartChangeBeforeTheDeadlineReArmsIt() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        push(cartAdd(ALICE, Duration.ofMinutes(90), "cup", 1));
        push(cartRemove(ALICE, Duration.ofMinutes(100), "tea", 1));

        watermark(Duration.ofMinutes(1).plus(WAIT));
        assertThat(decisions()).isEmpty();
        watermark(Duration.ofMinutes(100).plus(WAIT));
        assertThat(commands()).singleElement().satisfies(command ->
                assertThat(command.getItems()).extracting(line -> line.getProduct().getProductId()).containsExactly("cup"));
    }

    @Test
    void lateCartChangeWithinTheAllowedLatenessIsApplied() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        watermark(Duration.ofHours(3));
        push(cartAdd(ALICE, Duration.ofHours(2), "tea", 1)); // 1h behind the watermark: just allowed
        assertThat(decisions()).isEmpty();
        watermark(Duration.ofHours(4));
        assertThat(decisions()).singleElement()
                .satisfies(d -> assertThat(d.getTriggerTime().toEpochMilli()).isEqualTo(millis(Duration.ofHours(2).plus(WAIT))));
        watermark(Duration.ofDays(40));
        assertThat(harness.numKeyedStateEntries()).as("only consent; the remembered event ids are forgotten").isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void eventLaterThanTheAllowedLatenessIsRecordedAndDroppedByDefault() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        watermark(Duration.ofHours(5));
        push(cartAdd(ALICE, Duration.ofHours(1), "tea", 1)); // 4h behind: it would mail about the past
        watermark(Duration.ofDays(1));

        assertThat(commands()).isEmpty();
        assertThat(decisions()).singleElement().satisfies(decision -> {
            assertThat(decision.getOutcome()).isEqualTo(DecisionOutcome.LATE_EVENT);
            assertThat(decision.getScenarioKind()).isEqualTo("LateEvent");
            assertThat(decision.getReason()).contains("4h behind the watermark", "allowed lateness of 1h", "dropped");
        });
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void eventLaterThanTheAllowedLatenessCanBeAppliedAnyway() throws Exception {
        harness.close();
        harness = harness(new CustomerScenariosFunction(List.of(new CartAbandonment(List.of(CART_2H), RETENTION)),
                Long.MAX_VALUE, new LatePolicy(Duration.ZERO, LatePolicy.Beyond.APPLY)));
        push(profile(ALICE, Duration.ZERO, true));
        watermark(Duration.ofHours(5));
        push(cartAdd(ALICE, Duration.ofHours(1), "tea", 1));
        watermark(Duration.ofHours(6));
        assertThat(decisions()).extracting(Decision::getOutcome)
                .containsExactly(DecisionOutcome.LATE_EVENT, DecisionOutcome.SENT);
        assertThat(decisions().get(0).getReason()).contains("applied anyway");
    }

    @Test
    void theSameEventTwiceCountsOnce() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        var add = cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1);
        push(add);
        push(add); // a producer retry
        watermark(Duration.ofHours(3));
        assertThat(commands()).singleElement().satisfies(command ->
                assertThat(command.getItems().get(0).getQuantity()).isEqualTo(1));
    }

    @Test
    void aLateCopyOfAnAppliedEventIsIgnored() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        var add = cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1);
        push(add);
        watermark(Duration.ofMinutes(30)); // the add is applied
        push(add); // the copy comes 29 minutes behind the watermark, within the allowed lateness
        watermark(Duration.ofHours(3));
        assertThat(commands()).singleElement().satisfies(command ->
                assertThat(command.getItems().get(0).getQuantity()).isEqualTo(1));
        assertThat(decisions()).hasSize(1);
    }

    @Test
    void withoutConsentDecidesButSendsNothing() throws Exception {
        push(profile(ALICE, Duration.ZERO, false));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        push(cartAdd(BOB, Duration.ofMinutes(1), "tea", 1)); // no profile at all: no consent either
        watermark(Duration.ofHours(3));

        assertThat(decisions()).extracting(Decision::getCustomerId, Decision::getOutcome)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(ALICE, DecisionOutcome.NO_CONSENT),
                        org.assertj.core.groups.Tuple.tuple(BOB, DecisionOutcome.NO_CONSENT));
        assertThat(commands()).isEmpty();
    }

    @Test
    void consentWithdrawnBeforeTheDeadlineStopsTheMail() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        push(profile(ALICE, Duration.ofMinutes(60), false));
        watermark(Duration.ofHours(3));
        assertThat(decisions()).singleElement()
                .satisfies(d -> assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.NO_CONSENT));
        assertThat(commands()).isEmpty();
    }

    @Test
    void runsCartAndBrowseDetectorsSideBySideAndEndsWithNoState() throws Exception {
        harness.close();
        CustomerScenariosFunction both = new CustomerScenariosFunction(List.of(
                new CartAbandonment(List.of(CART_2H), RETENTION),
                new BrowseAbandonment(List.of(new BrowseAbandonmentScenario("browse-1h", 1, "", true,
                        Duration.ofHours(1), "browse-abandonment", 5, 1)))));
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new CustomerScenariosOperator(both),
                CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(new HashMapStateBackend());
        harness.open();
        push(profile(BOB, Duration.ZERO, true));
        push(Events.click(BOB, Duration.ofMinutes(1), ClickType.PRODUCT_VIEW, Events.product("pot", 7480), 1));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        push(Events.click(ALICE, Duration.ofMinutes(2), ClickType.PRODUCT_VIEW, Events.product("cup", 3300), 1));
        push(purchase(ALICE, Duration.ofMinutes(10)));
        push(Events.click(BOB, Duration.ofDays(2), ClickType.PRODUCT_VIEW, Events.product("pot", 7480), 1));
        push(Events.click(BOB, Duration.ofDays(8), ClickType.PRODUCT_VIEW, Events.product("pot", 7480), 1));
        watermark(Duration.ofDays(30));

        // browsing again after 2 days is within the default re-entry of 7 days; after 8 it is not
        assertThat(decisions()).extracting(Decision::getCustomerId, Decision::getScenarioId, Decision::getOutcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(BOB, "browse-1h", DecisionOutcome.SENT),
                        org.assertj.core.groups.Tuple.tuple(BOB, "browse-1h", DecisionOutcome.REENTRY_BLOCKED),
                        org.assertj.core.groups.Tuple.tuple(BOB, "browse-1h", DecisionOutcome.SENT));
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).as("Bob's consent only").isEqualTo(1);
    }

    @Test
    void atTheEndOfABoundedInputDecidesOnlyUpToTheCutoff() throws Exception {
        harness.close();
        CustomerScenariosFunction cutoff = new CustomerScenariosFunction(
                List.of(new CartAbandonment(List.of(CART_2H), RETENTION)), millis(Duration.ofHours(3)));
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new CustomerScenariosOperator(cutoff),
                CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(new HashMapStateBackend());
        harness.open();
        push(profile(ALICE, Duration.ZERO, true));
        push(profile(BOB, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(30), "tea", 1)); // due 2h30: inside the replay
        push(cartAdd(BOB, Duration.ofMinutes(90), "tea", 1)); // due 3h30: after it
        harness.processWatermark(new Watermark(Long.MAX_VALUE)); // the bounded input ends

        assertThat(decisions()).extracting(Decision::getCustomerId).containsExactly(ALICE);
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void survivesSnapshotAndRestoreOnRocksDb() throws Exception {
        harness.close();
        harness = newHarness(new EmbeddedRocksDBStateBackend());
        harness.open();
        push(profile(ALICE, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        push(purchase(ALICE, Duration.ofMinutes(200))); // still pending in the buffer at snapshot time
        watermark(Duration.ofMinutes(30));
        harness.prepareSnapshotPreBarrier(1L); // as the task does before every checkpoint
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = newHarness(new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        watermark(Duration.ofMinutes(1).plus(WAIT));
        assertThat(commands()).hasSize(1);
        watermark(Duration.ofDays(40));
        assertThat(harness.numEventTimeTimers()).as("the purchase emptied the cart, the cart's entry is forgotten").isZero();
        assertThat(commands()).hasSize(1);
    }

    static ScenarioTrigger restockTrigger(String customer, Duration at, String product) {
        return ScenarioTrigger.newBuilder().setScenarioId("restock").setCustomerId(customer)
                .setTriggerEventId("stock-" + product + "-" + at.toMinutes()).setEventTime(millis(at))
                .setEntryKey(product).setItems(List.of(new io.lifecyclemail.schema.ItemLine(Events.product(product, 7480), 1)))
                .setReason(product + " back in stock").build();
    }

    @Test
    void restockTriggersBecomeCandidatesWithReentryPerProductOnRocksDb() throws Exception {
        harness.close();
        RestockScenario restock = new RestockScenario("restock", 1, "", true, Duration.ofDays(30), true, true, true, "restock");
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new CustomerScenariosOperator(new CustomerScenariosFunction(
                List.of(new ExternalTriggers("restock-triggers", RestockScenario.STEP, List.of(restock))))),
                CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.open();
        push(profile(ALICE, Duration.ZERO, true));
        push(restockTrigger(ALICE, Duration.ofHours(1), "pot"));
        push(restockTrigger(ALICE, Duration.ofHours(1), "cup"));
        push(restockTrigger(ALICE, Duration.ofDays(2), "pot")); // the same product again within the 7 days
        push(restockTrigger(ALICE, Duration.ofDays(9), "pot"));
        watermark(Duration.ofHours(1));
        assertThat(commands()).extracting(command -> command.getItems().get(0).getProduct().getProductId())
                .containsExactlyInAnyOrder("pot", "cup");
        watermark(Duration.ofDays(10));
        assertThat(decisions()).extracting(Decision::getOutcome).containsExactlyInAnyOrder(DecisionOutcome.SENT,
                DecisionOutcome.SENT, DecisionOutcome.REENTRY_BLOCKED, DecisionOutcome.SENT);
        assertThat(commands()).allSatisfy(command -> assertThat(command.getStep()).isEqualTo(RestockScenario.STEP));
        watermark(Duration.ofDays(20));
        assertThat(harness.numEventTimeTimers()).as("entries forgotten after their 7 days").isZero();
    }

    @Test
    void idsOfInputsTheJobMakesOnceAreNotRememberedButThoseOfShopEventsAndSequenceMatchesAre() throws Exception {
        harness.close();
        RestockScenario restock = new RestockScenario("restock", 1, "", true, Duration.ofDays(30), true, true, true, "restock");
        harness = harness(new CustomerScenariosFunction(List.of(new CartAbandonment(List.of(CART_2H), RETENTION),
                new ExternalTriggers("restock-triggers", RestockScenario.STEP, List.of(restock)))));
        var profile = profile(ALICE, Duration.ZERO, true);
        var add = cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1);
        var notice = restockTrigger(ALICE, Duration.ofMinutes(2), "pot");
        var stockOut = new io.lifecyclemail.state.StockOut(ALICE, "pot", "stock-pot-3", millis(Duration.ofMinutes(3)));
        var rank = new io.lifecyclemail.state.RankStanding(ALICE, millis(Duration.ofMinutes(4)), "loyal", null, 5, 5, 5, 3, 0);
        var sequenceMatch = ScenarioTrigger.newBuilder(restockTrigger(ALICE, Duration.ofMinutes(5), "cup"))
                .setScenarioId("browse-then-cart").setFirstEventTime(millis(Duration.ofMinutes(4))).build();
        for (Object event : List.of(profile, add, notice, stockOut, rank, sequenceMatch)) {
            push(event);
        }
        watermark(Duration.ofMinutes(10));
        var agenda = io.lifecyclemail.decision.detect.Agenda.of(agendaOf(ALICE));
        for (Object event : List.of(profile, add, sequenceMatch)) {
            assertThat(agenda.holdsId(CustomerInputs.eventId(input(event)))).as("remembered: %s", event).isTrue();
        }
        for (Object event : List.of(notice, stockOut, rank)) {
            assertThat(agenda.holdsId(CustomerInputs.eventId(input(event)))).as("made once, not remembered: %s", event).isFalse();
        }
        assertThat(commands()).extracting(command -> command.getScenarioId()).containsExactly("restock");

        push(add); // a late copy of a shop event is still recognised
        watermark(Duration.ofHours(3));
        assertThat(commands()).extracting(command -> command.getScenarioId()).containsExactly("restock", "cart-2h");
        assertThat(commands().get(1).getItems()).singleElement()
                .satisfies(line -> assertThat(line.getQuantity()).isEqualTo(1));
    }

    @Test
    void emitsTheCustomersRfmChangesInTheProfilesZoneAndForgetsOldOrders() throws Exception {
        harness.close();
        var rfm = new io.lifecyclemail.decision.rfm.RollingRfm(io.lifecyclemail.decision.rfm.CurrencyTable.only("JPY"),
                Duration.ofDays(400).toMillis());
        harness = harness(CustomerScenariosFunction.withoutGovernor(List.of(rfm), Long.MAX_VALUE, LatePolicy.DEFAULT));
        push(io.lifecyclemail.schema.CustomerProfile.newBuilder(profile(ALICE, Duration.ZERO, true))
                .setTimezone("Asia/Tokyo").build());
        push(io.lifecyclemail.schema.OrderEvent.newBuilder(purchase(ALICE, Duration.ofHours(1))).setOrderId("o1")
                .setTotalMinor(5000L).build());
        push(io.lifecyclemail.schema.OrderEvent.newBuilder(purchase(ALICE, Duration.ofDays(2))).setOrderId("o2")
                .setTotalMinor(3000L).build());
        push(io.lifecyclemail.schema.OrderEvent.newBuilder(Events.order(ALICE, Duration.ofDays(3),
                io.lifecyclemail.schema.OrderEventType.CANCELLED)).setOrderId("o2").build());
        watermark(Duration.ofDays(4));

        var changes = harness.getSideOutput(CustomerScenariosFunction.RFM_CHANGES).stream().map(StreamRecord::getValue).toList();
        assertThat(changes).extracting(c -> c.getAfter().getOrders(), c -> c.getAfter().getTotalMinor(), c -> c.getPlaced())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 5000L, true),
                        org.assertj.core.groups.Tuple.tuple(2, 8000L, true),
                        org.assertj.core.groups.Tuple.tuple(1, 5000L, false));
        assertThat(changes.get(2).getBefore().getTotalMinor()).isEqualTo(8000L);
        assertThat(changes.get(2).getAfter().getZone()).isEqualTo("Asia/Tokyo");
        assertThat(changes).extracting(c -> c.getTime()).containsExactly(Events.millis(Duration.ofHours(1)),
                Events.millis(Duration.ofDays(2)), Events.millis(Duration.ofDays(3)));
        assertThat(decisions()).isEmpty();

        watermark(Duration.ofDays(402));
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(partsOf(ALICE).names())
                .as("time zone and the customer's RFM (no order memory left; no consent: no governor in the RFM stage)")
                .containsExactlyInAnyOrder("zone", "rfm");
        assertThat(harness.numKeyedStateEntries()).as("in one entry").isEqualTo(1);

        // consent as versions that governed this stage too kept it, in a state of its own as versions before the
        // customer's parts did: moved into the parts at start, forgotten at the customer's next profile
        var governorApart = new org.apache.flink.api.common.state.ValueStateDescriptor<>("governor",
                new io.lifecyclemail.common.flink.AvroBinaryTypeInfo<>(io.lifecyclemail.state.GovernorState.class));
        stateOf(ALICE, governorApart).update(io.lifecyclemail.state.GovernorState.newBuilder()
                .setConsent(new io.lifecyclemail.state.ConsentGiven(0L, "signup")).build());
        // and a zone as those versions kept it, a string in a state of its own
        var zoneApart = new org.apache.flink.api.common.state.ValueStateDescriptor<>("timezone", Types.STRING);
        stateOf(BOB, zoneApart).update("Europe/Paris");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new CustomerScenariosOperator(
                CustomerScenariosFunction.withoutGovernor(List.of(rfm), Long.MAX_VALUE, LatePolicy.DEFAULT)),
                CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(new HashMapStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        assertThat(partsOf(ALICE).get("governor")).as("moved into the parts at start").isNotNull();
        assertThat(stateOf(ALICE, governorApart).value()).as("and no longer apart").isNull();
        assertThat(partsOf(BOB).get("zone")).as("the zone moved into the parts")
                .isEqualTo(new io.lifecyclemail.state.CustomerZone("Europe/Paris"));
        assertThat(stateOf(BOB, zoneApart).value()).isNull();
        push(io.lifecyclemail.schema.CustomerProfile.newBuilder(profile(ALICE, Duration.ofDays(403), true))
                .setTimezone("Asia/Tokyo").build());
        watermark(Duration.ofDays(404));
        assertThat(partsOf(ALICE).names()).as("time zone and RFM").containsExactlyInAnyOrder("zone", "rfm");
        assertThat(harness.numKeyedStateEntries()).as("Alice's parts and Bob's").isEqualTo(2);
    }

    @SuppressWarnings("unchecked")
    org.apache.flink.runtime.state.KeyedStateBackend<String> backend() {
        return (org.apache.flink.runtime.state.KeyedStateBackend<String>)
                (org.apache.flink.runtime.state.KeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
    }

    /** A customer's keyed state as the function sees it: to write it as an older version laid it out. */
    <S extends org.apache.flink.api.common.state.State> S stateOf(
            String customer, org.apache.flink.api.common.state.StateDescriptor<S, ?> descriptor) throws Exception {
        backend().setCurrentKey(customer);
        return backend().getPartitionedState(org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE, descriptor);
    }

    /** A customer's parts ({@link io.lifecyclemail.common.flink.RecordBundle}): the agenda and the detectors' states. */
    io.lifecyclemail.common.flink.RecordBundle partsOf(String customer) throws Exception {
        // the function registered the state: the backend hands out that one, with the function's parts
        var parts = stateOf(customer, new org.apache.flink.api.common.state.ValueStateDescriptor<>(
                CustomerScenariosFunction.CUSTOMER_PARTS, new io.lifecyclemail.common.flink.RecordBundleTypeInfo(List.of()))).value();
        return parts == null ? new io.lifecyclemail.common.flink.RecordBundle() : parts;
    }

    /** The customer's agenda, as the function keeps it among the customer's parts; null if none. */
    io.lifecyclemail.state.WakeUps agendaOf(String customer) throws Exception {
        return (io.lifecyclemail.state.WakeUps) partsOf(customer).get("wake-ups");
    }

    /** Writes one part of a customer's state, as an older version could have left it. */
    void putPart(String customer, String part, org.apache.avro.specific.SpecificRecord record) throws Exception {
        var parts = partsOf(customer);
        parts.put(part, record);
        stateOf(customer, new org.apache.flink.api.common.state.ValueStateDescriptor<>(
                CustomerScenariosFunction.CUSTOMER_PARTS, new io.lifecyclemail.common.flink.RecordBundleTypeInfo(List.of())))
                .update(parts);
    }

    org.apache.flink.api.common.state.MapState<Long, io.lifecyclemail.state.PendingInputs> pendingByTime(String customer)
            throws Exception {
        return stateOf(customer, new org.apache.flink.api.common.state.MapStateDescriptor<>("pending-inputs-by-time",
                Types.LONG, new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(io.lifecyclemail.state.PendingInputs.class)));
    }

    /** The one list older versions kept waiting inputs in. */
    org.apache.flink.api.common.state.ListState<CustomerInput> pendingAsList(String customer) throws Exception {
        return stateOf(customer, new org.apache.flink.api.common.state.ListStateDescriptor<>("pending-inputs",
                new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(CustomerInput.class)));
    }

    /** The customer's inputs waiting by instant, taken out (their timers stay). */
    List<CustomerInput> takeWaitingByInstant(String customer) throws Exception {
        var byTime = pendingByTime(customer);
        List<CustomerInput> waiting = new java.util.ArrayList<>();
        byTime.values().forEach(held -> waiting.addAll(held.getInputs()));
        byTime.clear();
        return waiting;
    }

    /**
     * Holds every input for the watermark as older versions did, with a timer at its instant: in the map
     * by instant, or before that in one list.
     */
    static final class OlderWaitingInputs extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, CustomerInput, Decision> {
        private final boolean inOneList;

        OlderWaitingInputs(boolean inOneList) {
            this.inOneList = inOneList;
        }

        @Override
        public void processElement(CustomerInput input, Context context, org.apache.flink.util.Collector<Decision> out)
                throws Exception {
            long time = CustomerInputs.eventTime(input);
            if (inOneList) {
                getRuntimeContext().getListState(new org.apache.flink.api.common.state.ListStateDescriptor<>(
                        CustomerScenariosFunction.PENDING_AS_LIST,
                        new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(CustomerInput.class))).add(input);
            } else {
                var byTime = getRuntimeContext().getMapState(new org.apache.flink.api.common.state.MapStateDescriptor<>(
                        CustomerScenariosFunction.PENDING_BY_INSTANT, Types.LONG,
                        new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(io.lifecyclemail.state.PendingInputs.class)));
                var held = byTime.get(time);
                List<CustomerInput> inputs = held == null ? new java.util.ArrayList<>() : new java.util.ArrayList<>(held.getInputs());
                inputs.add(input);
                byTime.put(time, new io.lifecyclemail.state.PendingInputs(inputs));
            }
            context.timerService().registerEventTimeTimer(time);
        }
    }

    @Test
    void inputsAnOlderVersionHeldWaitingAreTakenIntoTheAgendaAndAppliedInOrder() throws Exception {
        for (StateBackend backend : List.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend())) {
            for (boolean inOneList : List.of(false, true)) {
                String layout = backend.getName() + (inOneList ? ", in one list" : ", by instant");
                restoreFromAnOlderVersion(new OlderWaitingInputs(inOneList), backend, profile(ALICE, Duration.ZERO, true),
                        purchase(ALICE, Duration.ofMinutes(20)), cartAdd(ALICE, Duration.ofMinutes(30), "cup", 1),
                        cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
                // today's inputs between the older ones: the tea is bought at 0:20, the cup and the mug are left
                push(cartAdd(ALICE, Duration.ofMinutes(10), "mug", 1));
                push(cartAdd(ALICE, Duration.ofMinutes(40), "mug", 1));
                watermark(Duration.ofMinutes(40).plus(WAIT));
                assertThat(commands()).as(layout).singleElement().satisfies(command ->
                        assertThat(command.getItems()).extracting(line -> line.getProduct().getProductId())
                                .containsExactlyInAnyOrder("cup", "mug"));
                assertThat(pendingAsList(ALICE).get()).as(layout + ": the list is emptied").isNullOrEmpty();
                assertThat(pendingByTime(ALICE).isEmpty()).as(layout + ": nothing left waiting by instant").isTrue();
            }
        }
    }

    @Test
    void aBusyCustomersInputsBeyondWhatTheAgendaHoldsWaitByInstantAndAreAppliedInOrder() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        int views = io.lifecyclemail.decision.detect.Agenda.HELD_INLINE * 3;
        for (int second = 1; second <= views; second++) {
            push(Events.click(ALICE, Duration.ofSeconds(second), ClickType.PAGE_VIEW, null, 1));
        }
        push(cartAdd(ALICE, Duration.ofSeconds(views + 1), "tea", 1));
        push(purchase(ALICE, Duration.ofSeconds(views + 2)));
        push(cartAdd(ALICE, Duration.ofSeconds(views + 3), "cup", 1));
        harness.prepareSnapshotPreBarrier(1L); // a checkpoint comes: the inputs waiting in memory go to state
        var byTime = pendingByTime(ALICE);
        List<Long> instants = new java.util.ArrayList<>();
        byTime.keys().forEach(instants::add);
        assertThat(instants).as("all but the first %d inputs wait by instant", io.lifecyclemail.decision.detect.Agenda.HELD_INLINE)
                .hasSize(views + 4 - io.lifecyclemail.decision.detect.Agenda.HELD_INLINE);
        assertThat(harness.numEventTimeTimers()).as("one timer for all").isEqualTo(1);

        watermark(Duration.ofSeconds(views + 3).plus(WAIT));
        assertThat(commands()).as("the tea was bought; the cup is reminded").singleElement().satisfies(command ->
                assertThat(command.getItems()).extracting(line -> line.getProduct().getProductId()).containsExactly("cup"));
        backend().setCurrentKey(ALICE);
        assertThat(byTime.isEmpty()).isTrue();
    }

    @Test
    void inputsWaitInMemoryUntilACheckpointPutsThemInStateAndAreAppliedInOrderAfterARestore() throws Exception {
        harness.close();
        harness = newHarness(new EmbeddedRocksDBStateBackend());
        harness.open();
        push(profile(ALICE, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        assertThat(harness.numEventTimeTimers()).as("waiting in memory: no timer yet").isZero();
        harness.prepareSnapshotPreBarrier(1L);
        assertThat(harness.numEventTimeTimers()).as("in the agenda, with the customer's timer").isEqualTo(1);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = newHarness(new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        push(cartAdd(ALICE, Duration.ofSeconds(30), "cup", 1)); // before the restored add: applied before it
        push(cartAdd(ALICE, Duration.ofMinutes(2), "pot", 1));
        watermark(Duration.ofMinutes(2).plus(WAIT));
        assertThat(commands()).singleElement().satisfies(command -> assertThat(command.getItems())
                .extracting(line -> line.getProduct().getProductId()).containsExactly("pot", "tea", "cup")); // latest first
    }

    @Test
    void moreInputsThanMayWaitInMemoryGoToStateAndAreAppliedInOrder() throws Exception {
        harness.close();
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new CustomerScenariosOperator(
                new CustomerScenariosFunction(List.of(new CartAbandonment(List.of(CART_2H), RETENTION))), 2),
                CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(new HashMapStateBackend());
        harness.open();
        push(profile(ALICE, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        assertThat(harness.numEventTimeTimers()).as("two may wait in memory").isZero();
        push(cartAdd(ALICE, Duration.ofSeconds(30), "cup", 1));
        assertThat(harness.numEventTimeTimers()).as("the third sends all three to the agenda").isEqualTo(1);
        push(cartAdd(ALICE, Duration.ofMinutes(2), "pot", 1));
        watermark(Duration.ofMinutes(2).plus(WAIT));
        assertThat(commands()).singleElement().satisfies(command -> assertThat(command.getItems())
                .extracting(line -> line.getProduct().getProductId()).containsExactly("pot", "tea", "cup")); // latest first
        assertThat(harness.numEventTimeTimers()).as("the cart's entry waits to be forgotten").isEqualTo(1);
    }

    @Test
    void aBusyCustomersIdsAreHeldInTheAgendaThenInShortEntriesAndForgottenTogether() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        var add = cartAdd(ALICE, Duration.ofSeconds(1), "tea", 1);
        push(add);
        for (int second = 2; second < 151; second++) {
            push(Events.click(ALICE, Duration.ofSeconds(second), ClickType.PAGE_VIEW, null, 1));
        }
        var lastAdd = cartAdd(ALICE, Duration.ofSeconds(151), "cup", 1);
        push(lastAdd);
        watermark(Duration.ofMinutes(30));
        var ids = stateOf(ALICE, new org.apache.flink.api.common.state.MapStateDescriptor<>("recent-event-ids",
                Types.LONG, new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(io.lifecyclemail.state.RecentEventIds.class)));
        List<io.lifecyclemail.state.RecentEventIds> entries = new java.util.ArrayList<>();
        ids.values().forEach(entries::add);
        int inMap = 152 - io.lifecyclemail.decision.detect.Agenda.IDS_HELD;
        assertThat(entries).as("the first %d ids in the agenda, %d in entries of at most %d",
                        io.lifecyclemail.decision.detect.Agenda.IDS_HELD, inMap, CustomerScenariosFunction.IDS_PER_ENTRY)
                .hasSize((inMap + CustomerScenariosFunction.IDS_PER_ENTRY - 1) / CustomerScenariosFunction.IDS_PER_ENTRY)
                .allSatisfy(entry -> assertThat(entry.getIds()).hasSizeLessThanOrEqualTo(CustomerScenariosFunction.IDS_PER_ENTRY))
                .anySatisfy(first -> assertThat(first.getMore()).isEqualTo(1));
        assertThat(entries.stream().mapToInt(entry -> entry.getIds().size()).sum()).isEqualTo(inMap);

        // copies, 29 minutes behind the watermark, within the allowed lateness: one held in the agenda, one in the map
        push(add);
        push(lastAdd);
        watermark(Duration.ofHours(3));
        assertThat(commands()).as("each added once").singleElement().satisfies(command -> assertThat(command.getItems())
                .extracting(line -> line.getProduct().getProductId(), line -> line.getQuantity())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("tea", 1), org.assertj.core.groups.Tuple.tuple("cup", 1)));
        backend().setCurrentKey(ALICE);
        assertThat(ids.isEmpty()).as("the span's entries are forgotten together").isTrue();
        assertThat(agendaOf(ALICE).getIdHashes().hasRemaining()).as("and the ids the agenda held").isFalse();
        assertThat(agendaOf(ALICE).getIdsHeld()).isEmpty();
    }

    /** Runs {@code older} on {@code backend} over the events, then today's function restored from its snapshot. */
    void restoreFromAnOlderVersion(org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, CustomerInput, Decision> older,
                                   StateBackend backend, Object... events) throws Exception {
        harness.close();
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(older),
                CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(backend);
        harness.open();
        for (Object event : events) {
            push(event);
        }
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();
        harness = newHarness(backend);
        harness.initializeState(snapshot);
        harness.open();
    }

    /** Writes a customer's applied ids as versions before the continued entries did (their schema had only ids). */
    static final class OlderIdMemory extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, CustomerInput, Decision> {
        private final long span;

        OlderIdMemory(long span) {
            this.span = span;
        }

        @Override
        public void processElement(CustomerInput input, Context context, org.apache.flink.util.Collector<Decision> out)
                throws Exception {
            var ids = getRuntimeContext().getMapState(new org.apache.flink.api.common.state.MapStateDescriptor<>(
                    "recent-event-ids", org.apache.flink.api.common.typeutils.base.LongSerializer.INSTANCE, idsOfThen()));
            var remembered = new io.lifecyclemail.state.RecentEventIds(List.of(CustomerInputs.eventId(input)), 0);
            ids.put(span, remembered);
            context.timerService().registerEventTimeTimer(span);
        }
    }

    /**
     * A record's serializer as an older version had it, as its savepoint names it: today's record class
     * with the schema of then. Flink derives a record class's schema from the class, so this writes
     * through a generic serializer of the old schema and describes itself with Flink's own (not public)
     * snapshot. The schema of then has a subset of today's fields; reading, Avro's schema resolution
     * gives the others their defaults, as it does for the job on restore.
     */
    static final class SerializerOfThen<T extends org.apache.avro.specific.SpecificRecordBase>
            extends org.apache.flink.api.common.typeutils.TypeSerializer<T> {
        private static final long serialVersionUID = 1L;
        private final Class<T> type;
        private final String schemaOfThen;
        private transient org.apache.avro.Schema schema;
        private transient org.apache.flink.formats.avro.typeutils.AvroSerializer<org.apache.avro.generic.GenericRecord> generic;

        SerializerOfThen(Class<T> type, String schemaOfThen) {
            this.type = type;
            this.schemaOfThen = schemaOfThen;
        }

        /** Today's record as the schema of then holds it: the fields it had. */
        private org.apache.avro.generic.GenericRecord then(T value) {
            var then = new org.apache.avro.generic.GenericData.Record(schema());
            schema().getFields().forEach(field -> then.put(field.name(), value.get(field.name())));
            return then;
        }

        /** The record of then as today's class. */
        private T today(org.apache.avro.generic.GenericRecord then) throws java.io.IOException {
            var bytes = new java.io.ByteArrayOutputStream();
            var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
            new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(schema()).write(then, encoder);
            encoder.flush();
            return new org.apache.avro.specific.SpecificDatumReader<T>(schema(),
                    org.apache.avro.specific.SpecificData.get().getSchema(type))
                    .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        }

        org.apache.avro.Schema schema() {
            if (schema == null) {
                schema = new org.apache.avro.Schema.Parser().parse(schemaOfThen);
            }
            return schema;
        }

        private org.apache.flink.formats.avro.typeutils.AvroSerializer<org.apache.avro.generic.GenericRecord> generic() {
            if (generic == null) {
                generic = new org.apache.flink.formats.avro.typeutils.AvroSerializer<>(
                        org.apache.avro.generic.GenericRecord.class, schema());
            }
            return generic;
        }

        @Override
        public void serialize(T value, org.apache.flink.core.memory.DataOutputView target) throws java.io.IOException {
            generic().serialize(then(value), target);
        }

        @Override
        public T deserialize(org.apache.flink.core.memory.DataInputView source) throws java.io.IOException {
            return today(generic().deserialize(source));
        }

        @Override
        @SuppressWarnings("unchecked")
        public org.apache.flink.api.common.typeutils.TypeSerializerSnapshot<T> snapshotConfiguration() {
            try {
                var constructor = org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot.class
                        .getDeclaredConstructor(org.apache.avro.Schema.class, Class.class);
                constructor.setAccessible(true);
                return constructor.newInstance(schema(), type);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public T deserialize(T reuse, org.apache.flink.core.memory.DataInputView source) throws java.io.IOException {
            return deserialize(source);
        }

        @Override
        public void copy(org.apache.flink.core.memory.DataInputView source, org.apache.flink.core.memory.DataOutputView target)
                throws java.io.IOException {
            generic().copy(source, target);
        }

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public org.apache.flink.api.common.typeutils.TypeSerializer<T> duplicate() {
            return new SerializerOfThen<>(type, schemaOfThen);
        }

        @Override
        public T createInstance() {
            try {
                return type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public T copy(T from) {
            return from;
        }

        @Override
        public T copy(T from, T reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof SerializerOfThen<?> then && then.type == type && then.schemaOfThen.equals(schemaOfThen);
        }

        @Override
        public int hashCode() {
            return schemaOfThen.hashCode();
        }
    }

    /** RecentEventIds before the field {@code more}. */
    static SerializerOfThen<io.lifecyclemail.state.RecentEventIds> idsOfThen() {
        return new SerializerOfThen<>(io.lifecyclemail.state.RecentEventIds.class, """
                {"type": "record", "name": "RecentEventIds", "namespace": "io.lifecyclemail.state", "fields": [
                  {"name": "ids", "type": {"type": "array", "items": "string"}, "default": []}]}""");
    }

    /** WakeUps before the packed form: a map of "#" and the code in base 36 to the time. */
    static SerializerOfThen<io.lifecyclemail.state.WakeUps> wakeUpsOfThen() {
        return new SerializerOfThen<>(io.lifecyclemail.state.WakeUps.class, """
                {"type": "record", "name": "WakeUps", "namespace": "io.lifecyclemail.state", "fields": [
                  {"name": "times", "type": {"type": "map", "values": "long"}, "default": {}}]}""");
    }

    /** Keeps a customer's cart, and its wake-up in the index as versions before the packed form wrote it. */
    static final class OlderWakeUpIndex extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, CustomerInput, Decision> {
        private final CartAbandonment cart = new CartAbandonment(List.of(CART_2H), RETENTION);

        @Override
        public void processElement(CustomerInput input, Context context, org.apache.flink.util.Collector<Decision> out)
                throws Exception {
            var cartState = getRuntimeContext().getState(new org.apache.flink.api.common.state.ValueStateDescriptor<>(
                    cart.stateName(), new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(cart.stateClass())));
            var wakeUps = getRuntimeContext().getState(
                    new org.apache.flink.api.common.state.ValueStateDescriptor<>("wake-ups", wakeUpsOfThen()));
            var state = cart.apply(cartState.value(), input.getEvent());
            cartState.update(state);
            long wakeUp = cart.nextWakeUp(state).getAsLong();
            wakeUps.update(io.lifecyclemail.state.WakeUps.newBuilder().setTimes(java.util.Map.of(
                    "#" + Integer.toString(cart.stateName().hashCode() & Integer.MAX_VALUE, Character.MAX_RADIX), wakeUp))
                    .build());
            context.timerService().registerEventTimeTimer(wakeUp);
        }
    }

    @Test
    void aWakeUpIndexWrittenWithTheOlderSchemaIsRestoredOnHeapAndRocksDb() throws Exception {
        for (StateBackend backend : List.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend())) {
            restoreFromAnOlderVersion(new OlderWakeUpIndex(), backend, cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
            // kept apart by the older version, each under its own state name: moved into the customer's parts at start
            assertThat(partsOf(ALICE).names()).as(backend.getName() + ": moved into the parts")
                    .containsExactlyInAnyOrder("cart", "wake-ups");
            assertThat(stateOf(ALICE, new org.apache.flink.api.common.state.ValueStateDescriptor<>("cart",
                    new io.lifecyclemail.common.flink.AvroBinaryTypeInfo<>(io.lifecyclemail.state.CartState.class))).value())
                    .as(backend.getName() + ": and no longer apart").isNull();
            watermark(Duration.ofMinutes(30));
            push(profile(ALICE, Duration.ofMinutes(2), true)); // late, within the allowed lateness: applied
            watermark(Duration.ofMinutes(1).plus(WAIT).minusMillis(1));
            assertThat(commands()).as(backend.getName() + ": not yet due").isEmpty();
            watermark(Duration.ofMinutes(1).plus(WAIT));
            assertThat(commands()).as(backend.getName() + ": the cart reminder, through the index of then").singleElement()
                    .satisfies(command -> assertThat(command.getCustomerId()).isEqualTo(ALICE));
            assertThat(agendaOf(ALICE).getTimes()).as(backend.getName() + ": written back packed").isEmpty();
            assertThat(io.lifecyclemail.decision.detect.WakeUpIndex.unpack(agendaOf(ALICE).getPacked()).earliest())
                    .as(backend.getName() + ": the cart's retention is next").isNotNull();
        }
    }

    @Test
    void idsRememberedWithTheOlderSchemaAreReadAndForgottenOnHeapAndRocksDb() throws Exception {
        var then = idsOfThen();
        var bytes = new org.apache.flink.core.memory.DataOutputSerializer(64);
        then.serialize(new io.lifecyclemail.state.RecentEventIds(List.of("e1", "e2"), 0), bytes);
        assertThat(then.deserialize(new org.apache.flink.core.memory.DataInputDeserializer(bytes.getCopyOfBuffer()))
                .getIds()).as("the serializer of then reads what it wrote").containsExactly("e1", "e2");
        lateCopyOfWhatAnOlderVersionRememberedIsIgnored(OlderIdMemory::new, backend -> {
            var ids = stateOf(ALICE, new org.apache.flink.api.common.state.MapStateDescriptor<>("recent-event-ids",
                    Types.LONG, new org.apache.flink.formats.avro.typeutils.AvroTypeInfo<>(io.lifecyclemail.state.RecentEventIds.class)));
            assertThat(ids.isEmpty()).as(backend + ": the span is forgotten").isTrue();
        });
    }

    /** What is checked once the span of the remembered id has passed, on the named backend. */
    interface AfterTheSpan {
        void check(String backend) throws Exception;
    }

    /**
     * On heap and RocksDB: an older version ({@code older}, given the span) applied and remembered Alice's
     * cart add; restored from its snapshot, today's function ignores a late copy of that add but applies
     * Bob's as late new one, and then {@code forgotten} holds.
     */
    void lateCopyOfWhatAnOlderVersionRememberedIsIgnored(
            java.util.function.LongFunction<org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, CustomerInput, Decision>> older,
            AfterTheSpan forgotten) throws Exception {
        var add = cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1);
        long span = LatePolicy.DEFAULT.pruneAfter(millis(Duration.ofMinutes(1)));
        for (StateBackend backend : List.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend())) {
            restoreFromAnOlderVersion(older.apply(span), backend, add); // applied and remembered by the older version
            watermark(Duration.ofMinutes(30));
            push(profile(ALICE, Duration.ofMinutes(2), true));
            push(profile(BOB, Duration.ofMinutes(2), true));
            push(add); // a late copy of what the older version applied: recognised
            push(cartAdd(BOB, Duration.ofMinutes(3), "tea", 1)); // as late, but new
            watermark(Duration.ofHours(3));
            assertThat(commands()).as(backend.getName() + ": only Bob's cart").singleElement()
                    .satisfies(command -> assertThat(command.getCustomerId()).isEqualTo(BOB));
            forgotten.check(backend.getName());
        }
    }

    /** Holds a customer's applied id in the agenda as versions before the hashes did: a string in idsHeld. */
    static final class OlderAgendaIds extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, CustomerInput, Decision> {
        private final long span;

        OlderAgendaIds(long span) {
            this.span = span;
        }

        @Override
        public void processElement(CustomerInput input, Context context, org.apache.flink.util.Collector<Decision> out)
                throws Exception {
            var agenda = getRuntimeContext().getState(
                    new org.apache.flink.api.common.state.ValueStateDescriptor<>("wake-ups", agendaOfThen()));
            var none = java.nio.ByteBuffer.allocate(0);
            agenda.update(new io.lifecyclemail.state.WakeUps(java.util.Map.of(), none, List.of(), none, none,
                    List.of(new io.lifecyclemail.state.IdsToForget(span, List.of(CustomerInputs.eventId(input)))), span, none));
            context.timerService().registerEventTimeTimer(span);
        }
    }

    /** The agenda's schema before the ids were hashes: today's without idHashes. */
    static SerializerOfThen<io.lifecyclemail.state.WakeUps> agendaOfThen() {
        org.apache.avro.Schema today = io.lifecyclemail.state.WakeUps.getClassSchema();
        List<org.apache.avro.Schema.Field> fields = today.getFields().stream()
                .filter(field -> !field.name().equals("idHashes"))
                .map(field -> new org.apache.avro.Schema.Field(field, field.schema())).toList();
        return new SerializerOfThen<>(io.lifecyclemail.state.WakeUps.class, org.apache.avro.Schema.createRecord(
                today.getName(), today.getDoc(), today.getNamespace(), false, fields).toString());
    }

    @Test
    void idsAnOlderVersionHeldInTheAgendaAsStringsStillRecogniseLateCopiesOnHeapAndRocksDb() throws Exception {
        lateCopyOfWhatAnOlderVersionRememberedIsIgnored(OlderAgendaIds::new, backend -> {
            assertThat(agendaOf(ALICE)).as(backend + ": the span is forgotten, nothing left").isNull();
        });
    }

    @Test
    void aWakeUpIndexAsOlderVersionsWroteItIsStillHonouredAndWrittenBackPacked() throws Exception {
        // older versions wrote a map: keyed by "#" and the code in base 36, before that by the state name
        for (String olderKey : List.of("#" + Integer.toString("cart".hashCode(), Character.MAX_RADIX), "cart")) {
            harness.close();
            harness = harness(new CustomerScenariosFunction(List.of(new CartAbandonment(List.of(CART_2H), RETENTION))));
            push(profile(ALICE, Duration.ZERO, true));
            push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
            watermark(Duration.ofMinutes(1));
            assertThat(agendaOf(ALICE).getTimes()).as("written packed").isEmpty();
            var index = io.lifecyclemail.decision.detect.WakeUpIndex.unpack(agendaOf(ALICE).getPacked());
            assertThat(index.size()).as("the cart's wake-up").isEqualTo(1);
            long due = index.earliest();
            putPart(ALICE, "wake-ups", io.lifecyclemail.state.WakeUps.newBuilder(agendaOf(ALICE))
                    .setTimes(java.util.Map.of(olderKey, due)).setPacked(java.nio.ByteBuffer.allocate(0)).build());

            watermark(Duration.ofMinutes(1).plus(WAIT));
            assertThat(commands()).as("the cart reminder, found through the older key " + olderKey).hasSize(1);
            backend().setCurrentKey(ALICE);
            assertThat(agendaOf(ALICE).getTimes()).as("written back packed only").isEmpty();
            assertThat(io.lifecyclemail.decision.detect.WakeUpIndex.unpack(agendaOf(ALICE).getPacked()).isEmpty())
                    .as("the cart's retention is next").isFalse();
        }
    }

    @Test
    void aCustomerHasOneTimerForAllItsDetectorsAtTheEarliestWakeUp() throws Exception {
        harness.close();
        harness = harness(new CustomerScenariosFunction(List.of(new CartAbandonment(List.of(CART_2H), RETENTION),
                new BrowseAbandonment(List.of(new BrowseAbandonmentScenario("browse-1h", 1, "", true, Duration.ofHours(1),
                        "browse-abandonment", 3, 1)))),
                Long.MAX_VALUE, new LatePolicy(Duration.ZERO, LatePolicy.Beyond.DROP))); // no id memory: its timers apart
        push(profile(ALICE, Duration.ZERO, true));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        push(Events.click(ALICE, Duration.ofMinutes(2), ClickType.PRODUCT_VIEW, Events.product("cup", 500), 1));
        watermark(Duration.ofMinutes(2));
        assertThat(harness.numEventTimeTimers()).as("the browsing session ends at 1:02, the cart is due at 2:01: one timer")
                .isEqualTo(1);

        watermark(Duration.ofMinutes(1).plus(WAIT).minusMillis(1));
        assertThat(commands()).as("the session had a cart addition: no browse mail").isEmpty();
        assertThat(harness.numEventTimeTimers()).as("moved on to the cart").isEqualTo(1);
        watermark(Duration.ofMinutes(1).plus(WAIT));
        assertThat(commands()).singleElement().satisfies(command -> assertThat(command.getScenarioId()).isEqualTo("cart-2h"));
        assertThat(harness.numEventTimeTimers()).as("the cart's retention").isEqualTo(1);
    }
}

