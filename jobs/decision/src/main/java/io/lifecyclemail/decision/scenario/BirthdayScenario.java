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
                               ZoneId defaultZone, String template, String coupon) implements Scenario {
    public static final String KIND = "Birthday";
    public static final String STEP = "birthday";

    public BirthdayScenario {
        Scenario.checkCommon(id, version, template);
        Objects.requireNonNull(sendAt, "sendAt");
        Objects.requireNonNull(defaultZone, "defaultZone");
        coupon = Scenario.couponOrEmpty(coupon);
    }

    @Override
    public String kind() {
        return KIND;
    }
}
