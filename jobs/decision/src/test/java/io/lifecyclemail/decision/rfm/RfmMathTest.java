package io.lifecyclemail.decision.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lifecyclemail.decision.rfm.CustomerRanks.Rank;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RfmMathTest {
    static final long DAY = 86_400_000L;

    @Test
    void scoresFiveEqualGroupsOfDistinctValues() {
        double[] amounts = new double[100];
        for (int i = 0; i < 100; i++) {
            amounts[i] = (i + 1) * 1000; // 1,000 .. 100,000
        }
        QuintileScores monetary = QuintileScores.of(amounts, true);
        assertThat(monetary.boundaries()).containsExactly(20_000, 40_000, 60_000, 80_000);
        int[] perScore = new int[6];
        for (double amount : amounts) {
            perScore[monetary.score(amount)]++;
        }
        assertThat(perScore).containsExactly(0, 20, 20, 20, 20, 20);
    }

    @Test
    void equalFrequenciesGetEqualScoresAndOneTimeBuyersAllScoreOne() {
        // 60 % bought once, 25 % twice, 15 % three times or more
        List<Double> frequencies = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            frequencies.add(1.0);
        }
        for (int i = 0; i < 25; i++) {
            frequencies.add(2.0);
        }
        for (int i = 0; i < 15; i++) {
            frequencies.add(3.0 + i % 4);
        }
        QuintileScores frequency = QuintileScores.of(frequencies.stream().mapToDouble(Double::doubleValue).toArray(), true);
        assertThat(frequency.score(1)).isEqualTo(1);
        assertThat(frequency.score(2)).isEqualTo(4); // better than the three boundaries at 1
        assertThat(frequency.score(3)).isEqualTo(5);
    }

    @Test
    void fewerDaysSinceTheLastPurchaseScoreHigher() {
        double[] days = {1, 3, 5, 8, 13, 21, 34, 55, 89, 144};
        QuintileScores recency = QuintileScores.of(days, false);
        assertThat(recency.score(1)).isEqualTo(5);
        assertThat(recency.score(144)).isEqualTo(1);
        assertThat(recency.score(13)).isGreaterThan(recency.score(34));
    }

    @Test
    void scoresMatchAStraightforwardRankComputationOnRandomData() {
        Random random = new Random(5);
        double[] values = new double[997];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(50); // many ties
        }
        QuintileScores scores = QuintileScores.of(values, true);
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        for (double value : values) {
            // independently: count the quintile cut values (k/5 of the way through the sorted values) it exceeds
            int expected = 1;
            for (int k = 1; k <= 4; k++) {
                double cut = sorted[(int) Math.ceil(k * values.length / 5.0) - 1];
                if (value > cut) {
                    expected++;
                }
            }
            assertThat(scores.score(value)).isEqualTo(expected);
        }
    }

    @Test
    void branchingPointIsWhereChurnDropsMostAndTheCurveIsPublished() {
        // churn after the 1st purchase 70 %, after the 2nd 60 %, after the 3rd 20 %: the 3rd purchase is the point
        List<long[]> customers = new ArrayList<>();
        long asOf = 1000 * DAY;
        long window = 90 * DAY;
        addCustomers(customers, 70, 1);  // bought once
        addCustomers(customers, 18, 2);  // 30 came back; 60 % of those (18) stop at 2
        addCustomers(customers, 2, 3);   // 12 reached 3; ...
        addCustomers(customers, 10, 6);
        BranchingPoint.Result result = BranchingPoint.estimate(customers, asOf, window, 5, 10);
        assertThat(result.curve().get(0).churnRate()).isCloseTo(0.70, within(1e-9));
        assertThat(result.curve().get(1).churnRate()).isCloseTo(0.60, within(1e-9));
        assertThat(result.curve().get(2).churnRate()).isCloseTo(2.0 / 12, within(1e-9));
        assertThat(result.point()).isEqualTo(3);
    }

    @Test
    void recentPurchasesDoNotCountAsChurnAndThinCountsAreNotTrusted() {
        List<long[]> customers = new ArrayList<>();
        long asOf = 100 * DAY;
        customers.add(new long[] {95 * DAY}); // bought 5 days ago: too early to call churn
        BranchingPoint.Result result = BranchingPoint.estimate(customers, asOf, 30 * DAY, 3, 1);
        assertThat(result.curve().get(0).customers()).isZero();
        assertThat(result.point()).isZero();
    }

    static void addCustomers(List<long[]> customers, int count, int purchases) {
        for (int c = 0; c < count; c++) {
            long[] times = new long[purchases];
            for (int p = 0; p < purchases; p++) {
                times[p] = (10 + p * 30) * DAY; // 30 days apart: within the window
            }
            customers.add(times);
        }
    }

    @Test
    void ranksSplitTheTopByTheBranchingPointAndTheBottomByRepeat() {
        CustomerRanks ranks = CustomerRanks.DEFAULTS;
        assertThat(ranks.rank(0.05, 4, 3)).isEqualTo(Rank.SUPER_LOYAL);
        assertThat(ranks.rank(0.20, 3, 3)).isEqualTo(Rank.LOYAL);
        assertThat(ranks.rank(0.05, 2, 3)).isEqualTo(Rank.LOYAL_CANDIDATE);
        assertThat(ranks.rank(0.50, 2, 3)).isEqualTo(Rank.SETTLED);
        assertThat(ranks.rank(0.90, 1, 3)).isEqualTo(Rank.NON_LOYAL);
        assertThat(ranks.rank(0.20, 2, 0)).as("unknown point: a repeat makes loyal").isEqualTo(Rank.LOYAL);
    }

    @Test
    void lifetimeValueIsOrderAmountPlusOrderAmountTimesTheMeasuredRepeatRate() {
        double repeatRate = CustomerRanks.repeatRate(new long[] {1, 1, 1, 2, 5, 0});
        assertThat(repeatRate).isCloseTo(0.4, within(1e-9)); // 2 of 5 buyers came back
        assertThat(CustomerRanks.lifetimeValue(5000, repeatRate)).isCloseTo(7000, within(1e-9));
    }
}
