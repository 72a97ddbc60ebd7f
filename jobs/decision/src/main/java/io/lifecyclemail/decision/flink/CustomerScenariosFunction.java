package io.lifecyclemail.decision.flink;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.common.flink.RecordBundle;
import io.lifecyclemail.common.flink.RecordBundleTypeInfo;
import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.detect.Agenda;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.CandidateDecision;
import io.lifecyclemail.decision.detect.Detector;
import io.lifecyclemail.decision.detect.EngagementMemory;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.detect.ReentryGate;
import io.lifecyclemail.decision.detect.StateValues;
import io.lifecyclemail.decision.detect.WakeUpKeys;
import io.lifecyclemail.decision.govern.Governor;
import io.lifecyclemail.decision.scenario.Audience;
import io.lifecyclemail.decision.scenario.GovernorPolicy;
import io.lifecyclemail.schema.Conversion;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.GovernorState;
import io.lifecyclemail.state.StockOut;
import io.lifecyclemail.decision.rfm.RollingRfm;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.state.EngagementLog;
import io.lifecyclemail.state.RankStanding;
import io.lifecyclemail.state.RfmChange;
import io.lifecyclemail.state.RfmState;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.CustomerZone;
import io.lifecyclemail.state.EntryLog;
import io.lifecyclemail.state.PendingInputs;
import io.lifecyclemail.state.RecentEventIds;
import io.lifecyclemail.state.WakeUps;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per customer: holds inputs until event time (the watermark of every input) reaches them, applies
 * them in event-time order to every {@link Detector}, and asks each for what is due once the
 * watermark has passed it, so no cancelling event at or before a deadline can still arrive on time.
 * Inputs wait in memory ({@link ArrivalsOperator}) until the watermark reaches them or a checkpoint comes;
 * then they go to the customer's {@link Agenda} in state. A customer has one timer, at the agenda's
 * earliest entry. When the watermark moves, each customer with inputs it reached, then each whose
 * timer it passed, has every instant up to the watermark handled in event-time order, in one call.
 * Candidates their scenario admits go to the {@link Governor}, which decides who gets mail: a final
 * decision for every candidate, a send command for those sent, conversions for orders after them.
 * The rules are in the detectors and the governor; this class only loads and stores state and sets timers.
 */
public final class CustomerScenariosFunction extends ArrivalsFunction<CustomerInput, Decision> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<SendCommand> SEND_COMMANDS =
            new OutputTag<>("send-commands", new AvroBinaryTypeInfo<>(SendCommand.class));
    /** A customer's RFM changes, when a {@link RollingRfm} is among the detectors. */
    public static final OutputTag<RfmChange> RFM_CHANGES =
            new OutputTag<>("rfm-changes", new AvroBinaryTypeInfo<>(RfmChange.class));
    /** Orders credited to a send or holdout before them. */
    public static final OutputTag<Conversion> CONVERSIONS =
            new OutputTag<>("conversions", new AvroBinaryTypeInfo<>(Conversion.class));

    /** The state name of {@link #pendingAsList}. */
    static final String PENDING_AS_LIST = "pending-inputs";
    /** The state name of {@link #pending}. */
    static final String PENDING_BY_INSTANT = "pending-inputs-by-time";
    /** The state name of {@link #partsState}. */
    static final String CUSTOMER_PARTS = "customer-parts";
    /** The part of {@link #partsState} that holds the agenda (its state name before the bundle). */
    static final String AGENDA = "wake-ups";
    /** The part of {@link #partsState} that holds the rank standing (its state name before the bundle). */
    static final String RANK_STANDING = "rank-standing";
    /** The part of {@link #partsState} that holds the customer's time zone. */
    static final String ZONE = "zone";
    /** The state the zone was kept in, as a string, before the bundle. */
    static final String TIMEZONE_APART = "timezone";

    private final List<Detector<?>> detectors;
    private final long endOfInputCutoff;
    private final LatePolicy late;
    private final Governor governor;
    /** False in a stage without candidates ({@link #withoutGovernor}): the governor then keeps nothing. */
    private final boolean governs;

    private transient List<Slot<?>> slots;
    private transient Slot<EntryLog> entries;
    private transient Slot<GovernorState> governed;
    /** Opens and clicks, when some audience asks about them; else null. */
    private transient Slot<EngagementLog> engaged;
    /** Where versions before the customer's parts kept the zone (now part {@link #ZONE}): moved over at start. */
    private transient ValueState<String> timezoneApart;
    /**
     * The customer's agenda, time zone, rank standing and every detector's state, as one value ({@link RecordBundle}):
     * kept apart, each repeated the customer id as its key (about ten per customer), and on the heap
     * backend each was a lookup and a new value in an old table entry of its own.
     */
    private transient ValueState<RecordBundle> partsState;
    /** The current key's parts while one call handles it; written back at the end of the call if changed. */
    private transient RecordBundle parts;
    private transient boolean partsChanged;
    /**
     * Each part under the state name it had before the bundle: what an older version kept is moved
     * into the bundle at start ({@link #visitAtStart}).
     */
    private transient Map<String, ValueState<SpecificRecord>> keptApartBefore;
    /**
     * Inputs waiting for the watermark beyond the few the agenda holds, by event time (the agenda lists
     * their instants): releasing an instant reads only its own inputs, however many more a busy
     * customer has waiting. Before the agenda, every waiting input was here, with a timer per instant.
     */
    private transient MapState<Long, PendingInputs> pending;
    /** Where versions before {@link #pending} kept waiting inputs, in one list: moved over at start. */
    private transient ListState<CustomerInput> pendingAsList;
    /**
     * Ids of applied events beyond the few the agenda holds (a busy customer's), by the time they may be
     * forgotten (a span of the allowed lateness), at most
     * {@link #IDS_PER_ENTRY} per entry: a span continues under its time plus 1, 2, ... Forgetting a
     * span deletes its entries by key; iterating the map would, on RocksDB, step over the deletion
     * markers of every span forgotten before.
     */
    private transient MapState<Long, RecentEventIds> recentIds;
    /** The current key's {@link Agenda} while one call handles it; written back at the end of the call. */
    private transient Agenda agenda;
    private transient Counter lateEvents;
    private transient Counter tooLateEvents;
    private transient Counter duplicateEvents;
    private transient Counter candidates;
    private transient CountingDecisions countedDecisions;

    /** Decides everything that is due, also when a bounded input ends. */
    public CustomerScenariosFunction(List<Detector<?>> detectors) {
        this(detectors, Long.MAX_VALUE);
    }

    /**
     * @param endOfInputCutoff when a bounded input ends (the watermark jumps to the end of time),
     *     decide only deadlines up to this event time (epoch ms): a replay of a few days must not
     *     send the mails due months later
     */
    public CustomerScenariosFunction(List<Detector<?>> detectors, long endOfInputCutoff) {
        this(detectors, endOfInputCutoff, LatePolicy.DEFAULT);
    }

    /** @param late what happens to events behind the watermark */
    public CustomerScenariosFunction(List<Detector<?>> detectors, long endOfInputCutoff, LatePolicy late) {
        this(detectors, endOfInputCutoff, late, new Governor(GovernorPolicy.NONE, List.of()));
    }

    /** @param governor decides who of the candidates gets mail */
    public CustomerScenariosFunction(List<Detector<?>> detectors, long endOfInputCutoff, LatePolicy late,
                                     Governor governor) {
        this(detectors, endOfInputCutoff, late, governor, true);
    }

    private CustomerScenariosFunction(List<Detector<?>> detectors, long endOfInputCutoff, LatePolicy late,
                                      Governor governor, boolean governs) {
        this.detectors = List.copyOf(detectors);
        this.endOfInputCutoff = endOfInputCutoff;
        this.late = late;
        this.governor = governor;
        this.governs = governs;
    }

    /**
     * For a stage whose detectors make no candidates for mail (the RFM stage): no governor, so no
     * consent or sends are kept per customer for nothing to read them.
     */
    public static CustomerScenariosFunction withoutGovernor(List<Detector<?>> detectors, long endOfInputCutoff,
                                                            LatePolicy late) {
        return new CustomerScenariosFunction(detectors, endOfInputCutoff, late,
                new Governor(GovernorPolicy.NONE, List.of()), false);
    }

    /** A detector with the name of its part of the customer's state, typed together. */
    private static final class Slot<S extends SpecificRecordBase> {
        final Detector<S> detector;
        final String name;
        /** The detector's code in the wake-up index ({@link WakeUpKeys}). */
        int wakeUpKey;

        Slot(Detector<S> detector) {
            this.detector = detector;
            this.name = detector.stateName();
        }

        RecordBundle.Part part() {
            return new RecordBundle.Part(name, detector.stateClass());
        }
    }

    private <S extends SpecificRecordBase> Slot<S> slot(Detector<S> detector) {
        return new Slot<>(detector);
    }

    @Override
    public void open(OpenContext openContext) {
        slots = new ArrayList<>();
        for (Detector<?> detector : detectors) {
            if (detector instanceof EngagementMemory memory) {
                engaged = slot(memory);
                slots.add(engaged);
            } else {
                slots.add(slot(detector));
            }
        }
        // last, so that entries are forgotten after the other detectors have decided at the same instant
        entries = slot(new ReentryGate());
        slots.add(entries);
        // after the re-entry gate: it decides what the others proposed at the same instant
        governed = slot(governor);
        slots.add(governed);
        Map<String, Integer> keys = WakeUpKeys.of(slots.stream().map(slot -> slot.name).toList());
        slots.forEach(slot -> slot.wakeUpKey = keys.get(slot.name));
        List<RecordBundle.Part> partsKept = new ArrayList<>();
        partsKept.add(new RecordBundle.Part(AGENDA, WakeUps.class));
        partsKept.add(new RecordBundle.Part(RANK_STANDING, RankStanding.class));
        partsKept.add(new RecordBundle.Part(ZONE, CustomerZone.class));
        slots.forEach(slot -> partsKept.add(slot.part()));
        // a product is in the cart, the order lines, the browse history and the mails waiting: kept once
        partsState = getRuntimeContext().getState(
                new ValueStateDescriptor<>(CUSTOMER_PARTS, new RecordBundleTypeInfo(partsKept, Product.class)));
        keptApartBefore = new LinkedHashMap<>();
        for (RecordBundle.Part part : partsKept) {
            if (part.type() != CustomerZone.class) { // kept as a string before ({@link #timezoneApart})
                keptApartBefore.put(part.name(), olderState(part));
            }
        }
        timezoneApart = getRuntimeContext().getState(new ValueStateDescriptor<>(TIMEZONE_APART, Types.STRING));
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>(PENDING_BY_INSTANT, Types.LONG,
                new AvroBinaryTypeInfo<>(PendingInputs.class)));
        pendingAsList = getRuntimeContext().getListState(
                new ListStateDescriptor<>(PENDING_AS_LIST, new AvroBinaryTypeInfo<>(CustomerInput.class)));
        recentIds = getRuntimeContext().getMapState(new MapStateDescriptor<>("recent-event-ids", Types.LONG,
                new AvroBinaryTypeInfo<>(RecentEventIds.class)));
        lateEvents = getRuntimeContext().getMetricGroup().counter("lateEvents");
        tooLateEvents = getRuntimeContext().getMetricGroup().counter("tooLateEvents");
        duplicateEvents = getRuntimeContext().getMetricGroup().counter("duplicateEvents");
        candidates = getRuntimeContext().getMetricGroup().counter("candidates");
        countedDecisions = new CountingDecisions();
    }

    @Override
    public void processElement(CustomerInput input, Context context, Collector<Decision> decisions) throws Exception {
        Collector<Decision> out = countedDecisions.to(decisions);
        long time = CustomerInputs.eventTime(input);
        long watermark = context.timerService().currentWatermark();
        LatePolicy.Verdict verdict = late.classify(time, watermark);
        if (verdict == LatePolicy.Verdict.TOO_LATE_DROPPED && CustomerInputs.isSuppression(input)) {
            verdict = LatePolicy.Verdict.TOO_LATE_APPLIED; // an unsubscribe or bounce is never dropped, however late
        }
        switch (verdict) {
            case ON_TIME -> {
                arrive(context, time, input); // handled when the watermark reaches it
                return;
            }
            case LATE -> lateEvents.inc();
            case TOO_LATE_APPLIED -> {
                tooLateEvents.inc();
                out.collect(late.tooLate(input, watermark, true));
            }
            case TOO_LATE_DROPPED -> {
                tooLateEvents.inc();
                out.collect(late.tooLate(input, watermark, false));
                return;
            }
        }
        // applied now; a deadline it sets that is already past falls due at the next watermark
        try {
            if (late.remembersIds() && !CustomerInputs.comesOnce(input) && seenRecently(CustomerInputs.eventId(input))) {
                duplicateEvents.inc(); // a late copy of an event already applied
                return;
            }
            applyInOrder(List.of(input), context, out);
        } finally {
            flushAgenda(context, null, watermark);
        }
    }

    @Override
    long timeOf(CustomerInput input) {
        return CustomerInputs.eventTime(input);
    }

    /** Handled with everything else of the customer's up to the watermark, in event-time order. */
    @Override
    void handleArrived(List<CustomerInput> arrived, long watermark, Context context, Collector<Decision> decisions)
            throws Exception {
        handleUpTo(watermark, null, arrived, context, countedDecisions.to(decisions));
    }

    /** Into the customer's agenda; the customer's timer then handles them. */
    @Override
    void holdArrived(List<CustomerInput> arrived, Context context) throws Exception {
        try {
            for (CustomerInput input : arrived) {
                if (!agenda().holdInline(input)) {
                    long time = CustomerInputs.eventTime(input);
                    hold(input, time);
                    agenda().heldElsewhereAt(time);
                }
            }
        } finally {
            flushAgenda(context, null, context.timerService().currentWatermark());
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<Decision> decisions) throws Exception {
        handleUpTo(context.timerService().currentWatermark(), time, List.of(), context, countedDecisions.to(decisions));
    }

    /**
     * Handles every instant of the current key up to the watermark, in event-time order: its entries in
     * the agenda merged with {@code arrived} (in event-time order, none after the watermark).
     *
     * @param fired the time of the timer that fired; null when the call was not a timer's
     */
    private void handleUpTo(long watermark, Long fired, List<CustomerInput> arrived, Context context,
                            Collector<Decision> out) throws Exception {
        // When a bounded input ends, decide only up to the cutoff; inputs after it are still applied.
        long wakeUpsUpTo = watermark == Long.MAX_VALUE ? Math.min(watermark, endOfInputCutoff) : watermark;
        try {
            if (fired != null && late.remembersIds() && late.isPruneTime(fired) && !agenda().forgets(fired)) {
                forgetIdsUpTo(fired); // a timer an older version set for its id memory
            }
            long handled = Long.MIN_VALUE;
            int nextArrived = 0;
            while (true) {
                Long instant = agenda().next(watermark, handled, wakeUpsUpTo);
                if (nextArrived < arrived.size()) {
                    long arrivedAt = CustomerInputs.eventTime(arrived.get(nextArrived));
                    instant = instant == null ? arrivedAt : Math.min(instant, arrivedAt);
                }
                if (instant == null) {
                    break;
                }
                int from = nextArrived;
                while (nextArrived < arrived.size() && CustomerInputs.eventTime(arrived.get(nextArrived)) == instant) {
                    nextArrived++;
                }
                handle(instant, Math.min(instant, wakeUpsUpTo), arrived.subList(from, nextArrived), context, out);
                handled = instant;
            }
        } finally {
            flushAgenda(context, fired, watermark);
        }
    }

    /**
     * One instant of the customer, handled as a timer of its own used to handle it: the inputs of
     * that instant, then ids to forget, then every detector due up to {@code decideUpTo}, then the governor.
     */
    private void handle(long instant, long decideUpTo, List<CustomerInput> arrived, Context context,
                        Collector<Decision> out) throws Exception {
        release(instant, arrived, context, out);
        agenda().forgetHeldIdsUpTo(instant); // copies of these would now be too late anyway
        if (agenda().takeForgetAt(instant)) {
            forgetIdsUpTo(instant);
        }
        List<Governor.Proposal> proposals = new ArrayList<>();
        for (Slot<?> slot : slots) {
            // read for each: a detector deciding may move a later one's wake-up (the re-entry gate's)
            Long wakeUp = agenda().wakeUps().get(slot.wakeUpKey);
            if (slot != governed && wakeUp != null && wakeUp <= decideUpTo) { // only the detectors due: one state read each
                decide(slot, decideUpTo, context, out, proposals);
            }
        }
        Long governorWakeUp = agenda().wakeUps().get(governed.wakeUpKey);
        if (!proposals.isEmpty() || governorWakeUp != null && governorWakeUp <= decideUpTo) {
            GovernorState state = governor.decide(stateOf(governed), proposals, decideUpTo, zone(),
                    governorOut(context, out));
            store(governed, state);
        }
    }

    /**
     * Once at start, the keys with waiting inputs the restored state holds outside their agendas:
     * customers with more waiting inputs than an agenda holds, and after an upgrade from a version
     * before the agenda those with inputs ahead of the watermark.
     */
    @Override
    List<String> statesToVisitAtStart() {
        List<String> states = new ArrayList<>(List.of(PENDING_AS_LIST, PENDING_BY_INSTANT, TIMEZONE_APART));
        states.addAll(keptApartBefore.keySet());
        return states;
    }

    /**
     * Takes waiting inputs as older versions kept them into the current key's agenda: inputs in one list
     * go to the map by instant, and every instant there is listed. Their timers were restored with them.
     */
    @Override
    void visitAtStart(String customer) throws Exception {
        for (Map.Entry<String, ValueState<SpecificRecord>> apart : keptApartBefore.entrySet()) {
            SpecificRecord kept = apart.getValue().value();
            if (kept != null) { // as an older version kept it: into the bundle
                keep(apart.getKey(), kept);
                apart.getValue().clear();
            }
        }
        String zoneApart = timezoneApart.value();
        if (zoneApart != null) {
            keep(ZONE, new CustomerZone(zoneApart));
            timezoneApart.clear();
        }
        Iterable<CustomerInput> listed = pendingAsList.get();
        if (listed != null) {
            for (CustomerInput input : listed) {
                hold(input, CustomerInputs.eventTime(input));
            }
            pendingAsList.clear();
        }
        for (Long instant : pending.keys()) {
            agenda().heldElsewhereAt(instant);
        }
        if (agenda().changed()) { // read even when the key listed no inputs after all
            storeAgenda();
        }
        agenda = null;
        flushParts();
    }

    private void hold(CustomerInput input, long time) throws Exception {
        PendingInputs held = pending.get(time);
        List<CustomerInput> inputs = held == null ? new ArrayList<>(1) : new ArrayList<>(held.getInputs());
        inputs.add(input);
        pending.put(time, new PendingInputs(inputs));
    }

    /**
     * Applies the inputs of one instant: those in state and those that {@code arrived} in memory.
     * Instants are handled in event-time order, so no earlier input is still waiting.
     */
    private void release(long time, List<CustomerInput> arrived, Context context, Collector<Decision> out)
            throws Exception {
        List<CustomerInput> reached = agenda().takeHeldAt(time);
        if (agenda().takeHeldElsewhereAt(time)) {
            PendingInputs elsewhere = pending.get(time);
            if (elsewhere != null) {
                reached.addAll(elsewhere.getInputs());
            }
            pending.remove(time);
        }
        reached.addAll(arrived);
        if (reached.isEmpty()) {
            return;
        }
        reached.sort(CustomerInputs.EVENT_TIME_ORDER);
        applyInOrder(reached, context, out);
    }

    /**
     * Applies inputs in the given order, each event id once: a producer retry writes the same event
     * twice, and released together the copies are neighbours. Applied ids are remembered for the
     * allowed lateness, so that a copy arriving late is recognised ({@link #processElement}); not those
     * of inputs that {@link CustomerInputs#comesOnce come once} (a popular product's restock reaches
     * every customer who showed interest: their ids were most of what busy shops remembered).
     */
    private void applyInOrder(List<CustomerInput> inputs, Context context, Collector<Decision> out) throws Exception {
        String previousId = null;
        Facts facts = new Facts();
        Map<Long, List<String>> applied = new HashMap<>();
        for (CustomerInput input : inputs) {
            String id = CustomerInputs.eventId(input);
            if (id.equals(previousId)) {
                duplicateEvents.inc();
                continue;
            }
            previousId = id;
            apply(input, facts, context, out);
            if (late.remembersIds() && !CustomerInputs.comesOnce(input)) {
                applied.computeIfAbsent(late.pruneAfter(CustomerInputs.eventTime(input)), k -> new ArrayList<>()).add(id);
            }
        }
        for (Map.Entry<Long, List<String>> span : applied.entrySet()) {
            if (!agenda().rememberHere(span.getKey(), span.getValue()) && remember(span.getKey(), span.getValue())) {
                agenda().forgetAt(span.getKey()); // the span's first ids in the map; later ids of the span are forgotten with them
            }
        }
    }

    /** Ids a span's entry holds before the next entry starts: remembering an id rewrites at most this many. */
    static final int IDS_PER_ENTRY = 64;

    /** @return whether this started the span (it had no entry) */
    private boolean remember(long span, List<String> ids) throws Exception {
        RecentEventIds first = recentIds.get(span);
        if (first == null) {
            recentIds.put(span, new RecentEventIds(ids, 0));
            return true;
        }
        int more = first.getMore();
        long lastKey = span + more;
        RecentEventIds last = more == 0 ? first : recentIds.get(lastKey);
        if (last == null) { // not written: nothing is lost by starting it
            recentIds.put(lastKey, new RecentEventIds(ids, 0));
            return false;
        }
        // the span's entries must stay below the next span's time (only with an allowed lateness of milliseconds)
        boolean roomForAnother = more + 1 < late.allowedLateness().toMillis();
        if (last.getIds().size() < IDS_PER_ENTRY || !roomForAnother) {
            List<String> all = new ArrayList<>(last.getIds());
            all.addAll(ids);
            recentIds.put(lastKey, new RecentEventIds(all, last.getMore()));
            return false;
        }
        recentIds.put(span + more + 1, new RecentEventIds(ids, 0));
        recentIds.put(span, new RecentEventIds(first.getIds(), more + 1));
        return false;
    }

    private void forgetIdsUpTo(long time) throws Exception {
        RecentEventIds first = recentIds.get(time);
        if (first == null) {
            return;
        }
        for (int entry = 1; entry <= first.getMore(); entry++) {
            recentIds.remove(time + entry);
        }
        recentIds.remove(time);
    }

    /** Whether an event id was applied within the allowed lateness (only late events ask: a rare, slower path). */
    private boolean seenRecently(String eventId) throws Exception {
        if (agenda().holdsId(eventId)) {
            return true;
        }
        for (RecentEventIds ids : recentIds.values()) {
            if (ids.getIds().contains(eventId)) {
                return true;
            }
        }
        return false;
    }

    private <S extends SpecificRecordBase> void decide(Slot<S> slot, long time, Context context,
                                                       Collector<Decision> out, List<Governor.Proposal> proposals)
            throws Exception {
        S state = stateOf(slot);
        if (state == null) {
            setWakeUp(slot, OptionalLong.empty());
            return;
        }
        List<Candidate> due = slot.detector.due(context.getCurrentKey(), state, time);
        if (!due.isEmpty()) {
            RankStanding rank = (RankStanding) parts().get(RANK_STANDING);
            Audience.Engagement engagement = engaged != null
                    && due.stream().anyMatch(candidate -> !candidate.scenario().policy().audience().engagement().isEmpty())
                    ? EngagementMemory.history(stateOf(engaged)) : Audience.Engagement.NONE;
            EntryLog[] log = {stateOf(entries)};
            ReentryGate gate = (ReentryGate) entries.detector;
            for (Candidate candidate : due) {
                CandidateDecision.Outcome outcome = CandidateDecision.decide(candidate, rank, engagement, admitted -> {
                    ReentryGate.Admission admission = gate.admit(log[0], admitted);
                    log[0] = admission.log();
                    return admission.blockedBecause();
                });
                candidates.inc();
                if (outcome.admitted()) {
                    proposals.add(governor.propose(candidate, outcome.command(), outcome.decision()));
                } else {
                    out.collect(outcome.decision());
                }
            }
            if (log[0] != null) {
                store(entries, log[0]);
            }
        }
        store(slot, slot.detector.expire(state, time));
    }

    /**
     * Counts every decision on its way out, as metric {@code decisions} with the labels
     * {@code outcome} and {@code rule} (SENT by cart-abandonment.wait, SUPPRESSED by
     * suppression.unsubscribed, CAPPED by cap.global, ...): what a dashboard shows per reason.
     */
    private final class CountingDecisions implements Collector<Decision> {
        private final Map<String, Counter> counters = new HashMap<>();
        private Collector<Decision> target;

        Collector<Decision> to(Collector<Decision> out) {
            target = out;
            return this;
        }

        @Override
        public void collect(Decision decision) {
            String outcome = decision.getOutcome().name();
            counters.computeIfAbsent(outcome + '\n' + decision.getRule(), key -> getRuntimeContext().getMetricGroup()
                    .addGroup("outcome", outcome).addGroup("rule", decision.getRule()).counter("decisions")).inc();
            target.collect(decision);
        }

        @Override
        public void close() {
            target.close();
        }
    }

    /** The profile's facts for one call: read at most once, and only when an event needs them. */
    private final class Facts {
        private boolean zoneRead;
        private ZoneId zone;

        ZoneId zone() throws Exception {
            if (!zoneRead) {
                zone = CustomerScenariosFunction.this.zone();
                zoneRead = true;
            }
            return zone;
        }

        void profile(CustomerProfile profile) throws Exception {
            if (profile.getTimezone() != null && !profile.getErased()) {
                CustomerZone kept = (CustomerZone) parts().get(ZONE);
                if (kept == null || !kept.getZone().equals(profile.getTimezone())) {
                    keep(ZONE, new CustomerZone(StateValues.shared(profile.getTimezone())));
                }
                zone = ZoneId.of(profile.getTimezone());
            } else {
                keep(ZONE, null);
                zone = null;
            }
            zoneRead = true;
        }
    }

    private void apply(CustomerInput input, Facts facts, Context context, Collector<Decision> out) throws Exception {
        Object event = input.getEvent();
        applyToGovernor(event, context, out);
        if (event instanceof CustomerProfile profile) {
            facts.profile(profile);
        } else if (event instanceof RankStanding rank) {
            keep(RANK_STANDING, Audience.UNRANKED.equals(rank.getRank()) ? null : rank);
        }
        for (Slot<?> slot : slots) {
            if (slot.detector.accepts(event)) {
                apply(slot, event, CustomerInputs.eventTime(input),
                        slot.detector.usesCustomerZone() ? facts.zone() : null, context);
            }
        }
    }

    /**
     * Consent, suppression, orders (attribution, freshness) and stock-outs reach the governor, when it
     * governs ({@link #withoutGovernor}): in the RFM stage it kept a consent per customer nothing read.
     */
    private void applyToGovernor(Object event, Context context, Collector<Decision> out) throws Exception {
        if (!governs) {
            if (event instanceof CustomerProfile && stateOf(governed) != null) {
                keep(governed.name, null); // what an older version kept, forgotten at the customer's next profile
            }
            return;
        }
        GovernorState before;
        GovernorState after;
        if (event instanceof CustomerProfile profile) {
            before = stateOf(governed);
            after = governor.onProfile(before, profile, governorOut(context, out));
        } else if (event instanceof OrderEvent order) {
            before = stateOf(governed);
            after = governor.onOrder(before, order, governorOut(context, out));
        } else if (event instanceof StockOut stockOut) {
            before = stateOf(governed);
            after = governor.onStockOut(before, stockOut, governorOut(context, out));
        } else {
            String suppression = event instanceof EngagementEvent engagement ? Governor.suppressionOf(engagement)
                    : event instanceof DeliveryResult result ? Governor.suppressionOf(result) : null;
            if (suppression == null) {
                return;
            }
            CustomerInput input = new CustomerInput(event);
            before = stateOf(governed);
            after = governor.onSuppression(before, suppression, CustomerInputs.eventTime(input),
                    CustomerInputs.eventId(input), governorOut(context, out));
        }
        if (before == null && after == null) {
            return; // nothing to remember about this customer
        }
        store(governed, after);
    }

    private Governor.Out governorOut(Context context, Collector<Decision> out) {
        return new Governor.Out() {
            @Override
            public void decision(Decision decision) {
                out.collect(decision);
            }

            @Override
            public void command(SendCommand command) {
                context.output(SEND_COMMANDS, command);
            }

            @Override
            public void conversion(Conversion conversion) {
                context.output(CONVERSIONS, conversion);
            }
        };
    }

    private ZoneId zone() throws Exception {
        CustomerZone kept = (CustomerZone) parts().get(ZONE);
        return kept == null ? null : ZoneId.of(kept.getZone());
    }

    private <S extends SpecificRecordBase> void apply(Slot<S> slot, Object event, long time, ZoneId zone,
                                                      Context context) throws Exception {
        S before = stateOf(slot);
        S after = slot.detector.apply(before, event, zone);
        if (after == before) {
            return;
        }
        if (slot.detector instanceof RollingRfm rfm) {
            context.output(RFM_CHANGES, rfm.change(context.getCurrentKey(), (RfmState) before, (RfmState) after, time));
        }
        store(slot, after);
    }

    /**
     * Stores a detector's state and its next wake-up in the index; null leaves no state behind. The
     * timer follows from the index when the call ends ({@link #flushAgenda}).
     */
    private <S extends SpecificRecordBase> void store(Slot<S> slot, S state) throws Exception {
        keep(slot.name, state);
        setWakeUp(slot, state == null ? OptionalLong.empty() : slot.detector.nextWakeUp(state));
    }

    @SuppressWarnings("unchecked")
    private <S extends SpecificRecordBase> S stateOf(Slot<S> slot) throws Exception {
        return (S) parts().get(slot.name);
    }

    /** The current key's parts, read once per call. */
    private RecordBundle parts() throws Exception {
        if (parts == null) {
            parts = partsState.value();
            if (parts == null) {
                parts = new RecordBundle();
            }
        }
        return parts;
    }

    /**
     * Keeps a part of the current key's state until the call ends; null forgets it. The same record
     * again still counts as a change: detectors may change a state in place (a cart marks what it
     * decided), and on RocksDB only what is written back is kept.
     */
    private void keep(String part, SpecificRecord record) throws Exception {
        if (record == null && parts().get(part) == null) {
            return;
        }
        parts().put(part, record);
        partsChanged = true;
    }

    /** Writes the current key's parts back if the call changed them, and forgets them for the next key. */
    private void flushParts() throws Exception {
        if (parts != null && partsChanged) {
            if (parts.isEmpty()) {
                partsState.clear();
            } else {
                partsState.update(parts);
            }
        }
        parts = null;
        partsChanged = false;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private ValueState<SpecificRecord> olderState(RecordBundle.Part part) {
        return getRuntimeContext().getState(new ValueStateDescriptor<>(part.name(), new AvroBinaryTypeInfo(part.type())));
    }

    /** The current key's agenda, read once per call. */
    private Agenda agenda() throws Exception {
        if (agenda == null) {
            agenda = Agenda.of((WakeUps) parts().get(AGENDA));
        }
        return agenda;
    }

    private void setWakeUp(Slot<?> slot, OptionalLong wakeUp) throws Exception {
        agenda().wakeUps(agenda().wakeUps().with(slot.wakeUpKey, wakeUp.isPresent() ? wakeUp.getAsLong() : null));
    }

    private void storeAgenda() throws Exception {
        keep(AGENDA, agenda.toRecord());
    }

    /**
     * Writes the agenda back if the call changed it, and forgets it for the next key. The customer's
     * one timer stands at the agenda's earliest entry: when that moves, the timer moves.
     *
     * @param fired the time of the timer that fired, which no longer stands; null outside a timer
     * @param watermark how far the call handled the customer
     */
    private void flushAgenda(Context context, Long fired, long watermark) throws Exception {
        if (agenda == null) {
            flushParts();
            return;
        }
        if (agenda.changed()) {
            storeAgenda();
        }
        Long earliest = agenda.earliest();
        Long standing = Objects.equals(agenda.earliestBefore(), fired) ? null : agenda.earliestBefore();
        // Once the input has ended (watermark at the end of time) every instant was handled in the call.
        if (!Objects.equals(earliest, standing) && watermark != Long.MAX_VALUE) {
            if (earliest != null) {
                context.timerService().registerEventTimeTimer(earliest);
            }
            // a timer older versions set for the id memory may stand at the same time: kept
            if (standing != null && !(late.remembersIds() && late.isPruneTime(standing))) {
                context.timerService().deleteEventTimeTimer(standing);
            }
        }
        agenda = null;
        flushParts();
    }
}
