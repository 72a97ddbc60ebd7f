package io.lifecyclemail.decision.rfm;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How the decision job keeps RFM, scores and ranks: the per-customer rolling values, and the
 * population they are scored against.
 *
 * @param rolling the per-customer values from the orders stream
 * @param interval how often the population is summarised and every customer re-scored (event time,
 *     aligned to the epoch: 1 day = midnight UTC)
 * @param alpha the monetary sketch's relative error bound
 * @param ranks the rank rules
 * @param churnWindow "came back" means a next purchase within this long
 * @param maxPurchases the longest purchase count on the branching curve
 * @param minCustomers points of a curve observed on fewer customers are not trusted
 * @param shards how many keys the population sketches are spread over before they are merged
 * @param returnWeeks weeks of absence on the return curve
 */
public record RfmSettings(RollingRfm rolling, Duration interval, double alpha, CustomerRanks ranks,
                          Duration churnWindow, int maxPurchases, long minCustomers, int shards, int returnWeeks)
        implements Serializable {
    public static final Duration DEFAULT_INTERVAL = Duration.ofDays(1);
    public static final double DEFAULT_ALPHA = 0.01;
    public static final Duration DEFAULT_CHURN_WINDOW = Duration.ofDays(90);
    public static final int DEFAULT_MAX_PURCHASES = 10;
    public static final long DEFAULT_MIN_CUSTOMERS = 100;
    public static final int DEFAULT_SHARDS = 16;
    public static final int DEFAULT_RETURN_WEEKS = 26;

    public RfmSettings {
        Objects.requireNonNull(rolling, "rolling");
        Objects.requireNonNull(ranks, "ranks");
        if (interval.isNegative() || interval.isZero() || churnWindow.isNegative() || churnWindow.isZero()) {
            throw new IllegalArgumentException("interval and churn window must be positive");
        }
        if (!(alpha > 0 && alpha < 0.5) || maxPurchases < 2 || minCustomers < 1 || shards < 1 || returnWeeks < 2) {
            throw new IllegalArgumentException("need 0 < alpha < 0.5, maxPurchases >= 2, minCustomers >= 1, "
                    + "shards >= 1, returnWeeks >= 2");
        }
    }

    /** The defaults around a rolling RFM. */
    public static RfmSettings defaults(RollingRfm rolling) {
        return new RfmSettings(rolling, DEFAULT_INTERVAL, DEFAULT_ALPHA, CustomerRanks.DEFAULTS, DEFAULT_CHURN_WINDOW,
                DEFAULT_MAX_PURCHASES, DEFAULT_MIN_CUSTOMERS, DEFAULT_SHARDS, DEFAULT_RETURN_WEEKS);
    }

    public RfmSettings withInterval(Duration every) {
        return new RfmSettings(rolling, every, alpha, ranks, churnWindow, maxPurchases, minCustomers, shards, returnWeeks);
    }

    public RfmSettings withMinCustomers(long min) {
        return new RfmSettings(rolling, interval, alpha, ranks, churnWindow, maxPurchases, min, shards, returnWeeks);
    }

    /** The first summary time after {@code time}: the next multiple of the interval. */
    public long nextSummaryAfter(long time) {
        long every = interval.toMillis();
        return Math.floorDiv(time, every) * every + every;
    }
}
