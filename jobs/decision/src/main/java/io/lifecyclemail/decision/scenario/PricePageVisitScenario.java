package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * The pricing page was viewed and nothing was bought in the {@code delay} (YAML: spec.wait) after the
 * visit: follow up with a campaign offer. A page view counts when its page type is {@code pageType}
 * or, if set, its URL contains {@code urlContains}.
 *
 * @param coupon a coupon code for the template (attribute {@code couponCode}), or empty
 */
public record PricePageVisitScenario(
        String id, int version, String description, boolean enabled, Duration delay, String template,
        String pageType, String urlContains, String coupon, ScenarioPolicy policy)
        implements DelayedScenario {
    public static final String KIND = "PricePageVisit";
    public static final String STEP = "follow-up";

    public PricePageVisitScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(pageType, "pageType");
        urlContains = urlContains == null ? "" : urlContains;
        coupon = Scenario.couponOrEmpty(coupon);
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("delay must be positive");
        }
    }

    /** With the kind's default re-entry rule and priority. */
    public PricePageVisitScenario(String id, int version, String description, boolean enabled, Duration delay, String template,
        String pageType, String urlContains, String coupon) {
        this(id, version, description, enabled, delay, template, pageType, urlContains, coupon, ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }
}
