package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.scenario.DelayedScenario;
import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * The deadlines of several scenarios of one kind that wait from the same moment (the anchor): which
 * are due, and which comes next, given the time up to which deadlines have been decided.
 */
public final class Waits<T extends DelayedScenario> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<T> scenarios;

    /** Keeps the enabled scenarios, shortest wait first. */
    public Waits(List<T> scenarios) {
        this.scenarios = scenarios.stream()
                .filter(DelayedScenario::enabled)
                .sorted(Comparator.comparing(DelayedScenario::delay).thenComparing(DelayedScenario::id))
                .toList();
    }

    public List<T> scenarios() {
        return scenarios;
    }

    public long longestMillis() {
        return scenarios.isEmpty() ? 0 : scenarios.get(scenarios.size() - 1).delay().toMillis();
    }

    /**
     * When a scenario's wait from {@code anchor} ends. A wait of whole days counts calendar days in
     * {@code customerZone} (else the scenario's default zone): the same local time N days later, an
     * hour more or less than N x 24h across a DST change. Shorter waits are exact durations.
     */
    public static long deadline(DelayedScenario scenario, long anchor, ZoneId customerZone) {
        long millis = scenario.delay().toMillis();
        if (millis % DAY != 0) {
            return anchor + millis;
        }
        ZoneId zone = customerZone != null ? customerZone : scenario.defaultZone();
        return ZonedDateTime.ofInstant(Instant.ofEpochMilli(anchor), zone).plusDays(millis / DAY).toInstant().toEpochMilli();
    }

    private static final long DAY = 86_400_000L;

    /** Scenarios whose deadline is after {@code decidedUpTo} and at or before {@code time}. */
    public List<T> due(long anchor, ZoneId zone, long decidedUpTo, long time) {
        List<T> due = new ArrayList<>();
        for (T scenario : scenarios) {
            long deadline = deadline(scenario, anchor, zone);
            if (deadline > decidedUpTo && deadline <= time) {
                due.add(scenario);
            }
        }
        return due;
    }

    public List<T> due(long anchor, long decidedUpTo, long time) {
        return due(anchor, null, decidedUpTo, time);
    }

    /**
     * When state anchored at {@code anchor} next needs attention: its next undecided deadline, else
     * the moment it ends (the last deadline, or {@code anchor + lifetimeMillis} if later), when the
     * caller forgets it.
     */
    public long nextWakeUp(long anchor, ZoneId zone, long decidedUpTo, long lifetimeMillis) {
        OptionalLong deadline = next(anchor, zone, decidedUpTo);
        return deadline.isPresent() ? deadline.getAsLong() : end(anchor, zone, lifetimeMillis);
    }

    public long nextWakeUp(long anchor, long decidedUpTo, long lifetimeMillis) {
        return nextWakeUp(anchor, null, decidedUpTo, lifetimeMillis);
    }

    /** When state anchored at {@code anchor} ends: after every deadline, and not before {@code lifetimeMillis}. */
    public long end(long anchor, ZoneId zone, long lifetimeMillis) {
        long end = anchor + lifetimeMillis;
        for (T scenario : scenarios) {
            end = Math.max(end, deadline(scenario, anchor, zone));
        }
        return end;
    }

    /** The earliest deadline after {@code decidedUpTo}, if any. */
    public OptionalLong next(long anchor, ZoneId zone, long decidedUpTo) {
        long next = Long.MAX_VALUE;
        for (T scenario : scenarios) {
            long deadline = deadline(scenario, anchor, zone);
            if (deadline > decidedUpTo) {
                next = Math.min(next, deadline);
            }
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }

    public OptionalLong next(long anchor, long decidedUpTo) {
        return next(anchor, null, decidedUpTo);
    }
}
