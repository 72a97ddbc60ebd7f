package io.lifecyclemail.decision.govern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lifecyclemail.common.flink.AvroBinarySerializer;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.CandidateDecision;
import io.lifecyclemail.decision.scenario.Cap;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.decision.scenario.Governance;
import io.lifecyclemail.decision.scenario.GovernorPolicy;
import io.lifecyclemail.decision.scenario.QuietHours;
import io.lifecyclemail.decision.scenario.Reentry;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioPolicy;
import io.lifecyclemail.decision.scenario.Variant;
import io.lifecyclemail.schema.Conversion;
import io.lifecyclemail.schema.ConversionGroup;
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
import io.lifecyclemail.decision.SendIds;
import io.lifecyclemail.state.CountedSend;
import io.lifecyclemail.state.GovernorState;
import io.lifecyclemail.state.Touch;
import io.lifecyclemail.state.StockOut;
import io.lifecyclemail.state.WaitingSend;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every rule of the governor, one at a time, on plain Java. */
class GovernorTest {
    static final long T0 = Instant.parse("2026-11-02T03:00:00Z").toEpochMilli(); // 12:00 in Tokyo
    static final long HOUR = Duration.ofHours(1).toMillis();
    static final long DAY = Duration.ofDays(1).toMillis();
    static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    static final String ALICE = "alice";

    static final class Recorder implements Governor.Out {
        final List<Decision> decisions = new ArrayList<>();
        final List<SendCommand> commands = new ArrayList<>();
        final List<Conversion> conversions = new ArrayList<>();

        @Override
        public void decision(Decision decision) {
            decisions.add(decision);
        }

        @Override
        public void command(SendCommand command) {
            commands.add(command);
        }

        @Override
        public void conversion(Conversion conversion) {
            conversions.add(conversion);
        }

        Decision last() {
            return decisions.get(decisions.size() - 1);
        }
    }

    static Governance governance() {
        return Governance.DEFAULT;
    }

    static Scenario cart(String id, int priority, Governance governance) {
        return new CartAbandonmentScenario(id, 1, "", true, Duration.ofHours(2), "cart-abandonment", 10,
                new ScenarioPolicy(Reentry.ALWAYS, priority).withGovernance(governance));
    }

    static GovernorPolicy policy(List<Cap> caps, QuietHours quiet) {
        return new GovernorPolicy(caps, quiet, TOKYO, 0, "salt", Duration.ofDays(7));
    }

    static int ids;

    static Governor.Proposal candidate(Governor governor, Scenario scenario, String customer, long time) {
        return candidate(governor, scenario, customer, time, "reminder", List.of());
    }

    static Governor.Proposal candidate(Governor governor, Scenario scenario, String customer, long time, String step,
                                       List<ItemLine> items) {
        Candidate candidate = new Candidate(scenario, customer, step, items, "trigger-" + ++ids, time,
                "cart left 2h ago", Map.of());
        CandidateDecision.Outcome outcome = CandidateDecision.decide(candidate, null);
        return governor.propose(candidate, outcome.command(), outcome.decision());
    }

    static CustomerProfile profile(String customer, long time, boolean consent) {
        return CustomerProfile.newBuilder().setEventId("profile-" + ++ids).setEventTime(Instant.ofEpochMilli(time))
                .setCustomerId(customer).setMarketingConsent(consent)
                .setConsentTime(consent ? Instant.ofEpochMilli(time) : null).setConsentSource(consent ? "signup-form" : null)
                .build();
    }

    static OrderEvent order(String customer, long time, long total, String... products) {
        List<ItemLine> lines = new ArrayList<>();
        for (String product : products) {
            lines.add(new ItemLine(Product.newBuilder().setProductId(product).setName(product).setUnitPriceMinor(100L).build(), 1));
        }
        return OrderEvent.newBuilder().setEventId("order-" + ++ids).setEventTime(Instant.ofEpochMilli(time))
                .setCustomerId(customer).setOrderId("o-" + ids).setType(OrderEventType.PLACED).setLines(lines)
                .setTotalMinor(total).setCurrency("JPY").build();
    }

    static EngagementEvent engagement(String customer, long time, EngagementType type) {
        return EngagementEvent.newBuilder().setEventId("engagement-" + ++ids).setEventTime(Instant.ofEpochMilli(time))
                .setCustomerId(customer).setType(type).build();
    }

    final Recorder out = new Recorder();

    GovernorState consenting(Governor governor, String customer) {
        return governor.onProfile(null, profile(customer, T0 - DAY, true), out);
    }

    @Test
    void noOptInNoMarketingMail() {
        Governor governor = new Governor(GovernorPolicy.NONE, List.of());
        Scenario cart = cart("cart", 50, governance());
        GovernorState state = governor.decide(null, List.of(candidate(governor, cart, ALICE, T0)), T0, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.NO_CONSENT);
        assertThat(out.commands).isEmpty();
        assertThat(state).isNull();
    }

    @Test
    void sendsWithConsentAndSaysWhenAndHowItWasGiven() {
        Governor governor = new Governor(GovernorPolicy.NONE, List.of());
        Scenario cart = cart("cart", 50, governance());
        GovernorState state = consenting(governor, ALICE);
        governor.decide(state, List.of(candidate(governor, cart, ALICE, T0)), T0, null, out);
        Decision sent = out.last();
        assertThat(sent.getOutcome()).isEqualTo(DecisionOutcome.SENT);
        assertThat(sent.getSendId()).isEqualTo(out.commands.get(0).getSendId()).isEqualTo(sent.getDecisionId());
        assertThat(sent.getValues()).containsEntry("consent_source", "signup-form")
                .containsEntry("consent_given_at", Instant.ofEpochMilli(T0 - DAY).toString());
        assertThat(sent.getDecidedAt().toEpochMilli()).isEqualTo(T0);
    }

    @Test
    void transactionalStepsNeedNoConsentAndIgnoreCapsAndQuietHours() {
        GovernorPolicy policy = policy(List.of(new Cap(1, Duration.ofDays(1))), new QuietHours(LocalTime.of(0, 0), LocalTime.of(23, 59)));
        Scenario shipped = cart("post-purchase", 50, new Governance(false, Set.of("shipped"), List.of(),
                Governance.WhenCapped.DROP, Governance.DEFAULT_MAX_DELAY, 0, List.of()));
        Governor governor = new Governor(policy, List.of(shipped));
        GovernorState state = null;
        for (int i = 0; i < 3; i++) {
            state = governor.decide(state, List.of(candidate(governor, shipped, ALICE, T0 + i, "shipped", List.of())),
                    T0 + i, TOKYO, out);
        }
        assertThat(out.decisions).extracting(Decision::getOutcome).containsOnly(DecisionOutcome.SENT);
        assertThat(out.commands).hasSize(3).allMatch(SendCommand::getTransactional);
        assertThat(state).as("transactional sends are neither counted nor touches").isNull();
        // a marketing step of the same scenario is not transactional
        governor.decide(null, List.of(candidate(governor, shipped, ALICE, T0, "thanks", List.of())), T0, TOKYO, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.NO_CONSENT);
    }

    @Test
    void anUnsubscribeEndsEverySendNotYetEmittedAtOnceAndStopsLaterOnes() {
        Scenario cart = cart("cart", 50, governance());
        Governor governor = new Governor(policy(List.of(), new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0))), List.of(cart));
        GovernorState state = consenting(governor, ALICE);
        long night = Instant.parse("2026-11-02T13:00:00Z").toEpochMilli(); // 22:00 in Tokyo
        state = governor.decide(state, List.of(candidate(governor, cart, ALICE, night)), night, TOKYO, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.DEFERRED);
        assertThat(out.last().getDeferredUntil()).isEqualTo(Instant.parse("2026-11-02T23:00:00Z")); // 08:00 in Tokyo

        state = governor.onSuppression(state, Governor.suppressionOf(engagement(ALICE, night + HOUR,
                EngagementType.UNSUBSCRIBED)), night + HOUR, "engagement-x", out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.SUPPRESSED);
        assertThat(out.last().getDecidedAt().toEpochMilli()).as("at once, not at the end of the quiet hours").isEqualTo(night + HOUR);
        assertThat(state.getWaiting()).isEmpty();

        long morning = Instant.parse("2026-11-03T03:00:00Z").toEpochMilli();
        state = governor.decide(state, List.of(candidate(governor, cart, ALICE, morning)), morning, TOKYO, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.SUPPRESSED);
        assertThat(out.last().getRule()).isEqualTo("suppression.unsubscribed");
        assertThat(out.commands).isEmpty();
    }

    @Test
    void aHardBounceStopsTransactionalMailTooAnUnsubscribeDoesNot() {
        Scenario shipped = cart("post-purchase", 50, new Governance(false, Set.of("shipped"), List.of(),
                Governance.WhenCapped.DROP, Governance.DEFAULT_MAX_DELAY, 0, List.of()));
        Governor governor = new Governor(GovernorPolicy.NONE, List.of(shipped));
        GovernorState state = governor.onSuppression(consenting(governor, ALICE), "unsubscribed", T0, "e1", out);
        state = governor.decide(state, List.of(candidate(governor, shipped, ALICE, T0 + 1, "shipped", List.of())), T0 + 1, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.SENT);
        state = governor.onSuppression(state, Governor.HARD_BOUNCE, T0 + 2, "e2", out);
        governor.decide(state, List.of(candidate(governor, shipped, ALICE, T0 + 3, "shipped", List.of())), T0 + 3, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.SUPPRESSED);
        assertThat(out.last().getRule()).isEqualTo("suppression.hard-bounced");
    }

    @Test
    void aFreshOptInAfterAnUnsubscribeLiftsItAnOldConsentDoesNot() {
        Scenario cart = cart("cart", 50, governance());
        Governor governor = new Governor(GovernorPolicy.NONE, List.of(cart));
        GovernorState state = governor.onSuppression(consenting(governor, ALICE), "unsubscribed", T0, "e1", out);
        CustomerProfile sameOldConsent = CustomerProfile.newBuilder(profile(ALICE, T0 + HOUR, true))
                .setConsentTime(Instant.ofEpochMilli(T0 - DAY)).build();
        state = governor.onProfile(state, sameOldConsent, out);
        assertThat(state.getSuppression()).isNotNull();
        state = governor.onProfile(state, profile(ALICE, T0 + 2 * HOUR, true), out);
        assertThat(state.getSuppression()).isNull();
        governor.decide(state, List.of(candidate(governor, cart, ALICE, T0 + 3 * HOUR)), T0 + 3 * HOUR, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.SENT);
    }

    @Test
    void aCapCountsAnySlidingWindowExactlyToItsBoundary() {
        Scenario cart = cart("cart", 50, governance());
        Governor governor = new Governor(policy(List.of(new Cap(1, Duration.ofDays(1))), null), List.of(cart));
        GovernorState state = consenting(governor, ALICE);
        state = governor.decide(state, List.of(candidate(governor, cart, ALICE, T0)), T0, null, out);
        state = governor.decide(state, List.of(candidate(governor, cart, ALICE, T0 + DAY - 1)), T0 + DAY - 1, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.CAPPED);
        assertThat(out.last().getRule()).isEqualTo("cap.global");
        assertThat(out.last().getValues()).containsEntry("cap", "1 per 1d").containsEntry("sent_in_window", "1");
        governor.decide(state, List.of(candidate(governor, cart, ALICE, T0 + DAY)), T0 + DAY, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.SENT);
    }

    @Test
    void everyCapHoldsAtOnceAndAScenarioCapCountsOnlyItsOwnMail() {
        Scenario cart = cart("cart", 50, new Governance(false, Set.of(), List.of(new Cap(1, Duration.ofDays(7))),
                Governance.WhenCapped.DROP, Governance.DEFAULT_MAX_DELAY, 0, List.of()));
        Scenario other = cart("other", 50, governance());
        Governor governor = new Governor(policy(List.of(new Cap(2, Duration.ofDays(1)), new Cap(3, Duration.ofDays(7))), null),
                List.of(cart, other));
        GovernorState state = consenting(governor, ALICE);
        long[] times = {T0, T0 + HOUR, T0 + 2 * HOUR, T0 + DAY + HOUR, T0 + 2 * DAY + HOUR, T0 + 3 * DAY};
        Scenario[] which = {cart, other, other, cart, other, other};
        for (int i = 0; i < times.length; i++) {
            state = governor.decide(state, List.of(candidate(governor, which[i], ALICE, times[i])), times[i], null, out);
        }
        assertThat(out.decisions).extracting(Decision::getOutcome).containsExactly(DecisionOutcome.SENT,
                DecisionOutcome.SENT, DecisionOutcome.CAPPED, DecisionOutcome.CAPPED, DecisionOutcome.SENT,
                DecisionOutcome.CAPPED);
        assertThat(out.decisions.get(2).getRule()).isEqualTo("cap.global"); // 2 per 1d
        assertThat(out.decisions.get(3).getRule()).isEqualTo("cart.cap"); // cart's own 1 per 7d
        assertThat(out.decisions.get(5).getValues()).containsEntry("cap", "3 per 1w");
    }

    @Test
    void higherPriorityWinsWhenCandidatesArriveTogetherAndTiesGoByScenarioId() {
        Scenario low = cart("a-low", 10, governance());
        Scenario high = cart("z-high", 90, governance());
        Scenario alsoHigh = cart("b-high", 90, governance());
        Governor governor = new Governor(policy(List.of(new Cap(1, Duration.ofDays(1))), null), List.of(low, high, alsoHigh));
        GovernorState state = consenting(governor, ALICE);
        governor.decide(state, List.of(candidate(governor, low, ALICE, T0), candidate(governor, high, ALICE, T0),
                candidate(governor, alsoHigh, ALICE, T0)), T0, null, out);
        assertThat(out.commands).singleElement().extracting(SendCommand::getScenarioId).isEqualTo("b-high");
        assertThat(out.decisions).filteredOn(d -> d.getOutcome() == DecisionOutcome.LOST_PRIORITY)
                .extracting(Decision::getScenarioId).containsExactly("z-high", "a-low");
        assertThat(out.decisions).filteredOn(d -> d.getOutcome() == DecisionOutcome.LOST_PRIORITY)
                .allSatisfy(d -> assertThat(d.getReason()).contains("lost to b-high"));
    }

    @Test
    void aLoserThatDefersGoesOutWhenTheCapAllowsElseGivesUpAfterMaxDelay() {
        Scenario winner = cart("winner", 90, governance());
        Scenario patient = cart("patient", 10, new Governance(false, Set.of(), List.of(), Governance.WhenCapped.DEFER,
                Duration.ofHours(30), 0, List.of()));
        Scenario impatient = cart("impatient", 10, new Governance(false, Set.of(), List.of(), Governance.WhenCapped.DEFER,
                Duration.ofHours(12), 0, List.of()));
        Governor governor = new Governor(policy(List.of(new Cap(1, Duration.ofDays(1))), null),
                List.of(winner, patient, impatient));
        GovernorState state = consenting(governor, ALICE);
        state = governor.decide(state, List.of(candidate(governor, winner, ALICE, T0), candidate(governor, patient, ALICE, T0),
                candidate(governor, impatient, ALICE, T0)), T0, null, out);
        assertThat(out.decisions).extracting(Decision::getOutcome).containsExactly(DecisionOutcome.SENT,
                DecisionOutcome.LOST_PRIORITY, DecisionOutcome.DEFERRED);
        Decision deferred = out.decisions.get(2);
        assertThat(deferred.getScenarioId()).isEqualTo("patient");
        assertThat(deferred.getDeferredUntil().toEpochMilli()).isEqualTo(T0 + DAY);
        assertThat(governor.nextWakeUp(state)).hasValue(T0 + DAY);

        state = governor.decide(state, List.of(), T0 + DAY, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.SENT);
        assertThat(out.last().getDecisionId()).isEqualTo(deferred.getDecisionId());
        assertThat(out.last().getDecidedAt().toEpochMilli()).isEqualTo(T0 + DAY);
        assertThat(state.getWaiting()).isEmpty();
    }

    @Test
    void quietHoursDeferToTheirEndInTheCustomersZoneAndCapsAreCheckedAgainThen() {
        Scenario cart = cart("cart", 50, governance());
        Governor governor = new Governor(policy(List.of(new Cap(1, Duration.ofDays(1))),
                new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0))), List.of(cart));
        GovernorState state = consenting(governor, ALICE);
        ZoneId newYork = ZoneId.of("America/New_York");
        long lateEvening = Instant.parse("2026-11-03T03:30:00Z").toEpochMilli(); // 22:30 in New York
        state = governor.decide(state, List.of(candidate(governor, cart, ALICE, lateEvening)), lateEvening, newYork, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.DEFERRED);
        assertThat(out.last().getRule()).isEqualTo("quiet-hours");
        long eight = Instant.parse("2026-11-03T13:00:00Z").toEpochMilli(); // 08:00 EST
        assertThat(out.last().getDeferredUntil().toEpochMilli()).isEqualTo(eight);
        // something else is sent at 08:00 first, by a higher priority candidate of the same instant
        Scenario urgent = cart("urgent", 99, governance());
        governor = new Governor(governor.policy(), List.of(cart, urgent));
        state = governor.decide(state, List.of(candidate(governor, urgent, ALICE, eight)), eight, newYork, out);
        assertThat(out.decisions.subList(1, 3)).extracting(Decision::getScenarioId, Decision::getOutcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("urgent", DecisionOutcome.SENT),
                        org.assertj.core.groups.Tuple.tuple("cart", DecisionOutcome.LOST_PRIORITY));
        assertThat(state.getWaiting()).isEmpty();
    }

    @Test
    void quietHoursEndAtTheLocalTimeAcrossDaylightSavingChanges() {
        QuietHours night = new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0));
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        // spring forward: the night of 28/29 March 2026 has 23 hours; 08:00 CEST is 06:00 UTC
        assertThat(night.endAfter(Instant.parse("2026-03-28T21:00:00Z"), berlin)).isEqualTo(Instant.parse("2026-03-29T06:00:00Z"));
        // fall back: the night of 24/25 October 2026 has 25 hours; 08:00 CET is 07:00 UTC
        assertThat(night.endAfter(Instant.parse("2026-10-24T21:00:00Z"), berlin)).isEqualTo(Instant.parse("2026-10-25T07:00:00Z"));
        // 01:30 local twice on the fall-back night: both inside
        assertThat(night.contains(Instant.parse("2026-10-24T23:30:00Z"), berlin)).isTrue();
        assertThat(night.contains(Instant.parse("2026-10-25T00:30:00Z"), berlin)).isTrue();
        // an end inside the spring-forward gap (02:30 does not exist) moves forward to 03:30 CEST
        QuietHours toGap = new QuietHours(LocalTime.of(22, 0), LocalTime.of(2, 30));
        assertThat(toGap.endAfter(Instant.parse("2026-03-28T22:00:00Z"), berlin)).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
        // outside: unchanged; a window within one day
        assertThat(night.endAfter(Instant.parse("2026-03-29T10:00:00Z"), berlin)).isEqualTo(Instant.parse("2026-03-29T10:00:00Z"));
        QuietHours lunch = new QuietHours(LocalTime.of(12, 0), LocalTime.of(13, 0));
        assertThat(lunch.endAfter(Instant.parse("2026-11-02T03:10:00Z"), TOKYO)).isEqualTo(Instant.parse("2026-11-02T04:00:00Z"));
        assertThat(lunch.contains(Instant.parse("2026-11-02T04:00:00Z"), TOKYO)).isFalse();
    }

    @Test
    void aWaitingMailGoesStaleWhenTheCartIsBoughtOrTheRestockedItemRunsOutAgain() {
        Scenario cart = cart("cart", 50, governance());
        RestockScenario restock = new RestockScenario("restock", 1, "", true, Duration.ofDays(30), true, true, true,
                "restock", ScenarioPolicy.defaultFor(RestockScenario.KIND));
        Governor governor = new Governor(policy(List.of(), new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0))),
                List.of(cart, restock));
        long night = Instant.parse("2026-11-02T13:00:00Z").toEpochMilli();
        ItemLine tea = new ItemLine(Product.newBuilder().setProductId("tea").setName("tea").setUnitPriceMinor(100L).build(), 1);
        GovernorState state = consenting(governor, ALICE);
        state = governor.decide(state, List.of(candidate(governor, cart, ALICE, night),
                candidate(governor, restock, ALICE, night, "restock", List.of(tea))), night, TOKYO, out);
        assertThat(out.decisions).extracting(Decision::getOutcome).containsOnly(DecisionOutcome.DEFERRED);

        state = governor.onOrder(state, order(ALICE, night + HOUR, 5000, "cup"), out);
        assertThat(out.last().getScenarioId()).isEqualTo("cart");
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.STALE);
        assertThat(out.last().getRule()).isEqualTo("freshness.purchase");
        assertThat(state.getWaiting()).hasSize(1).allMatch(waiting -> waiting.getCommand().getScenarioId().equals("restock"));

        state = governor.onStockOut(state, new StockOut(ALICE, "tea", "stock-1", night + 2 * HOUR), out);
        assertThat(out.last().getScenarioId()).isEqualTo("restock");
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.STALE);
        assertThat(out.last().getRule()).isEqualTo("freshness.stock");
        assertThat(state.getWaiting()).isEmpty();
        assertThat(out.commands).isEmpty();
    }

    @Test
    void consentWithdrawnWhileASendWaitsEndsItAtOnce() {
        Scenario cart = cart("cart", 50, governance());
        Governor governor = new Governor(policy(List.of(), new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0))), List.of(cart));
        long night = Instant.parse("2026-11-02T13:00:00Z").toEpochMilli();
        GovernorState state = governor.decide(consenting(governor, ALICE), List.of(candidate(governor, cart, ALICE, night)),
                night, TOKYO, out);
        state = governor.onProfile(state, profile(ALICE, night + HOUR, false), out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.NO_CONSENT);
        assertThat(out.last().getReason()).contains("withdrawn while the send waited");
        assertThat(state).isNull();
    }

    @Test
    void aWaitingSendKeepsItsCommandAndReasonAndGoesOutAsOneAnOlderVersionKeptWithItsWholeRecord() throws Exception {
        Scenario cart = cart("cart", 50, governance());
        Governor governor = new Governor(policy(List.of(), new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0))), List.of(cart));
        long night = Instant.parse("2026-11-02T13:00:00Z").toEpochMilli(); // 22:00 in Tokyo
        Governor.Proposal proposal = candidate(governor, cart, ALICE, night, "reminder",
                List.of(new ItemLine(Product.newBuilder().setProductId("tea").setName("Sencha").build(), 2)));
        GovernorState waiting = governor.decide(consenting(governor, ALICE), List.of(proposal), night, TOKYO, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.DEFERRED);
        WaitingSend kept = waiting.getWaiting().get(0);
        assertThat(kept.getDecision()).as("the record so far follows from the command").isNull();
        assertThat(kept.getReason()).isEqualTo("cart left 2h ago");

        // as versions before this one kept it, the whole record, in their schema; restored as Flink restores it
        Schema older = olderWaitingSendSchema();
        GovernorState asThen = GovernorState.newBuilder(waiting).build();
        asThen.getWaiting().get(0).setDecision(proposal.decision());
        asThen.getWaiting().get(0).setReason(null);
        var written = new java.io.ByteArrayOutputStream();
        var encoder = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(written, null);
        new org.apache.avro.specific.SpecificDatumWriter<GovernorState>(older).write(asThen, encoder);
        assertThat(org.apache.avro.SchemaCompatibility.checkReaderWriterCompatibility(GovernorState.getClassSchema(), older)
                .getType()).isEqualTo(org.apache.avro.SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        GovernorState restored = new org.apache.avro.specific.SpecificDatumReader<GovernorState>(older,
                GovernorState.getClassSchema()).read(null, org.apache.avro.io.DecoderFactory.get()
                .binaryDecoder(written.toByteArray(), null)); // as the state serializer reads what an older schema wrote
        assertThat(restored.getWaiting().get(0).getDecision()).isEqualTo(proposal.decision());

        long eight = Instant.parse("2026-11-02T23:00:00Z").toEpochMilli(); // 08:00 in Tokyo
        Recorder fromToday = new Recorder();
        Recorder fromThen = new Recorder();
        governor.decide(waiting, List.of(), eight, TOKYO, fromToday);
        governor.decide(restored, List.of(), eight, TOKYO, fromThen);
        assertThat(fromToday.decisions).singleElement().satisfies(sent -> {
            assertThat(sent.getOutcome()).isEqualTo(DecisionOutcome.SENT);
            assertThat(sent.getReason()).isEqualTo("cart left 2h ago");
            assertThat(sent.getItemCount()).isEqualTo(1);
            assertThat(sent.getTriggerTime().toEpochMilli()).isEqualTo(night);
        });
        assertThat(fromToday.decisions).as("the same record either way").isEqualTo(fromThen.decisions);
        assertThat(fromToday.commands).hasSize(1).isEqualTo(fromThen.commands);

        var serializer = new AvroBinarySerializer<>(GovernorState.class);
        var now = new org.apache.flink.core.memory.DataOutputSerializer(256);
        serializer.serialize(waiting, now);
        assertThat(now.length()).as("bytes kept for the waiting send, against %d as before", written.size())
                .isLessThan(written.size() / 2); // 71 against 329 when written
    }

    /** Today's schema of the governor's state with a waiting send as versions before 'reason' wrote it. */
    static Schema olderWaitingSendSchema() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = mapper.readTree(GovernorState.getClassSchema().toString());
        for (var field : root.get("fields")) {
            if (field.get("name").asText().equals("waiting")) {
                var fields = (com.fasterxml.jackson.databind.node.ArrayNode) field.get("type").get("items").get("fields");
                for (int i = fields.size() - 1; i >= 0; i--) {
                    var waitingField = (com.fasterxml.jackson.databind.node.ObjectNode) fields.get(i);
                    if (waitingField.get("name").asText().equals("reason")) {
                        fields.remove(i);
                    } else if (waitingField.get("name").asText().equals("decision")) {
                        waitingField.set("type", waitingField.get("type").get(1)); // the record, not null
                        waitingField.remove("default");
                    }
                }
            }
        }
        return new Schema.Parser().parse(mapper.writeValueAsString(root));
    }

    @Test
    void holdoutsAndTheControlGroupTakeTheirShareByAStableHash() {
        Scenario cart = cart("cart", 50, new Governance(false, Set.of(), List.of(), Governance.WhenCapped.DROP,
                Governance.DEFAULT_MAX_DELAY, 0.10, List.of()));
        GovernorPolicy withControl = new GovernorPolicy(List.of(), null, ZoneOffset.UTC, 0.05, "salt-1", Duration.ofDays(7));
        Governor governor = new Governor(withControl, List.of(cart));
        int customers = 20_000;
        int held = 0;
        int control = 0;
        List<DecisionOutcome> first = new ArrayList<>();
        for (int i = 0; i < customers; i++) {
            String customer = "c" + i;
            Recorder recorder = new Recorder();
            GovernorState state = governor.onProfile(null, profile(customer, T0 - DAY, true), recorder);
            governor.decide(state, List.of(candidate(governor, cart, customer, T0)), T0, null, recorder);
            Decision decision = recorder.last();
            first.add(decision.getOutcome());
            if (decision.getOutcome() == DecisionOutcome.HELD_OUT) {
                if (decision.getRule().equals("control-group")) {
                    control++;
                } else {
                    assertThat(decision.getRule()).isEqualTo("cart.holdout");
                    held++;
                }
            }
        }
        assertThat(control / (double) customers).isCloseTo(0.05, within(0.006));
        assertThat(held / (double) (customers - control)).isCloseTo(0.10, within(0.008));
        // the same customer is assigned the same way by another instance (a restart, another parallelism)
        Governor again = new Governor(withControl, List.of(cart));
        Governor otherSalt = new Governor(new GovernorPolicy(List.of(), null, ZoneOffset.UTC, 0.05, "salt-2",
                Duration.ofDays(7)), List.of(cart));
        int same = 0;
        int moved = 0;
        for (int i = 0; i < 2000; i++) {
            String customer = "c" + i;
            Recorder recorder = new Recorder();
            again.decide(again.onProfile(null, profile(customer, T0 - DAY, true), recorder),
                    List.of(candidate(again, cart, customer, T0 + DAY)), T0 + DAY, null, recorder);
            same += recorder.last().getOutcome() == first.get(i) ? 1 : 0;
            Recorder salted = new Recorder();
            otherSalt.decide(otherSalt.onProfile(null, profile(customer, T0 - DAY, true), salted),
                    List.of(candidate(otherSalt, cart, customer, T0)), T0, null, salted);
            moved += salted.last().getOutcome() != first.get(i) ? 1 : 0;
        }
        assertThat(same).isEqualTo(2000);
        assertThat(moved).as("a new salt draws afresh").isGreaterThan(100);
    }

    @Test
    void variantsSplitByWeightAndTheVariantIsOnTheCommandAndTheRecord() {
        Scenario cart = cart("cart", 50, new Governance(false, Set.of(), List.of(), Governance.WhenCapped.DROP,
                Governance.DEFAULT_MAX_DELAY, 0, List.of(new Variant("a", 1, "cart-abandonment"),
                new Variant("b", 3, "cart-abandonment-b"))));
        Governor governor = new Governor(GovernorPolicy.NONE, List.of(cart));
        int b = 0;
        for (int i = 0; i < 8000; i++) {
            Recorder recorder = new Recorder();
            String customer = "c" + i;
            governor.decide(governor.onProfile(null, profile(customer, T0 - DAY, true), recorder),
                    List.of(candidate(governor, cart, customer, T0)), T0, null, recorder);
            SendCommand command = recorder.commands.get(0);
            assertThat(recorder.last().getVariant()).isEqualTo(command.getVariant());
            assertThat(command.getTemplate()).isEqualTo(command.getVariant().equals("a") ? "cart-abandonment" : "cart-abandonment-b");
            b += command.getVariant().equals("b") ? 1 : 0;
        }
        assertThat(b / 8000.0).isCloseTo(0.75, within(0.02));
    }

    @Test
    void anOrderIsCreditedToTheLastTouchWithinTheWindow() {
        Scenario first = cart("first", 50, governance());
        Scenario second = cart("second", 50, new Governance(false, Set.of(), List.of(), Governance.WhenCapped.DROP,
                Governance.DEFAULT_MAX_DELAY, 0.999, List.of()));
        Governor governor = new Governor(GovernorPolicy.NONE, List.of(first, second));
        GovernorState state = consenting(governor, ALICE);
        state = governor.decide(state, List.of(candidate(governor, first, ALICE, T0)), T0, null, out);
        state = governor.onOrder(state, order(ALICE, T0 + HOUR, 3200, "tea"), out);
        assertThat(out.conversions).singleElement().satisfies(conversion -> {
            assertThat(conversion.getScenarioId()).isEqualTo("first");
            assertThat(conversion.getGroup()).isEqualTo(ConversionGroup.TREATMENT);
            assertThat(conversion.getAmountMinor()).isEqualTo(3200);
            assertThat(conversion.getDecisionId()).isEqualTo(out.commands.get(0).getSendId());
            assertThat(conversion.getRule()).isEqualTo("last-touch within 1w");
        });
        state = governor.decide(state, List.of(candidate(governor, second, ALICE, T0 + 2 * HOUR)), T0 + 2 * HOUR, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.HELD_OUT);
        state = governor.onOrder(state, order(ALICE, T0 + 3 * HOUR, 1000, "cup"), out);
        assertThat(out.conversions.get(1).getScenarioId()).isEqualTo("second");
        assertThat(out.conversions.get(1).getGroup()).isEqualTo(ConversionGroup.HOLDOUT);
        // after the window: no credit, and the touches are forgotten
        state = governor.expire(state, T0 + 2 * HOUR + Duration.ofDays(7).toMillis() + 1);
        governor.onOrder(state, order(ALICE, T0 + 8 * DAY, 1000, "cup"), out);
        assertThat(out.conversions).hasSize(2);
    }

    @Test
    void stateIsForgottenOnceTheWindowsPassOnlyConsentStays() {
        Scenario cart = cart("cart", 50, governance());
        Governor governor = new Governor(policy(List.of(new Cap(3, Duration.ofDays(30))), null), List.of(cart));
        GovernorState state = governor.decide(consenting(governor, ALICE), List.of(candidate(governor, cart, ALICE, T0)),
                T0, null, out);
        assertThat(state.getSent()).as("within the attribution window a send is kept as its touch").isEmpty();
        assertThat(state.getTouches()).hasSize(1);
        assertThat(governor.nextWakeUp(state)).hasValue(T0 + Duration.ofDays(7).toMillis() + 1);
        state = governor.expire(state, T0 + Duration.ofDays(7).toMillis() + 1);
        assertThat(state.getTouches()).isEmpty();
        assertThat(state.getSent()).as("still counted for the 30-day cap").extracting(CountedSend::getTime).containsExactly(T0);
        assertThat(governor.nextWakeUp(state)).hasValue(T0 + Duration.ofDays(30).toMillis());
        state = governor.expire(state, T0 + Duration.ofDays(30).toMillis());
        assertThat(state.getSent()).isEmpty();
        assertThat(state.getConsent()).isNotNull();
        assertThat(governor.nextWakeUp(state)).isEmpty();
        assertThat(governor.onProfile(state, profile(ALICE, T0 + 31 * DAY, false), out)).isNull();
    }

    @Test
    void aCustomerWithOnlyConsentHoldsNoListsOfItsOwnAndASendNeverChangesTheStateItWasGiven() {
        Scenario cart = cart("cart", 50, governance());
        Governor governor = new Governor(policy(List.of(new Cap(3, Duration.ofDays(30))), null), List.of(cart));
        GovernorState consenting = consenting(governor, ALICE);
        // a million customers on the heap backend: empty lists shared, the consent source one string
        assertThat(consenting.getSent()).isSameAs(List.of());
        assertThat(consenting.getWaiting()).isSameAs(List.of());
        assertThat(consenting.getTouches()).isSameAs(List.of());
        assertThat(consenting(governor, "bob").getConsent().getSource())
                .isSameAs(consenting.getConsent().getSource());

        List<Touch> touchesOfConsent = consenting.getTouches();
        GovernorState sent = governor.decide(consenting, List.of(candidate(governor, cart, ALICE, T0)), T0, null, out);
        assertThat(sent.getTouches()).hasSize(1);
        assertThat(touchesOfConsent).as("the list the state had is not changed in place").isEmpty();
        List<Touch> touchesBefore = sent.getTouches();
        List<CountedSend> sentBefore = sent.getSent();
        GovernorState later = governor.expire(sent, T0 + Duration.ofDays(7).toMillis() + 1);
        assertThat(later.getTouches()).isSameAs(List.of());
        assertThat(later.getSent()).hasSize(1);
        assertThat(touchesBefore).hasSize(1);
        assertThat(sentBefore).isEmpty();
    }

    @Test
    void aSendIsKeptOnceAsItsTouchAndCountsForACapLongerThanTheAttributionWindowAfterItsTouchIsGone() {
        Scenario cart = cart("cart", 50, governance());
        Governor governor = new Governor(policy(List.of(new Cap(2, Duration.ofDays(30))), null), List.of(cart));
        GovernorState state = governor.decide(consenting(governor, ALICE), List.of(candidate(governor, cart, ALICE, T0)),
                T0, null, out);
        assertThat(state.getSent()).isEmpty();
        assertThat(state.getTouches()).singleElement().satisfies(touch ->
                assertThat(touch.getDecisionId().remaining()).as("the send id's 16 bytes").isEqualTo(16));
        long eightDays = T0 + 8 * DAY; // past the 7-day attribution window
        state = governor.decide(state, List.of(candidate(governor, cart, ALICE, eightDays)), eightDays, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.SENT);
        assertThat(state.getSent()).extracting(CountedSend::getTime).containsExactly(T0);
        assertThat(state.getTouches()).extracting(Touch::getTime).containsExactly(eightDays);
        state = governor.decide(state, List.of(candidate(governor, cart, ALICE, T0 + 9 * DAY)), T0 + 9 * DAY, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.CAPPED);
        assertThat(out.last().getValues()).containsEntry("sent_in_window", "2");
        governor.decide(state, List.of(candidate(governor, cart, ALICE, T0 + 30 * DAY)), T0 + 30 * DAY, null, out);
        assertThat(out.last().getOutcome()).as("the first send has left the 30 days").isEqualTo(DecisionOutcome.SENT);
    }

    @Test
    void aStateAnOlderVersionKeptWithEachSendTwiceCountsEachOnceAndCreditsOrdersToTheSameDecision() throws Exception {
        Scenario cart = cart("cart", 50, governance());
        Governor governor = new Governor(policy(List.of(new Cap(2, Duration.ofDays(30))), null), List.of(cart));
        GovernorState consenting = consenting(governor, ALICE);
        String sendId = SendIds.of("cart", 1, ALICE, "trigger-older", "reminder");

        // as versions before kept one send: in 'sent' and as its touch, whose decision id was text
        Schema older = olderSendsSchema();
        Schema touchSchema = older.getField("touches").schema().getElementType();
        GenericData.Record touch = new GenericData.Record(touchSchema);
        touch.put("time", T0);
        touch.put("decision_id", sendId);
        touch.put("scenario_id", "cart");
        touch.put("scenario_version", 1);
        touch.put("variant", null);
        touch.put("group", new GenericData.EnumSymbol(touchSchema.getField("group").schema(), "TREATMENT"));
        GenericData.Record counted = new GenericData.Record(older.getField("sent").schema().getElementType());
        counted.put("time", T0);
        counted.put("scenario_id", "cart");
        GenericData.Record consent = new GenericData.Record(older.getField("consent").schema().getTypes().get(1));
        consent.put("given_at", consenting.getConsent().getGivenAt());
        consent.put("source", consenting.getConsent().getSource());
        GenericData.Record asThen = new GenericData.Record(older);
        asThen.put("consent", consent);
        asThen.put("sent", List.of(counted));
        asThen.put("waiting", List.of());
        asThen.put("touches", List.of(touch));
        var written = new java.io.ByteArrayOutputStream();
        var encoder = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(written, null);
        new GenericDatumWriter<GenericData.Record>(older).write(asThen, encoder);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(GovernorState.getClassSchema(), older).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        GovernorState restored = new SpecificDatumReader<GovernorState>(older, GovernorState.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(written.toByteArray(), null));
        assertThat(restored.getSendsAsTouches()).isFalse();

        GovernorState state = governor.decide(restored, List.of(candidate(governor, cart, ALICE, T0 + HOUR)), T0 + HOUR,
                null, out);
        assertThat(out.last().getOutcome()).as("the older send counts once against 2 per 30 days").isEqualTo(DecisionOutcome.SENT);
        assertThat(state.getSent()).isEmpty();
        assertThat(state.getTouches()).hasSize(2);
        state = governor.decide(state, List.of(candidate(governor, cart, ALICE, T0 + 2 * HOUR)), T0 + 2 * HOUR, null, out);
        assertThat(out.last().getOutcome()).isEqualTo(DecisionOutcome.CAPPED);
        assertThat(out.last().getValues()).containsEntry("sent_in_window", "2");

        GovernorState oneOlderSend = new SpecificDatumReader<GovernorState>(older, GovernorState.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(written.toByteArray(), null));
        governor.onOrder(oneOlderSend, order(ALICE, T0 + 30 * 60_000L, 900, "tea"), out);
        assertThat(out.conversions).singleElement().satisfies(conversion ->
                assertThat(conversion.getDecisionId()).isEqualTo(sendId));

        GovernorState oneSendNow = governor.decide(consenting, List.of(candidate(governor, cart, ALICE, T0)), T0, null, out);
        var now = new org.apache.flink.core.memory.DataOutputSerializer(256);
        new AvroBinarySerializer<>(GovernorState.class).serialize(oneSendNow, now);
        assertThat(now.length()).as("bytes for consent and one send, against %d as before", written.size())
                .isLessThanOrEqualTo(written.size() - 20); // 56 against 83 when written
    }

    /** Today's schema of the governor's state as versions before 'sends_as_touches' wrote it. */
    static Schema olderSendsSchema() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(GovernorState.getClassSchema().toString());
        var fields = (com.fasterxml.jackson.databind.node.ArrayNode) root.get("fields");
        for (int i = fields.size() - 1; i >= 0; i--) {
            if (fields.get(i).get("name").asText().equals("sends_as_touches")) {
                fields.remove(i);
            } else if (fields.get(i).get("name").asText().equals("touches")) {
                for (var touchField : fields.get(i).get("type").get("items").get("fields")) {
                    if (touchField.get("name").asText().equals("decision_id")) {
                        ((com.fasterxml.jackson.databind.node.ObjectNode) touchField).put("type", "string");
                    }
                }
            }
        }
        return new Schema.Parser().parse(mapper.writeValueAsString(root));
    }
}
