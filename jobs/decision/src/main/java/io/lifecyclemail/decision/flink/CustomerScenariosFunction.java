package io.lifecyclemail.decision.flink;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.CandidateDecision;
import io.lifecyclemail.decision.detect.Detector;
import io.lifecyclemail.decision.detect.LatePolicy;
import io.lifecyclemail.decision.detect.ReentryGate;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.EntryLog;
import io.lifecyclemail.state.RecentEventIds;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per customer: holds inputs until event time (the watermark of every input) reaches them, applies
 * them in event-time order to every {@link Detector}, and asks each for what is due once the
 * watermark has passed it, so no cancelling event at or before a deadline can still arrive on time.
 * Emits a decision for every candidate and a send command for those that may be sent. The rules are
 * in the detectors; this class only loads and stores state and sets timers.
 */
public final class CustomerScenariosFunction extends KeyedProcessFunction<String, CustomerInput, Decision> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<SendCommand> SEND_COMMANDS =
            new OutputTag<>("send-commands", new AvroTypeInfo<>(SendCommand.class));

    private final List<Detector<?>> detectors;
    private final long endOfInputCutoff;
    private final LatePolicy late;

    private transient List<Slot<?>> slots;
    private transient Slot<EntryLog> entries;
    private transient boolean registerTimers;
    private transient ValueState<Boolean> marketingConsent;
    private transient ValueState<String> timezone;
    private transient ListState<CustomerInput> pending;
    private transient ValueState<RecentEventIds> recentIds;
    private transient Counter lateEvents;
    private transient Counter tooLateEvents;
    private transient Counter duplicateEvents;
    private transient Counter candidates;

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
        this.detectors = List.copyOf(detectors);
        this.endOfInputCutoff = endOfInputCutoff;
        this.late = late;
    }

    /** A detector with its keyed state, typed together. */
    private static final class Slot<S extends SpecificRecordBase> {
        final Detector<S> detector;
        final ValueState<S> state;

        Slot(Detector<S> detector, ValueState<S> state) {
            this.detector = detector;
            this.state = state;
        }
    }

    private <S extends SpecificRecordBase> Slot<S> slot(Detector<S> detector) {
        return new Slot<>(detector, getRuntimeContext().getState(
                new ValueStateDescriptor<>(detector.stateName(), new AvroTypeInfo<>(detector.stateClass()))));
    }

    @Override
    public void open(OpenContext openContext) {
        slots = new ArrayList<>();
        for (Detector<?> detector : detectors) {
            slots.add(slot(detector));
        }
        // last, so that entries are forgotten after the other detectors have decided at the same instant
        entries = slot(new ReentryGate());
        slots.add(entries);
        marketingConsent = getRuntimeContext().getState(new ValueStateDescriptor<>("marketing-consent", Types.BOOLEAN));
        timezone = getRuntimeContext().getState(new ValueStateDescriptor<>("timezone", Types.STRING));
        pending = getRuntimeContext().getListState(
                new ListStateDescriptor<>("pending-inputs", new AvroTypeInfo<>(CustomerInput.class)));
        recentIds = getRuntimeContext().getState(
                new ValueStateDescriptor<>("recent-event-ids", new AvroTypeInfo<>(RecentEventIds.class)));
        lateEvents = getRuntimeContext().getMetricGroup().counter("lateEvents");
        tooLateEvents = getRuntimeContext().getMetricGroup().counter("tooLateEvents");
        duplicateEvents = getRuntimeContext().getMetricGroup().counter("duplicateEvents");
        candidates = getRuntimeContext().getMetricGroup().counter("candidates");
        registerTimers = true;
    }

    @Override
    public void processElement(CustomerInput input, Context context, Collector<Decision> out) throws Exception {
        long time = CustomerInputs.eventTime(input);
        long watermark = context.timerService().currentWatermark();
        switch (late.classify(time, watermark)) {
            case ON_TIME -> {
                pending.add(input);
                context.timerService().registerEventTimeTimer(time);
            }
            case LATE -> {
                // applied now; a deadline it sets that is already past falls due at the next watermark
                lateEvents.inc();
                applyUnlessSeen(List.of(input), context);
            }
            case TOO_LATE_APPLIED -> {
                tooLateEvents.inc();
                out.collect(late.tooLate(input, watermark, true));
                applyUnlessSeen(List.of(input), context);
            }
            case TOO_LATE_DROPPED -> {
                tooLateEvents.inc();
                out.collect(late.tooLate(input, watermark, false));
            }
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<Decision> out) throws Exception {
        boolean endOfInput = context.timerService().currentWatermark() == Long.MAX_VALUE;
        long decideUpTo = endOfInput ? Math.min(time, endOfInputCutoff) : time;
        // Past the cutoff nothing more is decided, so no timers: one registered now would fire at once, forever.
        registerTimers = decideUpTo == time;
        try {
            releaseInputsUpTo(time, context);
            if (late.remembersIds()) {
                // ids whose copies would now be too late need not be remembered
                RecentEventIds memory = recentIds.value();
                if (memory != null) {
                    storeRecentIds(late.forget(memory, context.timerService().currentWatermark()), context);
                }
            }
            boolean consent = Boolean.TRUE.equals(marketingConsent.value());
            for (Slot<?> slot : slots) {
                decide(slot, decideUpTo, consent, context, out);
            }
        } finally {
            registerTimers = true;
        }
    }

    private void releaseInputsUpTo(long time, Context context) throws Exception {
        List<CustomerInput> reached = new ArrayList<>();
        List<CustomerInput> waiting = new ArrayList<>();
        for (CustomerInput input : pending.get()) {
            (CustomerInputs.eventTime(input) <= time ? reached : waiting).add(input);
        }
        if (reached.isEmpty()) {
            return;
        }
        reached.sort(CustomerInputs.EVENT_TIME_ORDER);
        pending.update(waiting);
        applyUnlessSeen(reached, context);
    }

    /**
     * Applies inputs in the given order, each event id once: a producer retry writes the same event
     * twice; released together the copies are neighbours, and a copy that comes late is found in the
     * memory of recently applied ids.
     */
    private void applyUnlessSeen(List<CustomerInput> inputs, Context context) throws Exception {
        RecentEventIds memory = late.remembersIds() ? recentIds.value() : null;
        String previousId = null;
        for (CustomerInput input : inputs) {
            String id = CustomerInputs.eventId(input);
            if (id.equals(previousId) || LatePolicy.seen(memory, id)) {
                duplicateEvents.inc();
                continue;
            }
            previousId = id;
            apply(input, context);
            if (late.remembersIds()) {
                memory = late.remember(memory, id, CustomerInputs.eventTime(input));
            }
        }
        if (memory != null) {
            storeRecentIds(memory, context);
        }
    }

    private void storeRecentIds(RecentEventIds memory, Context context) throws Exception {
        if (memory == null) {
            recentIds.clear();
            return;
        }
        recentIds.update(memory);
        context.timerService().registerEventTimeTimer(late.nextPrune(memory));
    }

    private <S extends SpecificRecordBase> void decide(Slot<S> slot, long time, boolean consent, Context context,
                                                       Collector<Decision> out) throws Exception {
        S state = slot.state.value();
        if (state == null) {
            return;
        }
        List<Candidate> due = slot.detector.due(context.getCurrentKey(), state, time);
        if (!due.isEmpty()) {
            EntryLog log = entries.state.value();
            ReentryGate gate = (ReentryGate) entries.detector;
            for (Candidate candidate : due) {
                ReentryGate.Admission admission = gate.admit(log, candidate);
                log = admission.log();
                CandidateDecision.Outcome outcome = CandidateDecision.decide(candidate, consent, admission.blockedBecause());
                candidates.inc();
                out.collect(outcome.decision());
                if (outcome.command() != null) {
                    context.output(SEND_COMMANDS, outcome.command());
                }
            }
            if (log != null) {
                store(entries, log, context);
            }
        }
        store(slot, slot.detector.expire(state, time), context);
    }

    private void apply(CustomerInput input, Context context) throws Exception {
        Object event = input.getEvent();
        if (event instanceof CustomerProfile profile) {
            if (profile.getMarketingConsent() && !profile.getErased()) {
                marketingConsent.update(true);
            } else {
                marketingConsent.clear();
            }
            if (profile.getTimezone() != null && !profile.getErased()) {
                timezone.update(profile.getTimezone());
            } else {
                timezone.clear();
            }
        }
        boolean zoneRead = false;
        ZoneId zone = null;
        for (Slot<?> slot : slots) {
            if (slot.detector.accepts(event)) {
                if (!zoneRead) { // read once, and only for an event some detector takes
                    String id = timezone.value();
                    zone = id == null ? null : ZoneId.of(id);
                    zoneRead = true;
                }
                apply(slot, event, zone, context);
            }
        }
    }

    private <S extends SpecificRecordBase> void apply(Slot<S> slot, Object event, ZoneId zone, Context context)
            throws Exception {
        S before = slot.state.value();
        OptionalLong wakeUpBefore = slot.detector.nextWakeUp(before);
        S after = slot.detector.apply(before, event, zone);
        if (after == before) {
            return;
        }
        OptionalLong wakeUpAfter = slot.detector.nextWakeUp(after);
        if (wakeUpBefore.isPresent() && !wakeUpBefore.equals(wakeUpAfter)) {
            deleteTimerUnlessNeeded(wakeUpBefore.getAsLong(), slot, context);
        }
        store(slot, after, context);
    }

    /** Stores a detector's state and sets the timer for its next wake-up; null leaves no state behind. */
    private <S extends SpecificRecordBase> void store(Slot<S> slot, S state, Context context) throws Exception {
        if (state == null) {
            slot.state.clear();
            return;
        }
        slot.state.update(state);
        if (registerTimers) {
            slot.detector.nextWakeUp(state).ifPresent(context.timerService()::registerEventTimeTimer);
        }
    }

    /** A timer is shared by every detector and pending input at that instant: delete it only if none needs it. */
    private void deleteTimerUnlessNeeded(long time, Slot<?> changing, Context context) throws Exception {
        for (CustomerInput input : pending.get()) {
            if (CustomerInputs.eventTime(input) == time) {
                return;
            }
        }
        for (Slot<?> other : slots) {
            if (other != changing && wakesUpAt(other, time)) {
                return;
            }
        }
        context.timerService().deleteEventTimeTimer(time);
    }

    private static <S extends SpecificRecordBase> boolean wakesUpAt(Slot<S> slot, long time) throws Exception {
        OptionalLong wakeUp = slot.detector.nextWakeUp(slot.state.value());
        return wakeUp.isPresent() && wakeUp.getAsLong() == time;
    }
}
