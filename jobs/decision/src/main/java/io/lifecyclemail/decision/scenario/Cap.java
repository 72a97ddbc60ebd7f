package io.lifecyclemail.decision.scenario;

import io.lifecyclemail.common.time.Durations;
import java.io.Serializable;
import java.time.Duration;

/**
 * At most {@code max} marketing mails in any window of length {@code per} (a sliding window: "1 per
 * 1d" means never two within 24 hours, whatever the clock says).
 */
public record Cap(int max, Duration per) implements Serializable {
    public Cap {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        if (per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("per must be positive");
        }
    }

    @Override
    public String toString() {
        return max + " per " + Durations.format(per);
    }
}
