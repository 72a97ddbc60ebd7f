package io.lifecyclemail.decision.rfm;

import io.lifecyclemail.decision.rfm.CustomerRanks.Rank;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.RankStanding;
import io.lifecyclemail.state.RfmValues;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** One customer's scores, rank and LTV against a population summary, free of Flink. */
public final class RfmScoring {
    private RfmScoring() {}

    /** @param ltvMinor average order + average order x the shop's repeat rate */
    public record Scored(int recency, int frequency, int monetary, Rank rank, long ltvMinor) {}

    /** Whole days from the last purchase to {@code asOf}, by the calendar of the values' zone. */
    public static long recencyDays(RfmValues values, long asOf) {
        ZoneId zone = ZoneId.of(values.getZone());
        return ChronoUnit.DAYS.between(RfmPopulation.localDay(values.getLastPurchaseTime(), zone),
                RfmPopulation.localDay(asOf, zone));
    }

    /** Null when the summary has no buyers to score against, or the customer has no counted purchase. */
    public static Scored score(RfmSummary summary, RfmValues values, long asOf, CustomerRanks ranks) {
        if (summary == null || summary.getBuyers() == 0 || values == null || values.getOrders() <= 0) {
            return null;
        }
        int r = scores(summary.getRecencyBoundaries(), false).score(recencyDays(values, asOf));
        int f = scores(summary.getFrequencyBoundaries(), true).score(values.getOrders());
        // against a sketch's boundaries, the total as the sketch keeps it: those in a boundary's bucket tie with it
        double total = summary.getMonetaryRelativeError() > 0
                ? new QuantileSketch(summary.getMonetaryRelativeError(), RfmPopulation.MONETARY_EXACT_UP_TO).kept(Math.max(0, values.getTotalMinor()))
                : values.getTotalMinor();
        int m = scores(summary.getMonetaryBoundaries(), true).score(total);
        Rank rank = ranks.rank(total, values.getOrders(), summary.getTopThresholdMinor(),
                summary.getSuperLoyalThresholdMinor(), summary.getBranchingPoint());
        double average = (double) values.getTotalMinor() / values.getOrders();
        return new Scored(r, f, m, rank, Math.round(CustomerRanks.lifetimeValue(average, summary.getRepeatRate())));
    }

    private static QuintileScores scores(List<Double> boundaries, boolean higherIsBetter) {
        double[] values = new double[boundaries.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = boundaries.get(i);
        }
        return new QuintileScores(values, higherIsBetter);
    }

    /** The record of the rfm topic: the values as of {@code asOf}, scored when {@code scored} is not null. */
    public static RfmRecord record(String customerId, RfmValues values, long asOf, String currency, Scored scored,
                                   RfmSummary summary) {
        RfmRecord.Builder record = RfmRecord.newBuilder()
                .setCustomerId(customerId)
                .setAsOf(Instant.ofEpochMilli(asOf))
                .setFirstOrderTime(Instant.ofEpochMilli(values.getFirstOrderTime()))
                .setLastPurchaseTime(Instant.ofEpochMilli(values.getLastPurchaseTime()))
                .setRecencyDays((int) recencyDays(values, asOf))
                .setFrequency(values.getOrders())
                .setMonetaryMinor(values.getTotalMinor())
                .setAverageOrderMinor(values.getOrders() <= 0 ? 0 : values.getTotalMinor() / values.getOrders())
                .setCurrency(currency)
                .setTimezone(values.getZone());
        if (scored != null) {
            record.setRecencyScore(scored.recency()).setFrequencyScore(scored.frequency())
                    .setMonetaryScore(scored.monetary()).setRank(scored.rank().label()).setLtvMinor(scored.ltvMinor())
                    .setSummaryAsOf(summary.getAsOf());
        }
        return record.build();
    }

    /** What the customer stage keeps for audience rules; {@code previous} is the rank before, or null. */
    public static RankStanding standing(String customerId, long time, Scored scored, RfmValues values,
                                        RfmSummary summary, Rank previous) {
        return new RankStanding(customerId, time, scored.rank().label(), previous == null ? null : previous.label(),
                scored.recency(), scored.frequency(), scored.monetary(), values.getOrders(), summary.getBranchingPoint());
    }
}
