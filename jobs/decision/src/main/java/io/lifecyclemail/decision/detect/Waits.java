package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.scenario.DelayedScenario;
import java.io.Serializable;
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

    /** Scenarios whose deadline {@code anchor + wait} is after {@code decidedUpTo} and at or before {@code time}. */
    public List<T> due(long anchor, long decidedUpTo, long time) {
        List<T> due = new ArrayList<>();
        for (T scenario : scenarios) {
            long deadline = anchor + scenario.delay().toMillis();
            if (deadline > decidedUpTo && deadline <= time) {
                due.add(scenario);
            }
        }
        return due;
    }

    /**
     * When state anchored at {@code anchor} next needs attention: its next undecided deadline, else
     * the moment it ends ({@code anchor + lifetimeMillis}), when the caller forgets it.
     */
    public long nextWakeUp(long anchor, long decidedUpTo, long lifetimeMillis) {
        OptionalLong deadline = next(anchor, decidedUpTo);
        return deadline.isPresent() ? deadline.getAsLong() : anchor + lifetimeMillis;
    }

    /** The first deadline after {@code decidedUpTo}, if any. */
    public OptionalLong next(long anchor, long decidedUpTo) {
        for (T scenario : scenarios) {
            long deadline = anchor + scenario.delay().toMillis();
            if (deadline > decidedUpTo) {
                return OptionalLong.of(deadline);
            }
        }
        return OptionalLong.empty();
    }
}
