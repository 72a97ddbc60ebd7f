package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code after} (YAML: spec.after) the customer registered (profile {@code registered_at}), send an
 * anniversary mail, typically with a coupon on good conditions.
 */
public record RegistrationAnniversaryScenario(String id, int version, String description, boolean enabled,
                                              Duration after, String template, String coupon, ScenarioPolicy policy)
        implements Scenario {
    public static final String KIND = "RegistrationAnniversary";
    public static final String STEP = "anniversary";

    public RegistrationAnniversaryScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(after, "after");
        coupon = Scenario.couponOrEmpty(coupon);
        if (after.isNegative() || after.isZero()) {
            throw new IllegalArgumentException("after must be positive");
        }
    }

    /** With the kind's default re-entry rule and priority. */
    public RegistrationAnniversaryScenario(String id, int version, String description, boolean enabled,
                                              Duration after, String template, String coupon) {
        this(id, version, description, enabled, after, template, coupon, ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }
}
