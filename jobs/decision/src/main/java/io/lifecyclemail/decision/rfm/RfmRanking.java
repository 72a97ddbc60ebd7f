package io.lifecyclemail.decision.rfm;

import io.lifecyclemail.decision.rfm.CustomerRanks.Rank;
import io.lifecyclemail.decision.scenario.Audience;
import io.lifecyclemail.decision.scenario.RankChangeScenario;
import io.lifecyclemail.schema.RankSize;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.RankStanding;
import io.lifecyclemail.state.RankedCustomer;
import io.lifecyclemail.state.RfmChange;
import io.lifecyclemail.state.RfmValues;
import io.lifecyclemail.state.ScenarioTrigger;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the rank stage does with a customer, free of Flink: score a change against the latest summary,
 * re-score on a new summary, publish the rfm record and the standing when they change, and fire the
 * RankChange scenarios a move between ranks matches.
 */
public record RfmRanking(CustomerRanks ranks, List<RankChangeScenario> scenarios) implements Serializable {
    public RfmRanking {
        scenarios = List.copyOf(scenarios);
    }

    /**
     * @param after the customer's state after it (null: forget the customer)
     * @param changed whether {@code after} differs from the stored state
     * @param record the rfm topic's record, or null when nothing a reader sees changed
     * @param standing the customer stage's new standing, or null when it did not change
     */
    public record Update(RankedCustomer after, boolean changed, RfmRecord record, RankStanding standing,
                         List<ScenarioTrigger> triggers) {}

    /** A customer's RFM changed: record it, scored against the summary in force at its time (null before the first). */
    public Update onChange(RankedCustomer before, RfmChange change, RfmSummary summary) {
        RfmValues values = change.getAfter();
        RankStanding previous = before == null ? null : before.getStanding();
        if (values == null || values.getOrders() <= 0) {
            RfmRecord record = values == null ? null
                    : RfmScoring.record(change.getCustomerId(), values, change.getTime(), change.getCurrency(), null, summary);
            RankStanding unranked = previous == null ? null : new RankStanding(change.getCustomerId(), change.getTime(),
                    Audience.UNRANKED, previous.getRank(), 0, 0, 0, 0, previous.getBranchingPoint());
            return new Update(null, before != null, record, unranked, List.of());
        }
        return score(change.getCustomerId(), values, previous, change.getTime(), change.getCurrency(), summary, true);
    }

    /** A summary time: score the customer again as of it; publish only what changed. */
    public Update onSummary(String customerId, RankedCustomer state, RfmSummary summary) {
        if (state == null) {
            return new Update(null, false, null, null, List.of());
        }
        return score(customerId, state.getValues(), state.getStanding(), summary.getAsOf().toEpochMilli(),
                summary.getCurrency(), summary, false);
    }

    private Update score(String customerId, RfmValues values, RankStanding previous, long time, String currency,
                         RfmSummary summary, boolean valuesChanged) {
        RfmScoring.Scored scored = RfmScoring.score(summary, values, time, ranks);
        RankStanding standing = scored == null ? null : RfmScoring.standing(customerId, time, scored, values, summary,
                previous == null || Audience.UNRANKED.equals(previous.getRank()) ? null : Rank.ofLabel(previous.getRank()));
        boolean standingChanged = standing != null && !sameStanding(previous, standing);
        RankStanding kept = standingChanged ? standing : previous;
        RankedCustomer after = new RankedCustomer(values, kept);
        if (!valuesChanged && !standingChanged) {
            return new Update(after, false, null, null, List.of());
        }
        RfmRecord record = RfmScoring.record(customerId, values, time, currency, scored, summary);
        List<ScenarioTrigger> triggers = new ArrayList<>();
        if (standingChanged && standing.getPreviousRank() != null && !standing.getPreviousRank().equals(standing.getRank())) {
            Rank from = Rank.ofLabel(standing.getPreviousRank());
            Rank to = Rank.ofLabel(standing.getRank());
            for (RankChangeScenario scenario : scenarios) {
                if (scenario.enabled() && scenario.matches(from, to)) {
                    triggers.add(new ScenarioTrigger(scenario.id(), customerId,
                            "rank/" + time + "/" + from.label() + ">" + to.label(), time, "", List.of(),
                            "rank changed from " + from.label() + " to " + to.label() + " (" + values.getOrders()
                                    + " purchases, total " + values.getTotalMinor() + " " + currency
                                    + ", against the rfm-summary as of " + summary.getAsOf() + ")", null));
                }
            }
        }
        return new Update(after, true, record, standingChanged ? standing : null, triggers);
    }

    private static boolean sameStanding(RankStanding a, RankStanding b) {
        return a != null && a.getRank().equals(b.getRank()) && a.getRecencyScore() == b.getRecencyScore()
                && a.getFrequencyScore() == b.getFrequencyScore() && a.getMonetaryScore() == b.getMonetaryScore()
                && a.getFrequency() == b.getFrequency() && a.getBranchingPoint() == b.getBranchingPoint();
    }

    /** Buyers per rank, with their orders, totals and repeaters, into rank sizes and LTV. */
    public static final class Tally {
        private final Map<Rank, long[]> byRank = new EnumMap<>(Rank.class); // customers, orders, total, repeaters

        public Tally() {
            for (Rank rank : Rank.values()) {
                byRank.put(rank, new long[4]);
            }
        }

        public void add(Rank rank, long customers, long orders, long totalMinor, long repeaters) {
            long[] sums = byRank.get(rank);
            sums[0] += customers;
            sums[1] += orders;
            sums[2] += totalMinor;
            sums[3] += repeaters;
        }

        /** Every rank's size, average order and LTV (average order + average order x the rank's repeat rate). */
        public List<RankSize> sizes() {
            List<RankSize> sizes = new ArrayList<>();
            byRank.forEach((rank, total) -> {
                double average = total[1] == 0 ? 0 : (double) total[2] / total[1];
                double repeat = total[0] == 0 ? 0 : (double) total[3] / total[0];
                sizes.add(new RankSize(rank.label(), total[0], Math.round(average), repeat,
                        Math.round(CustomerRanks.lifetimeValue(average, repeat))));
            });
            return sizes;
        }
    }
}
