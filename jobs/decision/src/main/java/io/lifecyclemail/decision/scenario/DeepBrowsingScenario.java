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
                                   int minPages, String template, String coupon, ScenarioPolicy policy)
        implements Scenario {
    public static final String KIND = "DeepBrowsing";
    public static final String STEP = "offer";

    public DeepBrowsingScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(sessionGap, "sessionGap");
        coupon = Scenario.couponOrEmpty(coupon);
        if (sessionGap.isNegative() || sessionGap.isZero() || minPages < 1) {
            throw new IllegalArgumentException("sessionGap must be positive and minPages at least 1");
        }
    }

    /** With the kind's default re-entry rule and priority. */
    public DeepBrowsingScenario(String id, int version, String description, boolean enabled, Duration sessionGap,
                                   int minPages, String template, String coupon) {
        this(id, version, description, enabled, sessionGap, minPages, template, coupon, ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }
}
