package io.lifecyclemail.decision.govern;

import io.lifecyclemail.common.suppression.SuppressionRules;
import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.SendIds;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.CandidateDecision;
import io.lifecyclemail.decision.detect.PassiveDetector;
import io.lifecyclemail.decision.detect.StateValues;
import io.lifecyclemail.decision.scenario.Cap;
import io.lifecyclemail.decision.scenario.Governance;
import io.lifecyclemail.decision.scenario.GovernorPolicy;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.Variant;
import io.lifecyclemail.schema.Conversion;
import io.lifecyclemail.schema.ConversionGroup;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.ConsentGiven;
import io.lifecyclemail.state.CountedSend;
import io.lifecyclemail.state.GovernorState;
import io.lifecyclemail.state.StockOut;
import io.lifecyclemail.state.Suppression;
import io.lifecyclemail.state.Touch;
import io.lifecyclemail.state.WaitingSend;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The one place that decides who gets mail, free of Flink: every candidate that passed its scenario's
 * own rules (audience, content, re-entry) comes here, and leaves as exactly one final decision:
 * SENT, HELD_OUT, SUPPRESSED, NO_CONSENT, CAPPED, LOST_PRIORITY or STALE; a send that has to wait
 * (quiet hours, a cap with {@code whenCapped: defer}) gets a DEFERRED record first, and is kept in
 * the customer's state until it is tried again.
 *
 * <p>Rules in order, for a candidate at time {@code now}: suppression; consent (marketing only);
 * quiet hours (defer to their end, never drop); caps, global then the scenario's (candidates of one
 * instant in priority order, so the winner counts against the loser); holdout (global control group,
 * then the scenario's holdout); then the A/B variant, and the send. Transactional steps skip consent,
 * quiet hours, caps and holdouts, and are stopped only by a hard bounce.
 *
 * <p>A {@link PassiveDetector} (like the re-entry gate), so that the caller keeps its state and wake-ups.
 */
public final class Governor implements PassiveDetector<GovernorState> {
    private static final long serialVersionUID = 1L;

    /** Candidates of one instant, and sends waiting, are tried in this order. */
    static final Comparator<Proposal> PRIORITY_ORDER = Comparator
            .comparingInt((Proposal proposal) -> -proposal.priority())
            .thenComparingLong(proposal -> proposal.command().getTriggerTime().toEpochMilli())
            .thenComparing(proposal -> proposal.command().getScenarioId())
            .thenComparing(proposal -> proposal.command().getStep())
            .thenComparing(proposal -> proposal.command().getSendId());

    public static final String HARD_BOUNCE = SuppressionRules.HARD_BOUNCE;

    private final GovernorPolicy policy;
    private final Map<String, Scenario> scenarios;
    private final long longestCapMillis;

    public Governor(GovernorPolicy policy, List<Scenario> scenarios) {
        this.policy = policy;
        this.scenarios = new HashMap<>();
        long longest = policy.caps().stream().mapToLong(cap -> cap.per().toMillis()).max().orElse(0);
        for (Scenario scenario : scenarios) {
            this.scenarios.put(scenario.id(), scenario);
            for (Cap cap : scenario.policy().governance().caps()) {
                longest = Math.max(longest, cap.per().toMillis());
            }
        }
        this.longestCapMillis = longest;
    }

    public GovernorPolicy policy() {
        return policy;
    }

    /** Where the governor's decisions go. */
    public interface Out {
        void decision(Decision decision);

        void command(SendCommand command);

        void conversion(Conversion conversion);
    }

    /**
     * A candidate that its scenario's rules admitted: the send it would be, and the record so far.
     *
     * @param staleOnOrder a purchase before it goes out makes it pointless
     * @param products only a purchase (or stock-out) of these makes it stale; empty: any purchase
     * @param scenario the scenario as configured when it fired; null for a send that waited (looked up by id then)
     */
    public record Proposal(SendCommand command, Decision decision, int priority, long giveUpAt, boolean staleOnOrder,
                           List<String> products, Scenario scenario) {
        static Proposal of(WaitingSend waiting) {
            Decision decision = waiting.getDecision() != null ? waiting.getDecision() // as older versions kept it
                    : CandidateDecision.admitted(waiting.getCommand(), waiting.getReason());
            return new Proposal(waiting.getCommand(), decision, waiting.getPriority(),
                    waiting.getGiveUpAt(), waiting.getStaleOnOrder(), List.copyOf(waiting.getProducts()), null);
        }

        Proposal withCommand(SendCommand other) {
            return new Proposal(other, decision, priority, giveUpAt, staleOnOrder, products, scenario);
        }
    }

    /** The proposal for a candidate its scenario admitted ({@code command} and {@code decision} as built for it). */
    public Proposal propose(Candidate candidate, SendCommand command, Decision decision) {
        Scenario scenario = candidate.scenario();
        Freshness rule = Freshness.of(scenario.kind());
        List<String> products = rule.aboutItems()
                ? candidate.items().stream().map(ItemLine::getProduct).map(product -> product.getProductId()).toList()
                : List.of();
        return new Proposal(command, decision, scenario.policy().priority(),
                scenario.policy().governance().giveUpAt(candidate.triggerTime()), rule != Freshness.NONE, products, scenario);
    }

    // ---- inputs ----

    /** Consent from the profile; a withdrawal ends every marketing send still waiting, at once. */
    public GovernorState onProfile(GovernorState state, CustomerProfile profile, Out out) {
        long time = profile.getEventTime().toEpochMilli();
        GovernorState next = orEmpty(state);
        if (profile.getMarketingConsent() && !profile.getErased()) {
            long givenAt = profile.getConsentTime() == null ? time : profile.getConsentTime().toEpochMilli();
            next.setConsent(new ConsentGiven(givenAt, StateValues.shared(
                    profile.getConsentSource() == null ? "" : profile.getConsentSource())));
            Suppression suppression = next.getSuppression();
            if (suppression != null && SuppressionRules.liftedBy(givenAt, suppression.getTime())) {
                next.setSuppression(null); // opted in again after it: a fresh, explicit consent lifts it
            }
        } else {
            next.setConsent(null);
            finishWaiting(next, waiting -> !waiting.getCommand().getTransactional(), time, out, DecisionOutcome.NO_CONSENT,
                    "consent.marketing", profile.getErased() ? "the profile was erased while the send waited"
                            : "consent to marketing mail was withdrawn while the send waited", Map.of());
        }
        return emptyToNull(next);
    }

    /** The suppression an engagement event asks for, if any (unsubscribed, complained, bounced). */
    public static String suppressionOf(EngagementEvent event) {
        return SuppressionRules.reasonOf(event);
    }

    /** The suppression a delivery result asks for: a permanent refusal by the receiving server. */
    public static String suppressionOf(DeliveryResult result) {
        return SuppressionRules.reasonOf(result);
    }

    /**
     * Suppresses the customer from {@code time}: every send still waiting ends now (transactional
     * ones too on a hard bounce: the address is dead).
     */
    public GovernorState onSuppression(GovernorState state, String reason, long time, String eventId, Out out) {
        GovernorState next = orEmpty(state);
        Suppression current = next.getSuppression();
        if (current == null || HARD_BOUNCE.equals(reason) && !HARD_BOUNCE.equals(current.getReason())) {
            next.setSuppression(new Suppression(reason, time, eventId));
        }
        boolean all = HARD_BOUNCE.equals(reason);
        finishWaiting(next, waiting -> all || !waiting.getCommand().getTransactional(), time, out,
                DecisionOutcome.SUPPRESSED, "suppression." + reason, "the customer " + reason + " (" + eventId
                        + ") while the send waited", Map.of("suppression", reason, "suppressed_by", eventId));
        return emptyToNull(next);
    }

    /**
     * A placed order: credited to the last send or holdout within the attribution window
     * (last touch), and it makes pointless the waiting sends it answers (the cart was bought).
     */
    public GovernorState onOrder(GovernorState state, OrderEvent order, Out out) {
        if (state == null || order.getType() != OrderEventType.PLACED) {
            return state;
        }
        long time = order.getEventTime().toEpochMilli();
        long window = policy.attributionWindow().toMillis();
        Touch last = null;
        for (Touch touch : state.getTouches()) {
            if (touch.getTime() <= time && time - touch.getTime() <= window
                    && (last == null || touch.getTime() >= last.getTime())) {
                last = touch;
            }
        }
        if (last != null) {
            out.conversion(Conversion.newBuilder()
                    .setConversionId(order.getEventId())
                    .setCustomerId(order.getCustomerId())
                    .setOrderId(order.getOrderId())
                    .setOrderTime(order.getEventTime())
                    .setAmountMinor(order.getTotalMinor() == null ? 0 : order.getTotalMinor())
                    .setCurrency(order.getCurrency())
                    .setScenarioId(last.getScenarioId())
                    .setScenarioVersion(last.getScenarioVersion())
                    .setVariant(last.getVariant())
                    .setGroup(last.getGroup())
                    .setDecisionId(SendIds.fromBytes(last.getDecisionId()))
                    .setTouchTime(Instant.ofEpochMilli(last.getTime()))
                    .setRule("last-touch within " + Durations.format(policy.attributionWindow()))
                    .build());
        }
        List<String> bought = order.getLines().stream().map(line -> line.getProduct().getProductId()).toList();
        finishWaiting(state, waiting -> waiting.getStaleOnOrder()
                        && (waiting.getProducts().isEmpty() || waiting.getProducts().stream().anyMatch(bought::contains)),
                time, out, DecisionOutcome.STALE, "freshness.purchase", "the customer placed order " + order.getOrderId()
                        + " while the send waited", Map.of("order_id", order.getOrderId()));
        return emptyToNull(state);
    }

    /** A product a waiting restock mail is about is out of stock again: the mail is stale. */
    public GovernorState onStockOut(GovernorState state, StockOut stockOut, Out out) {
        if (state == null) {
            return null;
        }
        finishWaiting(state, waiting -> Freshness.of(waiting.getCommand().getScenarioKind()).onStockOut()
                        && waiting.getProducts().contains(stockOut.getProductId()),
                stockOut.getEventTime(), out, DecisionOutcome.STALE, "freshness.stock", stockOut.getProductId()
                        + " is out of stock again (" + stockOut.getEventId() + ") while the send waited",
                Map.of("product_id", stockOut.getProductId()));
        return emptyToNull(state);
    }

    // ---- deciding ----

    /**
     * Decides the candidates of one instant together with the waiting sends due by then. Returns the
     * new state (null when nothing is left).
     *
     * @param zone the customer's time zone, null when the profile has none (the policy's default applies)
     */
    public GovernorState decide(GovernorState state, List<Proposal> fresh, long now, ZoneId zone, Out out) {
        GovernorState next = sendsAsTouches(orEmpty(state));
        List<Proposal> batch = new ArrayList<>(fresh);
        for (WaitingSend waiting : next.getWaiting()) {
            if (waiting.getDue() <= now) {
                batch.add(Proposal.of(waiting));
            }
        }
        next.setWaiting(StateValues.kept(next.getWaiting(), waiting -> waiting.getDue() > now));
        batch.sort(PRIORITY_ORDER);
        ZoneId customerZone = zone == null ? policy.defaultZone() : zone;
        for (Proposal proposal : batch) {
            decideOne(next, proposal, now, customerZone, out);
        }
        return expire(next, now);
    }

    private void decideOne(GovernorState state, Proposal proposal, long now, ZoneId zone, Out out) {
        SendCommand command = proposal.command();
        Scenario scenario = proposal.scenario() != null ? proposal.scenario() : scenarios.get(command.getScenarioId());
        if (scenario == null) {
            out.decision(finalRecord(proposal, DecisionOutcome.STALE, "scenario.removed", "scenario "
                    + command.getScenarioId() + " is no longer enabled", now, Map.of()));
            return;
        }
        Governance governance = scenario.policy().governance();
        boolean transactional = governance.isTransactional(command.getStep());
        Suppression suppression = state.getSuppression();
        if (suppression != null && SuppressionRules.stops(suppression.getReason(), transactional)) {
            out.decision(finalRecord(proposal, DecisionOutcome.SUPPRESSED, "suppression." + suppression.getReason(),
                    "the customer " + suppression.getReason() + " at " + Instant.ofEpochMilli(suppression.getTime())
                            + " (" + suppression.getSourceEventId() + ")", now,
                    Map.of("suppression", suppression.getReason(), "suppressed_by", suppression.getSourceEventId())));
            return;
        }
        if (transactional) {
            send(state, proposal, scenario, true, now, out);
            return;
        }
        if (state.getConsent() == null) {
            out.decision(finalRecord(proposal, DecisionOutcome.NO_CONSENT, "consent.marketing",
                    "the profile records no opt-in to marketing mail", now, Map.of()));
            return;
        }
        if (policy.quietHours() != null && policy.quietHours().contains(Instant.ofEpochMilli(now), zone)) {
            long end = policy.quietHours().endAfter(Instant.ofEpochMilli(now), zone).toEpochMilli();
            defer(state, proposal, end, "quiet-hours", "it is " + Instant.ofEpochMilli(now).atZone(zone).toLocalTime()
                    + " in " + zone + ", inside the quiet hours " + policy.quietHours() + "; deferred to their end",
                    now, Map.of("quiet_hours", policy.quietHours().toString(), "zone", zone.getId()), out);
            return;
        }
        Blocked blocked = firstBlockingCap(state, command.getScenarioId(), policy.caps(), now, null);
        if (blocked == null) {
            blocked = firstBlockingCap(state, command.getScenarioId(), governance.caps(), now, command.getScenarioId());
        }
        if (blocked != null) {
            String winner = blocked.winnerNow(); // a send of this same instant, tried first
            DecisionOutcome outcome = winner == null ? DecisionOutcome.CAPPED : DecisionOutcome.LOST_PRIORITY;
            String rule = winner == null ? blocked.rule() : "priority";
            String because = winner == null ? blocked.because()
                    : "it lost to " + winner + " (higher priority, or equal priority and first by the tie rule) "
                    + "for the cap " + blocked.cap() + (blocked.scenarioOnly() ? " of " + command.getScenarioId() : "");
            Map<String, String> values = Map.of("cap", blocked.cap().toString(), "sent_in_window",
                    Integer.toString(blocked.count()), "priority", Integer.toString(proposal.priority()));
            if (blocked.freeAt() <= proposal.giveUpAt()) {
                defer(state, proposal, blocked.freeAt(), rule, because + "; deferred until the cap allows it", now, values, out);
            } else {
                out.decision(finalRecord(proposal, outcome, rule, because + "; the scenario says "
                        + governance.describeWhenCapped(), now, values));
            }
            return;
        }
        String customer = command.getCustomerId();
        String variant = variantOf(governance, scenario, customer, command.getTemplate());
        if (policy.controlShare() > 0 && SendIds.unitShare(policy.salt(), "control-group", customer) < policy.controlShare()) {
            holdOut(state, proposal, variant, ConversionGroup.CONTROL, "control-group", "the customer is in the global "
                    + "control group (" + percent(policy.controlShare()) + " of customers get no marketing mail)", now, out);
            return;
        }
        if (governance.holdout() > 0
                && SendIds.unitShare(policy.salt(), scenario.id(), "holdout", customer) < governance.holdout()) {
            holdOut(state, proposal, variant, ConversionGroup.HOLDOUT, scenario.id() + ".holdout", "the customer is in "
                    + scenario.id() + "'s holdout (" + percent(governance.holdout()) + "): would have sent", now, out);
            return;
        }
        if (variant != null) {
            Variant chosen = governance.variants().stream().filter(v -> v.name().equals(variant)).findFirst().orElseThrow();
            command = sharingValues(command, SendCommand::new);
            command.setVariant(variant);
            command.setTemplate(chosen.template());
            proposal = proposal.withCommand(command);
        }
        send(state, proposal, scenario, false, now, out);
    }

    /** The variant a customer gets: only where the scenario's own template would go out (not content by rank). */
    static String variantOf(Governance governance, Scenario scenario, String customer, String template) {
        if (governance.variants().isEmpty() || !template.equals(scenario.template())) {
            return null;
        }
        double share = SendIds.unitShare(scenario.id(), "variant", customer) * governance.totalWeight();
        double upTo = 0;
        for (Variant variant : governance.variants()) {
            upTo += variant.weight();
            if (share < upTo) {
                return variant.name();
            }
        }
        return governance.variants().get(governance.variants().size() - 1).name();
    }

    private void send(GovernorState state, Proposal proposal, Scenario scenario, boolean transactional, long now, Out out) {
        SendCommand command = sharingValues(proposal.command(), SendCommand::new);
        command.setTransactional(transactional);
        Decision record = sharingValues(proposal.decision(), Decision::new);
        record.setOutcome(DecisionOutcome.SENT);
        record.setSendId(command.getSendId());
        record.setVariant(command.getVariant());
        record.setTransactional(transactional);
        record.setDecidedAt(Instant.ofEpochMilli(now));
        record.setDeferredUntil(null);
        if (transactional) {
            record.setRule(scenario.id() + ".transactional");
            record.setReason(proposal.decision().getReason() + "; transactional: no consent, caps, quiet hours or holdout apply");
        } else {
            // counted for the caps as its touch; in 'sent' only once the touch is forgotten (expire)
            state.setTouches(StateValues.appended(state.getTouches(), new Touch(now, SendIds.toBytes(command.getSendId()),
                    command.getScenarioId(), command.getScenarioVersion(), command.getVariant(), ConversionGroup.TREATMENT)));
            ConsentGiven consent = state.getConsent();
            record.setValues(Map.of("consent_given_at", Instant.ofEpochMilli(consent.getGivenAt()).toString(),
                    "consent_source", consent.getSource()));
        }
        out.decision(record);
        out.command(command);
    }

    private void holdOut(GovernorState state, Proposal proposal, String variant, ConversionGroup group, String rule,
                         String because, long now, Out out) {
        SendCommand command = proposal.command();
        state.setTouches(StateValues.appended(state.getTouches(), new Touch(now, SendIds.toBytes(command.getSendId()),
                command.getScenarioId(), command.getScenarioVersion(), variant, group)));
        Decision record = finalRecord(proposal, DecisionOutcome.HELD_OUT, rule, because, now,
                Map.of("group", group.name().toLowerCase()));
        record.setVariant(variant);
        out.decision(record);
    }

    private void defer(GovernorState state, Proposal proposal, long until, String rule, String because, long now,
                       Map<String, String> values, Out out) {
        out.decision(finalRecord(proposal, DecisionOutcome.DEFERRED, rule, because, now, Instant.ofEpochMilli(until),
                values));
        // the record so far follows from the command, but for its reason: the rest is not kept
        state.setWaiting(StateValues.appended(state.getWaiting(), new WaitingSend(proposal.command(), null,
                proposal.priority(), until, proposal.giveUpAt(), proposal.staleOnOrder(), StateValues.compact(proposal.products()),
                proposal.decision().getReason())));
    }

    private static Decision finalRecord(Proposal proposal, DecisionOutcome outcome, String rule, String because, long now,
                                        Map<String, String> values) {
        return finalRecord(proposal, outcome, rule, because, now, null, values);
    }

    /** The candidate's decision record, not sent: why, and until when it is deferred (null: not deferred). */
    private static Decision finalRecord(Proposal proposal, DecisionOutcome outcome, String rule, String because, long now,
                                        Instant deferredUntil, Map<String, String> values) {
        Decision record = sharingValues(proposal.decision(), Decision::new);
        record.setOutcome(outcome);
        record.setSendId(null);
        record.setRule(rule);
        record.setReason(baseReason(proposal) + ", but " + because);
        record.setDecidedAt(Instant.ofEpochMilli(now));
        record.setDeferredUntil(deferredUntil);
        record.setValues(values);
        return record;
    }

    /**
     * A copy of a record that shares its field values (lists, maps, nested records) with it, where a
     * copy builder deep-copies every one of them (about 5 % of the customer stage's time in W1, for the
     * item lines of each mail sent). Only for records whose values are replaced, never changed in place,
     * as the governor's commands and decisions are.
     */
    private static <T extends SpecificRecordBase> T sharingValues(T record, Supplier<T> empty) {
        T copy = empty.get();
        int fields = record.getSchema().getFields().size();
        for (int field = 0; field < fields; field++) {
            copy.put(field, record.get(field));
        }
        return copy;
    }

    /** Why the candidate fired, as its scenario said. */
    private static String baseReason(Proposal proposal) {
        return proposal.decision().getReason();
    }

    /** Ends the waiting sends that match, now, each with a final record. */
    private static void finishWaiting(GovernorState state, Predicate<WaitingSend> ends, long now, Out out,
                                      DecisionOutcome outcome, String rule, String because, Map<String, String> values) {
        if (state.getWaiting().isEmpty()) {
            return;
        }
        for (WaitingSend waiting : state.getWaiting()) {
            if (ends.test(waiting)) {
                out.decision(finalRecord(Proposal.of(waiting), outcome, rule, because, now, values));
            }
        }
        state.setWaiting(StateValues.kept(state.getWaiting(), ends.negate()));
    }

    /**
     * A cap that one more send at {@code now} would break.
     *
     * @param scenarioOnly the scenario's own cap (counts only its sends)
     * @param winnerNow the scenario of a send counted at this very instant (it won by priority), else null
     */
    private record Blocked(Cap cap, int count, long freeAt, String rule, String because, boolean scenarioOnly,
                           String winnerNow) {}

    private Blocked firstBlockingCap(GovernorState state, String scenarioId, List<Cap> caps, long now, String onlyScenario) {
        Blocked worst = null;
        for (Cap cap : caps) {
            long from = now - cap.per().toMillis();
            List<CountedSend> inWindow = new ArrayList<>();
            for (CountedSend sent : state.getSent()) {
                if (sent.getTime() > from && sent.getTime() <= now
                        && (onlyScenario == null || onlyScenario.equals(sent.getScenarioId()))) {
                    inWindow.add(sent);
                }
            }
            for (Touch touch : state.getTouches()) { // the sends within the attribution window
                if (touch.getGroup() == ConversionGroup.TREATMENT && touch.getTime() > from && touch.getTime() <= now
                        && (onlyScenario == null || onlyScenario.equals(touch.getScenarioId()))) {
                    inWindow.add(new CountedSend(touch.getTime(), touch.getScenarioId()));
                }
            }
            if (inWindow.size() < cap.max()) {
                continue;
            }
            inWindow.sort(Comparator.comparingLong(CountedSend::getTime));
            // the window must lose (count - max + 1) sends: it does when the last of those leaves it
            long freeAt = inWindow.get(inWindow.size() - cap.max()).getTime() + cap.per().toMillis();
            // sends are only counted when decided, in event-time order: one at now was decided in this batch
            String winnerNow = inWindow.stream().filter(sent -> sent.getTime() == now).map(CountedSend::getScenarioId)
                    .findFirst().orElse(null);
            String rule = onlyScenario == null ? "cap.global" : scenarioId + ".cap";
            String because = inWindow.size() + " marketing mail(s)" + (onlyScenario == null ? "" : " of " + scenarioId)
                    + " already sent within " + Durations.format(cap.per()) + ", the cap is " + cap;
            if (worst == null || freeAt > worst.freeAt()) {
                worst = new Blocked(cap, inWindow.size(), freeAt, rule, because, onlyScenario != null, winnerNow);
            }
        }
        return worst;
    }

    private static String percent(double share) {
        return Math.round(share * 1000) / 10.0 + " %";
    }

    private static GovernorState orEmpty(GovernorState state) {
        return state != null ? state : new GovernorState(null, null, List.of(), List.of(), List.of(), true);
    }

    /**
     * The state with each marketing send kept once. Versions before kept every send in 'sent' and
     * also as its touch: a send that still has its touch (same time and scenario, one for one) leaves
     * 'sent', so that the caps count it once.
     */
    private static GovernorState sendsAsTouches(GovernorState state) {
        if (state == null || state.getSendsAsTouches()) {
            return state;
        }
        List<CountedSend> withoutTouch = new ArrayList<>(state.getSent());
        for (Touch touch : state.getTouches()) {
            if (touch.getGroup() == ConversionGroup.TREATMENT) {
                for (int i = 0; i < withoutTouch.size(); i++) {
                    CountedSend sent = withoutTouch.get(i);
                    if (sent.getTime() == touch.getTime() && sent.getScenarioId().equals(touch.getScenarioId())) {
                        withoutTouch.remove(i);
                        break;
                    }
                }
            }
        }
        state.setSent(StateValues.compact(withoutTouch));
        state.setSendsAsTouches(true);
        return state;
    }

    private static GovernorState emptyToNull(GovernorState state) {
        return state.getConsent() == null && state.getSuppression() == null && state.getSent().isEmpty()
                && state.getWaiting().isEmpty() && state.getTouches().isEmpty() ? null : state;
    }

    // ---- the detector form: state name, expiry and wake-ups ----

    @Override
    public String stateName() {
        return "governor";
    }

    @Override
    public Class<GovernorState> stateClass() {
        return GovernorState.class;
    }

    /**
     * Forgets sends older than the longest cap window and touches older than the attribution window;
     * a send whose touch goes while a cap window still holds it stays counted in 'sent'.
     */
    @Override
    public GovernorState expire(GovernorState state, long time) {
        if (state == null) {
            return null;
        }
        sendsAsTouches(state);
        long capFrom = time - longestCapMillis;
        long touchFrom = time - policy.attributionWindow().toMillis();
        List<CountedSend> sent = StateValues.kept(state.getSent(), counted -> counted.getTime() > capFrom);
        for (Touch touch : state.getTouches()) { // oldest first, and newer than every send in 'sent'
            if (touch.getTime() < touchFrom && touch.getTime() > capFrom && touch.getGroup() == ConversionGroup.TREATMENT) {
                sent = StateValues.appended(sent, new CountedSend(touch.getTime(), touch.getScenarioId()));
            }
        }
        state.setSent(sent);
        state.setTouches(StateValues.kept(state.getTouches(), touch -> touch.getTime() >= touchFrom));
        return emptyToNull(state);
    }

    /** The next waiting send, or the next moment something can be forgotten. */
    @Override
    public OptionalLong nextWakeUp(GovernorState state) {
        if (state == null) {
            return OptionalLong.empty();
        }
        long next = Long.MAX_VALUE;
        for (WaitingSend waiting : state.getWaiting()) {
            next = Math.min(next, waiting.getDue());
        }
        for (CountedSend sent : state.getSent()) {
            next = Math.min(next, sent.getTime() + longestCapMillis);
        }
        for (Touch touch : state.getTouches()) {
            next = Math.min(next, touch.getTime() + policy.attributionWindow().toMillis() + 1);
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }
}
