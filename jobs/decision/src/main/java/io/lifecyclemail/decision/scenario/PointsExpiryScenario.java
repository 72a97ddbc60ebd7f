package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * Points are about to expire: {@code before} (YAML: spec.before) the expiry on the profile, tell the
 * customer the balance and the date. Never sent for a zero balance.
 */
public record PointsExpiryScenario(String id, int version, String description, boolean enabled, Duration before,
                                   String template, ScenarioPolicy policy)
        implements Scenario {
    public static final String KIND = "PointsExpiry";
    public static final String STEP = "reminder";

    public PointsExpiryScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(before, "before");
        if (before.isNegative()) {
            throw new IllegalArgumentException("before must not be negative");
        }
    }

    /** With the kind's default re-entry rule and priority. */
    public PointsExpiryScenario(String id, int version, String description, boolean enabled, Duration before,
                                   String template) {
        this(id, version, description, enabled, before, template, ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }
}
