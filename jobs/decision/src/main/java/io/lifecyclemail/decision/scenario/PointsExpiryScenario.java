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
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(template, "template");
        if (before.isNegative() || version < 1) {
            throw new IllegalArgumentException("before must not be negative and version at least 1");
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
