package io.lifecyclemail.decision.scenario;

import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.state.RankStanding;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Who may get a scenario's mail by RFM (ranks, score ranges and the side of the branching point) and
 * by what they did with earlier mail (opened or clicked within a time, or not).
 * A customer the rank stage has not ranked (no counted purchase yet, or before the first summary) is
 * "unranked": only a {@code ranks} list naming {@code unranked} admits them, score ranges do not, and
 * they are before the branching point (no purchase is before any point).
 *
 * @param ranks rank labels (and {@code unranked}) admitted; empty: every rank
 * @param recency admitted recency scores; frequency and monetary likewise
 * @param purchases the side of the branching point admitted; null: either
 * @param engagement rules on opens and clicks, all of which must hold; empty: none
 */
public record Audience(Set<String> ranks, ScoreRange recency, ScoreRange frequency, ScoreRange monetary,
                       BranchingSide purchases, List<EngagementRule> engagement) implements Serializable {
    public static final String UNRANKED = "unranked";
    public static final Audience EVERYONE = new Audience(Set.of(), ScoreRange.ANY, ScoreRange.ANY, ScoreRange.ANY, null);

    public Audience(Set<String> ranks, ScoreRange recency, ScoreRange frequency, ScoreRange monetary,
                    BranchingSide purchases) {
        this(ranks, recency, frequency, monetary, purchases, List.of());
    }

    /** What a customer did with earlier mail, as far as the audiences' windows reach back. */
    public interface Engagement {
        Engagement NONE = (action, scenarios) -> 0;

        /**
         * @param scenarios only these scenarios' mails; empty: any mail
         * @return event time (epoch ms) of the customer's last such action, 0 when none is known
         */
        long last(Action action, Set<String> scenarios);
    }

    /** An open counts every click too: a click means the mail was read, even with images blocked. */
    public enum Action { OPENED, CLICKED }

    /**
     * "Opened (or clicked) a mail within the last {@code within}", or with {@code not}, "has not".
     *
     * @param scenarios only these scenarios' mails count; empty: any mail from the engine
     */
    public record EngagementRule(Action action, boolean not, Duration within, Set<String> scenarios)
            implements Serializable {
        public EngagementRule {
            scenarios = Set.copyOf(scenarios);
            if (within.isNegative() || within.isZero()) {
                throw new IllegalArgumentException("within must be positive");
            }
        }

        /** Why the customer is outside, or null when the rule admits them at {@code time}. */
        String excludes(Engagement engagement, long time) {
            long last = engagement.last(action, scenarios);
            boolean did = last > 0 && last > time - within.toMillis() && last <= time;
            if (did == !not) {
                return null;
            }
            String what = (action == Action.OPENED ? "opened" : "clicked") + " "
                    + (scenarios.isEmpty() ? "a mail" : "a mail of " + scenarios.stream().sorted().toList())
                    + " within " + Durations.format(within);
            return not ? what : "has not " + what;
        }
    }

    public enum BranchingSide { BEFORE_BRANCHING_POINT, AFTER_BRANCHING_POINT }

    /** Scores from min to max, both included (1-5). */
    public record ScoreRange(int min, int max) implements Serializable {
        public static final ScoreRange ANY = new ScoreRange(1, 5);

        public ScoreRange {
            if (min < 1 || max > 5 || min > max) {
                throw new IllegalArgumentException("a score range is within 1-5 and min <= max");
            }
        }

        boolean any() {
            return min == 1 && max == 5;
        }

        boolean admits(int score) {
            return score >= min && score <= max;
        }
    }

    public Audience {
        ranks = Set.copyOf(ranks);
        engagement = List.copyOf(engagement);
    }

    public boolean everyone() {
        return ranks.isEmpty() && recency.any() && frequency.any() && monetary.any() && purchases == null
                && engagement.isEmpty();
    }

    /** Why the customer is outside this audience, or null when they are in it (rank rules only). */
    public String excludes(RankStanding standing) {
        return excludes(standing, Engagement.NONE, 0);
    }

    /**
     * Why the customer is outside this audience, or null when they are in it.
     *
     * @param time event time (epoch ms) of the decision: the engagement windows end there
     */
    public String excludes(RankStanding standing, Engagement engagement, long time) {
        if (everyone()) {
            return null;
        }
        List<String> why = new ArrayList<>();
        for (EngagementRule rule : this.engagement) {
            String excluded = rule.excludes(engagement, time);
            if (excluded != null) {
                why.add(excluded);
            }
        }
        String rank = standing == null ? UNRANKED : standing.getRank();
        if (!ranks.isEmpty() && !ranks.contains(rank)) {
            why.add("rank " + rank + " is not one of " + ranks.stream().sorted().toList());
        }
        if (standing == null) {
            if (!recency.any() || !frequency.any() || !monetary.any()) {
                why.add("the customer has no RFM scores yet");
            }
            if (purchases == BranchingSide.AFTER_BRANCHING_POINT) {
                why.add("no purchase is after the branching point");
            }
        } else {
            score("recency", standing.getRecencyScore(), recency, why);
            score("frequency", standing.getFrequencyScore(), frequency, why);
            score("monetary", standing.getMonetaryScore(), monetary, why);
            if (purchases != null) {
                int point = standing.getBranchingPoint() > 0 ? standing.getBranchingPoint() : 2;
                boolean after = standing.getFrequency() >= point;
                if (after != (purchases == BranchingSide.AFTER_BRANCHING_POINT)) {
                    why.add(standing.getFrequency() + " purchases is " + (after ? "at or after" : "before")
                            + " the branching point " + point);
                }
            }
        }
        return why.isEmpty() ? null : String.join("; ", why);
    }

    private static void score(String name, int score, ScoreRange range, List<String> why) {
        if (!range.admits(score)) {
            why.add(name + " score " + score + " is outside " + range.min() + "-" + range.max());
        }
    }
}
