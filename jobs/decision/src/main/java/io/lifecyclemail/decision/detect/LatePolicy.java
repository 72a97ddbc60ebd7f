package io.lifecyclemail.decision.detect;

import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.state.CustomerInput;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the decision job does with an event that arrives behind the watermark (the time up to which
 * every input has been read). Up to {@code allowedLateness} behind, the event is applied as if it had
 * come in time (a deadline it sets that has already passed falls due at the next watermark). Further
 * behind, {@code beyond} decides: drop it (default: a week-old cart add must not mail now) or apply it
 * anyway. Either way it is counted and recorded on the decisions topic, never silently lost.
 *
 * <p>Within the allowed lateness the ids of applied events are remembered, so a late copy of an
 * event already applied is recognised and ignored; further behind a copy is "too late" and, with the
 * default policy, dropped like any other.
 */
public record LatePolicy(Duration allowedLateness, Beyond beyond) implements Serializable {
    public static final LatePolicy DEFAULT = new LatePolicy(Duration.ofHours(1), Beyond.DROP);

    public enum Beyond { DROP, APPLY }

    public enum Verdict { ON_TIME, LATE, TOO_LATE_APPLIED, TOO_LATE_DROPPED }

    public LatePolicy {
        Objects.requireNonNull(allowedLateness, "allowedLateness");
        Objects.requireNonNull(beyond, "beyond");
        if (allowedLateness.isNegative()) {
            throw new IllegalArgumentException("allowed lateness must not be negative");
        }
    }

    public Verdict classify(long eventTime, long watermark) {
        if (eventTime > watermark) {
            return Verdict.ON_TIME;
        }
        if (watermark - eventTime <= allowedLateness.toMillis()) {
            return Verdict.LATE;
        }
        return beyond == Beyond.DROP ? Verdict.TOO_LATE_DROPPED : Verdict.TOO_LATE_APPLIED;
    }

    /** Without allowed lateness every copy of an event is either released with it or too late: nothing to remember. */
    public boolean remembersIds() {
        return !allowedLateness.isZero();
    }

    /**
     * When the memory of an event at {@code eventTime} can be pruned: at the next whole multiple of
     * the allowed lateness after it falls behind, so that one timer serves every event of that span.
     */
    public long pruneAfter(long eventTime) {
        long step = allowedLateness.toMillis();
        return Math.floorDiv(eventTime + step, step) * step + step;
    }

    /** Whether a timer at {@code time} is a pruning time. */
    public boolean isPruneTime(long time) {
        return Math.floorMod(time, allowedLateness.toMillis()) == 0;
    }

    /** The decision record of an event that came later than the allowed lateness. */
    public Decision tooLate(CustomerInput input, long watermark, boolean applied) {
        String eventId = CustomerInputs.eventId(input);
        long eventTime = CustomerInputs.eventTime(input);
        String action = applied ? "applied anyway" : "dropped";
        return Decision.newBuilder()
                .setDecisionId("late:" + eventId)
                .setCustomerId(CustomerInputs.customerId(input))
                .setScenarioId("")
                .setScenarioVersion(0)
                .setScenarioKind(KIND)
                .setStep(CustomerInputs.source(input))
                .setOutcome(DecisionOutcome.LATE_EVENT)
                .setRule("late-events.beyond=" + beyond.name().toLowerCase())
                .setReason(CustomerInputs.source(input) + " event " + eventId + " at " + Instant.ofEpochMilli(eventTime)
                        + " arrived " + Durations.format(Duration.ofMillis(watermark - eventTime))
                        + " behind the watermark, more than the allowed lateness of "
                        + Durations.format(allowedLateness) + ": " + action)
                .setTriggerEventId(eventId)
                .setTriggerTime(Instant.ofEpochMilli(eventTime))
                .build();
    }

    /** scenario_kind of the decision records about late events. */
    public static final String KIND = "LateEvent";
}
