package io.lifecyclemail.decision.scenario;

import io.lifecyclemail.common.time.Durations;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Whether a customer may enter a scenario again (YAML: spec.reentry): {@code never}, {@code always},
 * or {@code after: 30d} (not within that time of the last entry). An entry is counted per the
 * scenario's natural key (a cart, an order, a product; otherwise the customer), and the later steps
 * of one entry (post-purchase steps, several waits) are part of it, not new entries.
 *
 * @param after the time that must pass since the last entry; null for never, zero for always
 */
public record Reentry(Duration after) implements Serializable {
    public static final Reentry NEVER = new Reentry(null);
    public static final Reentry ALWAYS = new Reentry(Duration.ZERO);

    public Reentry {
        if (after != null && after.isNegative()) {
            throw new IllegalArgumentException("reentry after must not be negative");
        }
    }

    public static Reentry after(Duration after) {
        return new Reentry(Objects.requireNonNull(after, "after"));
    }

    public boolean never() {
        return after == null;
    }

    public boolean always() {
        return after != null && after.isZero();
    }

    /** As a marketer writes it in YAML. */
    @Override
    public String toString() {
        return never() ? "never" : always() ? "always" : "after " + Durations.format(after);
    }
}
