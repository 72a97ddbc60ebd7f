package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * Product pages were viewed, nothing was put in the cart or bought, and the customer has been
 * inactive for {@code delay} (YAML: spec.wait): the session is over; mail the viewed products,
 * most viewed first.
 *
 * @param minProductViews product views in the session needed before it counts as browsing
 */
public record BrowseAbandonmentScenario(
        String id, int version, String description, boolean enabled, Duration delay, String template, int maxItems,
        int minProductViews, ScenarioPolicy policy)
        implements DelayedScenario {
    public static final String KIND = "BrowseAbandonment";
    public static final String STEP = "reminder";

    public BrowseAbandonmentScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("delay must be positive");
        }
        if (maxItems < 1 || minProductViews < 1) {
            throw new IllegalArgumentException("maxItems and minProductViews must be at least 1");
        }
    }

    /** With the kind's default re-entry rule and priority. */
    public BrowseAbandonmentScenario(String id, int version, String description, boolean enabled, Duration delay, String template, int maxItems,
        int minProductViews) {
        this(id, version, description, enabled, delay, template, maxItems, minProductViews, ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }
}
