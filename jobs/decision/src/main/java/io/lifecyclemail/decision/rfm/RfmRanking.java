package io.lifecyclemail.decision.rfm;

import io.lifecyclemail.decision.rfm.CustomerRanks.Rank;
import io.lifecyclemail.decision.scenario.Audience;
import io.lifecyclemail.decision.scenario.RankChangeScenario;
import io.lifecyclemail.schema.RankSize;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.RankReport;
import io.lifecyclemail.state.RankStanding;
import io.lifecyclemail.state.RankTally;
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

    /** A customer's RFM changed: record it, scored against {@code summary} (null before the first one). */
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
        // a summary newer than the change (it came first on its own input): score as of the summary
        long asOf = summary == null ? change.getTime() : Math.max(change.getTime(), summary.getAsOf().toEpochMilli());
        return score(change.getCustomerId(), values, previous, asOf, change.getCurrency(), summary, true);
    }

    /** A new summary: re-score the customer as of its time; publish only what changed. */
    public Update onSummary(String customerId, RankedCustomer state, RfmSummary summary) {
        if (state == null) {
            return new Update(null, false, null, null, List.of());
        }
        // a change newer than the summary (it came first on its own input): score as of the change
        return score(customerId, state.getValues(), state.getStanding(),
                Math.max(summary.getAsOf().toEpochMilli(), state.getTime()), summary.getCurrency(), summary, false);
    }

    private Update score(String customerId, RfmValues values, RankStanding previous, long time, String currency,
                         RfmSummary summary, boolean valuesChanged) {
        RfmScoring.Scored scored = RfmScoring.score(summary, values, time, ranks);
        RankStanding standing = scored == null ? null : RfmScoring.standing(customerId, time, scored, values, summary,
                previous == null || Audience.UNRANKED.equals(previous.getRank()) ? null : Rank.ofLabel(previous.getRank()));
        boolean standingChanged = standing != null && !sameStanding(previous, standing);
        RankStanding kept = standingChanged ? standing : previous;
        RankedCustomer after = new RankedCustomer(values, time, kept);
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
                                    + ", against the rfm-summary as of " + summary.getAsOf() + ")"));
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

    /** One instance's customers per rank after a re-ranking. */
    public static final class Tally {
        private final Map<Rank, long[]> byRank = new EnumMap<>(Rank.class); // customers, orders, total, repeaters

        public void add(RankedCustomer customer) {
            if (customer == null || customer.getStanding() == null || Audience.UNRANKED.equals(customer.getStanding().getRank())) {
                return;
            }
            long[] sums = byRank.computeIfAbsent(Rank.ofLabel(customer.getStanding().getRank()), rank -> new long[4]);
            RfmValues values = customer.getValues();
            sums[0]++;
            sums[1] += values.getOrders();
            sums[2] += values.getTotalMinor();
            sums[3] += values.getOrders() >= 2 ? 1 : 0;
        }

        public RankReport report(long asOf, int subtask, int subtasks) {
            List<RankTally> tallies = new ArrayList<>();
            byRank.forEach((rank, sums) -> tallies.add(new RankTally(rank.label(), sums[0], sums[1], sums[2], sums[3])));
            return new RankReport(asOf, subtask, subtasks, tallies);
        }
    }

    /** Every rank's size, average order and LTV (average order + average order x the rank's repeat rate). */
    public static List<RankSize> rankSizes(List<RankReport> reports) {
        Map<Rank, long[]> sums = new EnumMap<>(Rank.class);
        for (Rank rank : Rank.values()) {
            sums.put(rank, new long[4]);
        }
        for (RankReport report : reports) {
            for (RankTally tally : report.getTallies()) {
                long[] total = sums.get(Rank.ofLabel(tally.getRank()));
                total[0] += tally.getCustomers();
                total[1] += tally.getOrders();
                total[2] += tally.getTotalMinor();
                total[3] += tally.getRepeaters();
            }
        }
        List<RankSize> sizes = new ArrayList<>();
        sums.forEach((rank, total) -> {
            double average = total[1] == 0 ? 0 : (double) total[2] / total[1];
            double repeat = total[0] == 0 ? 0 : (double) total[3] / total[0];
            sizes.add(new RankSize(rank.label(), total[0], Math.round(average), repeat,
                    Math.round(CustomerRanks.lifetimeValue(average, repeat))));
        });
        return sizes;
    }

}
