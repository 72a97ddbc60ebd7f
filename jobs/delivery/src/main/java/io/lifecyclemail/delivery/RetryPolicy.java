package io.lifecyclemail.delivery;

import java.io.Serializable;
import java.time.Duration;

/**
 * Temporary failures are retried with exponential backoff and jitter (so a recovering server is
 * not hit by every waiting mail at once), up to a number of attempts.
 */
public record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) implements Serializable {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    public boolean mayRetry(int attemptsSoFar) {
        return attemptsSoFar < maxAttempts;
    }

    /**
     * @param attemptsSoFar 1 after the first failure
     * @param random01 a number in [0, 1) for the jitter
     */
    public long backoffMillis(int attemptsSoFar, double random01) {
        double base = firstBackoff.toMillis() * Math.pow(2, Math.max(0, attemptsSoFar - 1));
        double capped = Math.min(base, maxBackoff.toMillis());
        // +-20 % jitter
        return Math.max(1, Math.round(capped * (0.8 + 0.4 * random01)));
    }
}
