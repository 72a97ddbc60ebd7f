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
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sendAt, "sendAt");
        Objects.requireNonNull(defaultZone, "defaultZone");
        Objects.requireNonNull(template, "template");
        coupon = coupon == null ? "" : coupon;
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1");
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
