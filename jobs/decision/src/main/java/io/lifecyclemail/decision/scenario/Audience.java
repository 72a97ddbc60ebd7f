package io.lifecyclemail.decision.scenario;

import io.lifecyclemail.state.RankStanding;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Who may get a scenario's mail by RFM: ranks, score ranges and the side of the branching point.
 * A customer the rank stage has not ranked (no counted purchase yet, or before the first summary) is
 * "unranked": only a {@code ranks} list naming {@code unranked} admits them, score ranges do not, and
 * they are before the branching point (no purchase is before any point).
 *
 * @param ranks rank labels (and {@code unranked}) admitted; empty: every rank
 * @param recency admitted recency scores; frequency and monetary likewise
 * @param purchases the side of the branching point admitted; null: either
 */
public record Audience(Set<String> ranks, ScoreRange recency, ScoreRange frequency, ScoreRange monetary,
                       BranchingSide purchases) implements Serializable {
    public static final String UNRANKED = "unranked";
    public static final Audience EVERYONE = new Audience(Set.of(), ScoreRange.ANY, ScoreRange.ANY, ScoreRange.ANY, null);

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
    }

    public boolean everyone() {
        return ranks.isEmpty() && recency.any() && frequency.any() && monetary.any() && purchases == null;
    }

    /** Why the customer is outside this audience, or null when they are in it. */
    public String excludes(RankStanding standing) {
        if (everyone()) {
            return null;
        }
        List<String> why = new ArrayList<>();
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
