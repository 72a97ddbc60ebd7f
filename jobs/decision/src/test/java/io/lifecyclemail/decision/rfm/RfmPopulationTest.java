package io.lifecyclemail.decision.rfm;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.schema.ChurnStep;
import io.lifecyclemail.schema.ReturnStep;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.PopulationCounts;
import io.lifecyclemail.state.RfmChange;
import io.lifecyclemail.state.RfmValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RfmPopulationTest {
    static final long DAY = 86_400_000L;
    static final long AS_OF = 20_000 * DAY; // a midnight UTC
    static final RfmSettings SETTINGS = RfmSettings.defaults(new RollingRfm(CurrencyTable.only("JPY"), 400 * DAY))
            .withMinCustomers(10);

    static RfmValues values(long last, int orders, long total, String zone) {
        return new RfmValues(last, last, orders, total, zone);
    }

    static RfmChange change(String customer, long time, RfmValues before, RfmValues after, boolean placed) {
        return new RfmChange(customer, time, before, after, placed, "JPY", null);
    }

    @Test
    void boundariesAreExactForRecencyAndFrequencyAndWithinAlphaForTotalsHoweverTheBuyersAreSharded() {
        Random random = new Random(5);
        List<RfmValues> buyers = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            String zone = i % 3 == 0 ? "Asia/Tokyo" : i % 3 == 1 ? "UTC" : "America/New_York";
            buyers.add(values(AS_OF - 1 - (long) random.nextInt(400) * DAY - random.nextInt((int) DAY),
                    1 + (int) Math.floor(-Math.log(random.nextDouble()) * 2), 100 + random.nextInt(200_000), zone));
        }
        PopulationCounts one = RfmPopulation.empty();
        PopulationCounts[] seven = new PopulationCounts[7];
        for (int s = 0; s < 7; s++) {
            seven[s] = RfmPopulation.empty();
        }
        for (int i = 0; i < buyers.size(); i++) {
            RfmChange placed = change("c" + i, buyers.get(i).getLastPurchaseTime(), null, buyers.get(i), true);
            RfmPopulation.apply(one, placed, SETTINGS);
            RfmPopulation.apply(seven[i % 7], placed, SETTINGS);
        }
        PopulationCounts merged = RfmPopulation.empty();
        for (PopulationCounts shard : seven) {
            RfmPopulation.merge(merged, shard);
        }
        assertThat(merged).as("merging does not depend on how customers were split").isEqualTo(one);

        RfmSummary summary = RfmPopulation.summary(merged, AS_OF, SETTINGS);
        double[] recency = buyers.stream().mapToDouble(v -> RfmScoring.recencyDays(v, AS_OF)).toArray();
        double[] frequency = buyers.stream().mapToDouble(RfmValues::getOrders).toArray();
        double[] monetary = buyers.stream().mapToDouble(RfmValues::getTotalMinor).toArray();
        assertThat(summary.getBuyers()).isEqualTo(5000);
        assertThat(summary.getRecencyBoundaries()).containsExactly(boxed(QuintileScores.of(recency, false).boundaries()));
        assertThat(summary.getFrequencyBoundaries()).containsExactly(boxed(QuintileScores.of(frequency, true).boundaries()));
        double[] exactMonetary = QuintileScores.of(monetary, true).boundaries();
        for (int i = 0; i < 4; i++) {
            assertThat(summary.getMonetaryBoundaries().get(i)).isBetween(exactMonetary[i] * (1 - SETTINGS.alpha()),
                    exactMonetary[i] * (1 + SETTINGS.alpha()));
        }
        long repeaters = buyers.stream().filter(v -> v.getOrders() >= 2).count();
        assertThat(summary.getRepeatRate()).isEqualTo((double) repeaters / 5000);
    }

    @Test
    void aChangeTakesBackWhatTheCustomersEarlierValuesAdded() {
        PopulationCounts counts = RfmPopulation.empty();
        RfmValues first = values(AS_OF - 10 * DAY, 1, 1000, "UTC");
        RfmValues second = values(AS_OF - 2 * DAY, 2, 3000, "UTC");
        RfmPopulation.apply(counts, change("a", first.getLastPurchaseTime(), null, first, true), SETTINGS);
        RfmPopulation.apply(counts, change("a", second.getLastPurchaseTime(), first, second, true), SETTINGS);
        RfmPopulation.apply(counts, change("a", AS_OF - DAY, second, first, false), SETTINGS); // returned
        assertThat(counts.getFrequencies()).containsExactly(java.util.Map.entry("1", 1L));
        assertThat(counts.getLastDays()).hasSize(1);
        assertThat(RfmPopulation.summary(counts, AS_OF, SETTINGS).getRecencyBoundaries()).containsOnly(10.0);
        RfmPopulation.apply(counts, change("a", AS_OF - DAY, first, null, false), SETTINGS); // forgotten
        assertThat(counts.getFrequencies()).isEmpty();
        assertThat(counts.getLastDays()).isEmpty();
        assertThat(counts.getMonetaryBuckets()).isEmpty();
        assertThat(counts.getGaps()).as("what happened stays on the curves").isNotEmpty();
    }

    @Test
    void theBranchingCurveCountsWhoCameBackWithinTheWindowAfterEachPurchase() {
        PopulationCounts counts = RfmPopulation.empty();
        long longAgo = AS_OF - 300 * DAY;
        // 40 buy once; 60 buy twice 10 days apart, 30 of them a third time 10 days later, 27 a fourth
        for (int c = 0; c < 100; c++) {
            int purchases = c < 40 ? 1 : c < 70 ? 2 : c < 73 ? 3 : 4;
            RfmValues before = null;
            for (int k = 1; k <= purchases; k++) {
                long time = longAgo + (k - 1) * 10 * DAY;
                RfmValues after = values(time, k, 1000L * k, "UTC");
                RfmPopulation.apply(counts, change("c" + c, time, before, after, true), SETTINGS);
                before = after;
            }
        }
        // a purchase too recent to know whether its customer comes back does not count
        RfmPopulation.apply(counts, change("new", AS_OF - DAY, null, values(AS_OF - DAY, 1, 100, "UTC"), true), SETTINGS);
        RfmSummary summary = RfmPopulation.summary(counts, AS_OF, SETTINGS);
        List<ChurnStep> curve = summary.getBranchingCurve();
        assertThat(curve.get(0)).isEqualTo(new ChurnStep(1, 100L, 40L, 0.40));
        assertThat(curve.get(1)).isEqualTo(new ChurnStep(2, 60L, 30L, 0.50));
        assertThat(curve.get(2)).isEqualTo(new ChurnStep(3, 30L, 3L, 0.10));
        assertThat(curve.get(3)).isEqualTo(new ChurnStep(4, 27L, 27L, 1.0));
        assertThat(summary.getBranchingPoint()).as("churn drops the most at the 3rd purchase").isEqualTo(3);

        // before the branching point: absences of 10 days ended (60 + 30 of them), the others are still going on
        List<ReturnStep> returns = summary.getReturnCurve();
        assertThat(returns.get(0).getAtRisk()).isEqualTo(90 + 40 + 30 + 1); // every absence lasted at least 0 days
        assertThat(returns.get(1).getReturned()).as("gaps of 10 days end in the second week").isEqualTo(90);
        assertThat(returns.get(1).getAtRisk()).isEqualTo(90 + 40 + 30);
        assertThat(returns.get(2).getReturned()).isZero();
        assertThat(summary.getReturnPointDays()).as("after two weeks away they rarely come back").isEqualTo(14);
    }

    static Double[] boxed(double[] values) {
        return java.util.Arrays.stream(values).boxed().toArray(Double[]::new);
    }

    @Test
    void ranksFollowTheThresholdsAndTheBranchingPoint() {
        CustomerRanks ranks = CustomerRanks.DEFAULTS;
        assertThat(ranks.rank(9000, 5, 5000, 8000, 3)).isEqualTo(CustomerRanks.Rank.SUPER_LOYAL);
        assertThat(ranks.rank(6000, 3, 5000, 8000, 3)).isEqualTo(CustomerRanks.Rank.LOYAL);
        assertThat(ranks.rank(9000, 2, 5000, 8000, 3)).isEqualTo(CustomerRanks.Rank.LOYAL_CANDIDATE);
        assertThat(ranks.rank(5000, 4, 5000, 8000, 3)).as("at the threshold is not above it").isEqualTo(CustomerRanks.Rank.SETTLED);
        assertThat(ranks.rank(100, 1, 5000, 8000, 3)).isEqualTo(CustomerRanks.Rank.NON_LOYAL);
    }
}
