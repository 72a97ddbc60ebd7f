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
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function),
                        CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(backend);
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
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).as("only the consent flag of the profile").isEqualTo(1);
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
    void lateCartChangeIsAppliedNotLost() throws Exception {
        push(profile(ALICE, Duration.ZERO, true));
        watermark(Duration.ofHours(5));
        push(cartAdd(ALICE, Duration.ofHours(1), "tea", 1)); // behind the watermark
        assertThat(decisions()).isEmpty();
        watermark(Duration.ofHours(5).plusSeconds(1));
        assertThat(decisions()).singleElement()
                .satisfies(d -> assertThat(d.getTriggerTime().toEpochMilli()).isEqualTo(millis(Duration.ofHours(1).plus(WAIT))));
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
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(both),
                CustomerInputs::customerId, Types.STRING);
        harness.setStateBackend(new HashMapStateBackend());
        harness.open();
        push(profile(BOB, Duration.ZERO, true));
        push(Events.click(BOB, Duration.ofMinutes(1), ClickType.PRODUCT_VIEW, Events.product("pot", 7480), 1));
        push(cartAdd(ALICE, Duration.ofMinutes(1), "tea", 1));
        push(Events.click(ALICE, Duration.ofMinutes(2), ClickType.PRODUCT_VIEW, Events.product("cup", 3300), 1));
        push(purchase(ALICE, Duration.ofMinutes(10)));
        watermark(Duration.ofDays(1));

        assertThat(decisions()).extracting(Decision::getCustomerId, Decision::getScenarioId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(BOB, "browse-1h"));
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).as("Bob's consent only").isEqualTo(1);
    }

    @Test
    void atTheEndOfABoundedInputDecidesOnlyUpToTheCutoff() throws Exception {
        harness.close();
        CustomerScenariosFunction cutoff = new CustomerScenariosFunction(
                List.of(new CartAbandonment(List.of(CART_2H), RETENTION)), millis(Duration.ofHours(3)));
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(cutoff),
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
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = newHarness(new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        watermark(Duration.ofMinutes(1).plus(WAIT));
        assertThat(commands()).hasSize(1);
        watermark(Duration.ofDays(1));
        assertThat(harness.numEventTimeTimers()).as("the purchase emptied the cart: nothing left to wake up for").isZero();
        assertThat(commands()).hasSize(1);
    }
}
