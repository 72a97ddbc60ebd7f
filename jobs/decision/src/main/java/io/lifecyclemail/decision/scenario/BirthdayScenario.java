package io.lifecyclemail.decision.scenario;

import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Objects;

/**
 * On the customer's birthday, at {@code sendAt} in the customer's time zone (the profile's, else
 * {@code defaultZone}), send a birthday mail.
 *
 * @param coupon a coupon code for the template (attribute {@code couponCode}), or empty
 */
public record BirthdayScenario(String id, int version, String description, boolean enabled, LocalTime sendAt,
                               ZoneId defaultZone, String template, String coupon, ScenarioPolicy policy)
        implements Scenario {
    public static final String KIND = "Birthday";
    public static final String STEP = "birthday";

    public BirthdayScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(sendAt, "sendAt");
        Objects.requireNonNull(defaultZone, "defaultZone");
        coupon = Scenario.couponOrEmpty(coupon);
    }

    /** With the kind's default re-entry rule and priority. */
    public BirthdayScenario(String id, int version, String description, boolean enabled, LocalTime sendAt,
                               ZoneId defaultZone, String template, String coupon) {
        this(id, version, description, enabled, sendAt, defaultZone, template, coupon, ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }
}
