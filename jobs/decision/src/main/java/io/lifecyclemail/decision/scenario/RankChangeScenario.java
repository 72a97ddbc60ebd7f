package io.lifecyclemail.decision.scenario;

import io.lifecyclemail.decision.rfm.CustomerRanks.Rank;
import java.util.Objects;
import java.util.Set;

/**
 * A customer's rank changes from one of {@code from} to one of {@code to} ("became loyal": to loyal
 * or super-loyal; "slipping from loyal": from loyal to settled or non-loyal). The rank stage fires it
 * when a new order or the interval's re-ranking moves the customer; a customer's first rank is not
 * a change.
 */
public record RankChangeScenario(String id, int version, String description, boolean enabled, Set<Rank> from,
                                 Set<Rank> to, String template, ScenarioPolicy policy) implements Scenario {
    public static final String KIND = "RankChange";
    public static final String STEP = "rank-change";

    public RankChangeScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.isEmpty() || to.isEmpty()) {
            throw new IllegalArgumentException("from and to need at least one rank each");
        }
        from = Set.copyOf(from);
        to = Set.copyOf(to);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Whether moving from {@code previous} to {@code rank} fires this scenario. */
    public boolean matches(Rank previous, Rank rank) {
        return previous != null && previous != rank && from.contains(previous) && to.contains(rank);
    }
}
