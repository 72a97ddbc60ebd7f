package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.scenario.Reentry;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.state.EntryLog;
import io.lifecyclemail.state.LoggedEntry;
import io.lifecyclemail.state.ScenarioEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The scenarios' re-entry rules over one customer's entries, free of Flink. A candidate whose
 * trigger differs from the last entry of its scenario and natural key is a new entry: admitted if
 * the scenario allows it ({@code always}, or {@code after} has passed), else blocked. The later
 * steps of an entry share its trigger and are always admitted. Only scenarios that restrict
 * re-entry leave anything in the log, and an entry is forgotten once it can no longer block (its
 * {@code after} has passed, or its key cannot come back).
 *
 * <p>An entry keeps its scenario as a code ({@link Scenario#code}) and its trigger as a 64-bit hash
 * ({@link HeldIds#hash}): the scenario id and the trigger's event id were most of an entry's bytes,
 * more so with ids as long as UUIDs. Two trigger ids of one scenario and key share a hash with a
 * probability of about 2^-64: a new entry would then pass as a later step of the last one. A log an
 * older version wrote, keyed by scenario id and natural key, is taken over at its first use and
 * written back in the new form.
 *
 * <p>A {@link PassiveDetector}: the caller keeps its state and wake-ups like any other's.
 */
public final class ReentryGate implements PassiveDetector<EntryLog> {
    private static final long serialVersionUID = 1L;
    /** {@link LoggedEntry#getForgetAfter} of an entry kept for good. */
    private static final long NEVER_FORGOTTEN = -1;

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
        int scenario = Scenario.code(candidate.scenario().id());
        String key = candidate.entry().key();
        long trigger = HeldIds.hash(candidate.triggerEventId());
        List<LoggedEntry> logged = log == null ? List.of() : logged(log);
        int at = indexOf(logged, scenario, key);
        LoggedEntry last = at < 0 ? null : logged.get(at);
        if (last != null && forgetAt(last) > candidate.triggerTime()) {
            if (last.getTrigger() == trigger) {
                return new Admission(log, null); // a later step of the same entry
            }
            return new Admission(log, "entered " + candidate.scenario().id()
                    + (key.isEmpty() ? "" : " for " + key)
                    + " at " + Instant.ofEpochMilli(last.getTime()) + "; re-entry is " + reentry);
        }
        long time = candidate.triggerTime();
        long lifetime = candidate.entry().lifetimeMillis();
        long keyGone = lifetime == Long.MAX_VALUE ? Long.MAX_VALUE : time + lifetime;
        long forgetAt = reentry.never() ? keyGone : Math.min(keyGone, time + reentry.after().toMillis());
        LoggedEntry entry = new LoggedEntry(scenario, StateValues.shared(key), trigger, time, forgetAfter(time, forgetAt));
        EntryLog updated = log == null ? new EntryLog(Map.of(), new ArrayList<>(1)) : log;
        if (at >= 0) {
            updated.getLogged().set(at, entry);
        } else {
            updated.getLogged().add(entry);
        }
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
        List<LoggedEntry> kept = new ArrayList<>();
        for (LoggedEntry entry : logged(log)) {
            if (forgetAt(entry) > time) {
                kept.add(entry);
            }
        }
        if (kept.isEmpty()) {
            return null;
        }
        if (kept.size() < log.getLogged().size()) {
            log.setLogged(kept); // a new list: Avro's, as read, removes nothing
        }
        return log;
    }

    @Override
    public OptionalLong nextWakeUp(EntryLog log) {
        if (log == null) {
            return OptionalLong.empty();
        }
        long next = Long.MAX_VALUE; // a loop: a customer's log may hold many entries, and this runs on every admission
        for (LoggedEntry entry : logged(log)) {
            next = Math.min(next, forgetAt(entry));
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }

    /** What an entry keeps of when it is forgotten: the inverse of {@link #forgetAt}. */
    private static long forgetAfter(long time, long forgetAt) {
        return forgetAt == Long.MAX_VALUE ? NEVER_FORGOTTEN : forgetAt - time;
    }

    private static long forgetAt(LoggedEntry entry) {
        return entry.getForgetAfter() == NEVER_FORGOTTEN ? Long.MAX_VALUE : entry.getTime() + entry.getForgetAfter();
    }

    private static int indexOf(List<LoggedEntry> logged, int scenario, String key) {
        for (int i = 0; i < logged.size(); i++) {
            LoggedEntry entry = logged.get(i);
            if (entry.getScenario() == scenario && entry.getKey().equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The log's entries, which the caller may change: those an older version kept by scenario id and
     * natural key ("id/key"; ids have no '/') are taken over first.
     */
    private static List<LoggedEntry> logged(EntryLog log) {
        if (!log.getEntries().isEmpty()) {
            List<LoggedEntry> logged = new ArrayList<>(log.getLogged());
            for (Map.Entry<String, ScenarioEntry> older : log.getEntries().entrySet()) {
                int slash = older.getKey().indexOf('/');
                ScenarioEntry entry = older.getValue();
                logged.add(new LoggedEntry(Scenario.code(older.getKey().substring(0, slash)),
                        older.getKey().substring(slash + 1), HeldIds.hash(entry.getTriggerEventId()), entry.getTime(),
                        forgetAfter(entry.getTime(), entry.getForgetAt())));
            }
            log.setEntries(Map.of());
            log.setLogged(logged);
        }
        return log.getLogged();
    }
}
