package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * Many pages were viewed in one session: once the session is over (no page view for
 * {@code sessionGap}), send a better coupon than usual.
 *
 * @param minPages page and product views in the session that make it deep
 */
public record DeepBrowsingScenario(String id, int version, String description, boolean enabled, Duration sessionGap,
                                   int minPages, String template, String coupon) implements Scenario {
    public static final String KIND = "DeepBrowsing";
    public static final String STEP = "offer";

    public DeepBrowsingScenario {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sessionGap, "sessionGap");
        Objects.requireNonNull(template, "template");
        coupon = coupon == null ? "" : coupon;
        if (sessionGap.isNegative() || sessionGap.isZero() || minPages < 1 || version < 1) {
            throw new IllegalArgumentException("sessionGap must be positive, minPages and version at least 1");
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
