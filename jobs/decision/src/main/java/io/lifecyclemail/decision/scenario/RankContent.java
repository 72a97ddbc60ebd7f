package io.lifecyclemail.decision.scenario;

import io.lifecyclemail.decision.rfm.CustomerRanks.Rank;
import java.io.Serializable;
import java.util.Set;

/**
 * Content chosen by rank: customers of {@code ranks} get {@code template}; {@code discount} marks
 * content that offers a discount (never sent to the loyal ranks unless the scenario says so).
 */
public record RankContent(Set<Rank> ranks, String template, boolean discount) implements Serializable {
    public RankContent {
        ranks = Set.copyOf(ranks);
        java.util.Objects.requireNonNull(template, "template");
        if (ranks.isEmpty()) {
            throw new IllegalArgumentException("content by rank needs at least one rank");
        }
    }
}
