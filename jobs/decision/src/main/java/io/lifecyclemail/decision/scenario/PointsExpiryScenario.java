package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * Points are about to expire: {@code before} (YAML: spec.before) the expiry on the profile, tell the
 * customer the balance and the date. Never sent for a zero balance.
 */
public record PointsExpiryScenario(String id, int version, String description, boolean enabled, Duration before,
                                   String template) implements Scenario {
    public static final String KIND = "PointsExpiry";
    public static final String STEP = "reminder";

    public PointsExpiryScenario {
        Scenario.checkCommon(id, version, template);
        Objects.requireNonNull(before, "before");
        if (before.isNegative()) {
            throw new IllegalArgumentException("before must not be negative");
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
