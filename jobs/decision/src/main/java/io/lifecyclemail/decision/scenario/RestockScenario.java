package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * An item's stock goes from 0 to available: tell the customers who showed interest in it within
 * {@code lookBack} (viewed it, favourited it, or asked to be told with "notify me") and have not
 * bought it since. Interest older than the look-back is forgotten.
 *
 * @param viewed whether a product view counts as interest
 * @param favourited whether a favourite counts as interest
 * @param notifyMe whether a "notify me" request counts as interest (it is used up by the notice)
 */
public record RestockScenario(String id, int version, String description, boolean enabled, Duration lookBack,
                              boolean viewed, boolean favourited, boolean notifyMe, String template,
                              ScenarioPolicy policy) implements Scenario {
    public static final String KIND = "Restock";
    public static final String STEP = "back-in-stock";

    public RestockScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(lookBack, "lookBack");
        if (lookBack.isNegative() || lookBack.isZero()) {
            throw new IllegalArgumentException("lookBack must be positive");
        }
        if (!viewed && !favourited && !notifyMe) {
            throw new IllegalArgumentException("at least one of viewed, favourited, notifyMe must count as interest");
        }
    }

    /** With the kind's default re-entry rule and priority. */
    public RestockScenario(String id, int version, String description, boolean enabled, Duration lookBack,
                           boolean viewed, boolean favourited, boolean notifyMe, String template) {
        this(id, version, description, enabled, lookBack, viewed, favourited, notifyMe, template,
                ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }
}
