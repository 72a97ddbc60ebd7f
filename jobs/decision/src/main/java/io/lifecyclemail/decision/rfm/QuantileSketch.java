package io.lifecyclemail.decision.rfm;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * A mergeable quantile sketch for the RFM scores of the live job: each parallel instance sketches
 * its customers, and the sketches are merged into one for the boundaries. Values are kept in
 * buckets whose bounds grow by a factor {@code gamma = (1 + alpha) / (1 - alpha)}, so a quantile is
 * returned within a relative error of {@code alpha} of a true value at that rank (the DDSketch
 * scheme); whole numbers up to {@code exactUpTo} (days, purchase counts) are counted exactly, so
 * their boundaries, and the ties that scores depend on, are exact. Merging adds counts: the result
 * does not depend on how customers were split over instances. Negative values are not expected
 * (RFM values are not negative) and are refused.
 */
public final class QuantileSketch implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double alpha;
    private final double logGamma;
    private final long exactUpTo;
    private final TreeMap<Long, Long> exact = new TreeMap<>();
    private final TreeMap<Integer, Long> buckets = new TreeMap<>();
    private long count;

    public QuantileSketch(double alpha, long exactUpTo) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be between 0 and 1");
        }
        this.alpha = alpha;
        this.logGamma = Math.log((1 + alpha) / (1 - alpha));
        this.exactUpTo = exactUpTo;
    }

    /**
     * A sketch from stored counts (see {@link #exactCounts()} and {@link #bucketCounts()}): keyed state
     * holds them as string-keyed maps, the form Avro keeps.
     */
    public static QuantileSketch fromCounts(double alpha, long exactUpTo, Map<String, Long> exactCounts,
                                            Map<String, Long> bucketCounts) {
        QuantileSketch sketch = new QuantileSketch(alpha, exactUpTo);
        exactCounts.forEach((value, n) -> {
            if (n > 0) {
                sketch.exact.put(Long.parseLong(value), n);
                sketch.count += n;
            }
        });
        bucketCounts.forEach((index, n) -> {
            if (n > 0) {
                sketch.buckets.put(Integer.parseInt(index), n);
                sketch.count += n;
            }
        });
        return sketch;
    }

    /** The key under which {@code value} is counted: "=v" for an exact value, "~i" for a bucket index. */
    public String keyOf(double value) {
        if (value < 0 || Double.isNaN(value)) {
            throw new IllegalArgumentException("value must be a non-negative number: " + value);
        }
        return value == Math.rint(value) && value <= exactUpTo
                ? "=" + (long) value : "~" + (int) Math.ceil(Math.log(value) / logGamma);
    }

    public double alpha() {
        return alpha;
    }

    public long count() {
        return count;
    }

    public void add(double value) {
        if (value < 0 || Double.isNaN(value)) {
            throw new IllegalArgumentException("value must be a non-negative number: " + value);
        }
        if (value == Math.rint(value) && value <= exactUpTo) {
            exact.merge((long) value, 1L, Long::sum);
        } else {
            buckets.merge((int) Math.ceil(Math.log(value) / logGamma), 1L, Long::sum);
        }
        count++;
    }

    /**
     * Takes back a value added before: a customer's R, F or M changes, so the live job removes the old
     * value and adds the new one (counts never go below zero; an empty bucket is dropped).
     */
    public void remove(double value) {
        if (value < 0 || Double.isNaN(value)) {
            throw new IllegalArgumentException("value must be a non-negative number: " + value);
        }
        boolean removed = value == Math.rint(value) && value <= exactUpTo
                ? decrement(exact, (long) value)
                : decrement(buckets, (int) Math.ceil(Math.log(value) / logGamma));
        if (!removed) {
            throw new IllegalArgumentException(value + " was not in the sketch");
        }
        count--;
    }

    private static <K> boolean decrement(TreeMap<K, Long> counts, K key) {
        Long n = counts.get(key);
        if (n == null) {
            return false;
        }
        if (n == 1) {
            counts.remove(key);
        } else {
            counts.put(key, n - 1);
        }
        return true;
    }

    /** Adds another sketch's counts (made with the same alpha and exact range). */
    public void merge(QuantileSketch other) {
        if (other.alpha != alpha || other.exactUpTo != exactUpTo) {
            throw new IllegalArgumentException("sketches of different accuracy cannot be merged");
        }
        other.exact.forEach((value, n) -> exact.merge(value, n, Long::sum));
        other.buckets.forEach((index, n) -> buckets.merge(index, n, Long::sum));
        count += other.count;
    }

    /**
     * The value at nearest rank ceil(q x n), like {@link QuintileScores}: exact for whole numbers in
     * the exact range, else within {@code alpha} of a value of that rank (the bucket's middle, in
     * relative terms).
     */
    public double quantile(double q) {
        if (count == 0) {
            throw new IllegalStateException("empty sketch");
        }
        long rank = QuintileScores.nearestRank(q, count);
        long seen = 0;
        for (Map.Entry<Long, Long> entry : exact.entrySet()) {
            seen += entry.getValue();
            if (seen >= rank) {
                return entry.getKey();
            }
        }
        for (Map.Entry<Integer, Long> entry : buckets.entrySet()) {
            seen += entry.getValue();
            if (seen >= rank) {
                return middleOfBucket(entry.getKey());
            }
        }
        throw new IllegalStateException("rank beyond the count");
    }

    /** A bucket's value: within alpha of every value in it. */
    public double middleOfBucket(int index) {
        double upper = Math.exp(index * logGamma);
        return 2 * upper / (1 + (1 + alpha) / (1 - alpha));
    }

    /**
     * The value a sketch of this accuracy keeps for {@code value}: itself in the exact range, else its
     * bucket's middle. Scoring a customer by it against the sketch's boundaries treats customers in a
     * boundary's bucket as ties with it, as equal values are.
     */
    public double kept(double value) {
        String key = keyOf(value);
        return key.charAt(0) == '=' ? value : middleOfBucket(Integer.parseInt(key.substring(1)));
    }

    /** The four quintile boundaries, for {@link QuintileScores}. */
    public QuintileScores scores(boolean higherIsBetter) {
        double[] boundaries = new double[4];
        for (int i = 0; i < 4; i++) {
            boundaries[i] = quantile((double) QuintileScores.quintileRank(i + 1, count) / count);
        }
        return new QuintileScores(boundaries, higherIsBetter);
    }
}
