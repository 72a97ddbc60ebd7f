package io.lifecyclemail.decision.rfm;

import java.io.Serializable;
import java.util.Arrays;

/**
 * 1-5 scores by quintiles of a whole population, exact (the bootstrap; the live job's sketches
 * approximate the same boundaries). The four boundaries are the values at the 20th, 40th, 60th and
 * 80th percentile (nearest rank: the value of the ceil(p x n)-th smallest). A value scores one more
 * for every boundary it is strictly better than, so equal values always get equal scores: where
 * many customers share a value (most have bought once), they all get the same score and some scores
 * stay unused, which is what an analyst reading "F = 1" expects.
 *
 * @param boundaries the four boundaries, ascending
 * @param higherIsBetter true for frequency and monetary value; false for recency in days
 */
public record QuintileScores(double[] boundaries, boolean higherIsBetter) implements Serializable {
    public QuintileScores {
        if (boundaries.length != 4) {
            throw new IllegalArgumentException("four boundaries");
        }
        boundaries = boundaries.clone();
        for (int i = 1; i < 4; i++) {
            if (boundaries[i] < boundaries[i - 1]) {
                throw new IllegalArgumentException("boundaries must ascend");
            }
        }
    }

    /** The 1-based nearest rank ceil(k x n / 5) of the k-th quintile boundary, in integers (3 x 0.2 x 100 is 60.000000000000014 in doubles). */
    public static long quintileRank(int k, long n) {
        return Math.max(1, ((long) k * n + 4) / 5);
    }

    /** The 1-based nearest rank ceil(q x n) of quantile q (at least 1). */
    public static long nearestRank(double q, long n) {
        return Math.max(1, (long) Math.ceil(q * n - 1e-9));
    }

    /** The boundaries of a population's values (in any order); at least one value. */
    public static QuintileScores of(double[] values, boolean higherIsBetter) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values to score against");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] boundaries = new double[4];
        for (int i = 0; i < 4; i++) {
            boundaries[i] = sorted[(int) quintileRank(i + 1, sorted.length) - 1];
        }
        return new QuintileScores(boundaries, higherIsBetter);
    }

    public int score(double value) {
        int better = 0;
        for (double boundary : boundaries) {
            if (higherIsBetter ? value > boundary : value < boundary) {
                better++;
            }
        }
        return 1 + better; // for recency, fewer days than every boundary is best: 5

    }

    @Override
    public double[] boundaries() {
        return boundaries.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof QuintileScores that && higherIsBetter == that.higherIsBetter
                && Arrays.equals(boundaries, that.boundaries);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(boundaries) + Boolean.hashCode(higherIsBetter);
    }

    @Override
    public String toString() {
        return "QuintileScores" + Arrays.toString(boundaries) + (higherIsBetter ? " higher is better" : " lower is better");
    }
}
