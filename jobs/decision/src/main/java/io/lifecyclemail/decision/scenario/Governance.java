package io.lifecyclemail.decision.scenario;

import io.lifecyclemail.common.time.Durations;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A scenario's own settings for the governor.
 *
 * @param transactional every step is transactional (no consent, caps, quiet hours or holdout apply)
 * @param transactionalSteps the steps that are, when not all are (a PostPurchase "shipped" notice)
 * @param caps the scenario's own caps, beside the global ones
 * @param whenCapped what happens to a candidate a cap (or a higher priority) refuses
 * @param maxDelay with {@code defer}: how long after its trigger a candidate may still go out
 * @param holdout share (0 to below 1) of customers who never get this scenario's mail, recorded HELD_OUT
 * @param variants content variants, chosen by weight; empty: the scenario's template
 */
public record Governance(boolean transactional, Set<String> transactionalSteps, List<Cap> caps, WhenCapped whenCapped,
                         Duration maxDelay, double holdout, List<Variant> variants) implements Serializable {
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofDays(1);
    public static final Governance DEFAULT = new Governance(false, Set.of(), List.of(), WhenCapped.DROP,
            DEFAULT_MAX_DELAY, 0, List.of());

    public enum WhenCapped {
        DROP, DEFER;

        public String yamlName() {
            return name().toLowerCase();
        }
    }

    public Governance {
        transactionalSteps = Set.copyOf(transactionalSteps);
        caps = List.copyOf(caps);
        variants = List.copyOf(variants);
        if (holdout < 0 || holdout >= 1) {
            throw new IllegalArgumentException("holdout must be from 0 to below 100 %");
        }
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must not be negative");
        }
    }

    public boolean isTransactional(String step) {
        return transactional || transactionalSteps.contains(step);
    }

    public int totalWeight() {
        return variants.stream().mapToInt(Variant::weight).sum();
    }

    /** A candidate refused by a cap at {@code triggerTime} may wait until this (Long.MIN_VALUE: it may not wait). */
    public long giveUpAt(long triggerTime) {
        return whenCapped == WhenCapped.DEFER ? triggerTime + maxDelay.toMillis() : Long.MIN_VALUE;
    }

    public String describeWhenCapped() {
        return whenCapped == WhenCapped.DEFER ? "defer up to " + Durations.format(maxDelay) + " after the trigger" : "drop";
    }
}
