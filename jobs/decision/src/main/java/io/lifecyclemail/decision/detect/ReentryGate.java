package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.scenario.Reentry;
import io.lifecyclemail.state.EntryLog;
import io.lifecyclemail.state.ScenarioEntry;
import java.time.Instant;
import java.util.HashMap;
import java.util.OptionalLong;

/**
 * The scenarios' re-entry rules over one customer's entries, free of Flink. A candidate whose
 * trigger differs from the last entry of its scenario and natural key is a new entry: admitted if
 * the scenario allows it ({@code always}, or {@code after} has passed), else blocked. The later
 * steps of an entry share its trigger and are always admitted. Only scenarios that restrict
 * re-entry leave anything in the log, and an entry is forgotten once it can no longer block (its
 * {@code after} has passed, or its key cannot come back).
 *
 * <p>A {@link PassiveDetector}: the caller keeps its state and wake-ups like any other's.
 */
public final class ReentryGate implements PassiveDetector<EntryLog> {
    private static final long serialVersionUID = 1L;

    /** @param blockedBecause null when admitted, else why not */
    public record Admission(EntryLog log, String blockedBecause) {
        public boolean admitted() {
            return blockedBecause == null;
        }
    }

    public Admission admit(EntryLog log, Candidate candidate) {
        Reentry reentry = candidate.scenario().policy().reentry();
        if (reentry.always()) {
            return new Admission(log, null);
        }
        String key = candidate.scenario().id() + "/" + candidate.entry().key();
        ScenarioEntry last = log == null ? null : log.getEntries().get(key);
        if (last != null && last.getForgetAt() > candidate.triggerTime()) {
            if (last.getTriggerEventId().equals(candidate.triggerEventId())) {
                return new Admission(log, null); // a later step of the same entry
            }
            return new Admission(log, "entered " + candidate.scenario().id()
                    + (candidate.entry().key().isEmpty() ? "" : " for " + candidate.entry().key())
                    + " at " + Instant.ofEpochMilli(last.getTime()) + "; re-entry is " + reentry);
        }
        long time = candidate.triggerTime();
        long lifetime = candidate.entry().lifetimeMillis();
        long keyGone = lifetime == Long.MAX_VALUE ? Long.MAX_VALUE : time + lifetime;
        long forgetAt = reentry.never() ? keyGone : Math.min(keyGone, time + reentry.after().toMillis());
        EntryLog updated = log == null ? new EntryLog(new HashMap<>()) : log;
        updated.getEntries().put(key, new ScenarioEntry(candidate.triggerEventId(), time, forgetAt));
        return new Admission(updated, null);
    }

    @Override
    public String stateName() {
        return "scenario-entries";
    }

    @Override
    public Class<EntryLog> stateClass() {
        return EntryLog.class;
    }

    @Override
    public EntryLog expire(EntryLog log, long time) {
        if (log == null) {
            return null;
        }
        log.getEntries().values().removeIf(entry -> entry.getForgetAt() <= time);
        return log.getEntries().isEmpty() ? null : log;
    }

    @Override
    public OptionalLong nextWakeUp(EntryLog log) {
        if (log == null) {
            return OptionalLong.empty();
        }
        long next = Long.MAX_VALUE; // a loop: a customer's log may hold many entries, and this runs on every admission
        for (ScenarioEntry entry : log.getEntries().values()) {
            next = Math.min(next, entry.getForgetAt());
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }

}
