package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A consumable was bought: when it is about half used, suggest buying again. Usage periods are set
 * per product or per category; a product rule wins over a category rule.
 */
public record ReplenishmentScenario(String id, int version, String description, boolean enabled, String template,
                                    List<Usage> usages, ScenarioPolicy policy)
        implements Scenario {
    public static final String KIND = "Replenishment";
    public static final String STEP = "reminder";

    /** Exactly one of {@code productId} and {@code category} is set. */
    public record Usage(String productId, String category, Duration halfUsedAfter) implements java.io.Serializable {
        public Usage {
            Objects.requireNonNull(halfUsedAfter, "halfUsedAfter");
            if ((productId == null) == (category == null)) {
                throw new IllegalArgumentException("a usage names either a product or a category");
            }
        }
    }

    public ReplenishmentScenario {
        Scenario.checkCommon(id, version, template, policy);
        usages = List.copyOf(usages);
        if (usages.isEmpty()) {
            throw new IllegalArgumentException("at least one usage");
        }
    }

    /** With the kind's default re-entry rule and priority. */
    public ReplenishmentScenario(String id, int version, String description, boolean enabled, String template,
                                    List<Usage> usages) {
        this(id, version, description, enabled, template, usages, ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** How long until the product is about half used, or null when it is not a consumable here. */
    public Duration halfUsedAfter(String productId, String category) {
        for (Usage usage : usages) {
            if (productId.equals(usage.productId())) {
                return usage.halfUsedAfter();
            }
        }
        for (Usage usage : usages) {
            if (usage.category() != null && usage.category().equals(category)) {
                return usage.halfUsedAfter();
            }
        }
        return null;
    }
}
