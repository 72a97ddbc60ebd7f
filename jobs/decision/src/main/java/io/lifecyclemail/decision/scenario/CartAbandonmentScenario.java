package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * Items were put in the cart, then neither bought nor changed for {@code delay} (YAML: spec.wait): remind the customer
 * of the cart as it is at that moment. Several such scenarios (say 2h and 1d) remind the same cart
 * at each of their waits.
 *
 * @param maxItems how many cart lines the mail lists, most recently added first
 */
public record CartAbandonmentScenario(
        String id, int version, String description, boolean enabled, Duration delay, String template, int maxItems, ScenarioPolicy policy)
        implements DelayedScenario {
    public static final String KIND = "CartAbandonment";
    public static final String STEP = "reminder";

    public CartAbandonmentScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("delay must be positive");
        }
        if (maxItems < 1) {
            throw new IllegalArgumentException("maxItems must be at least 1");
        }
    }

    /** With the kind's default re-entry rule and priority. */
    public CartAbandonmentScenario(String id, int version, String description, boolean enabled, Duration delay, String template, int maxItems) {
        this(id, version, description, enabled, delay, template, maxItems, ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }
}
