package io.lifecyclemail.decision.scenario;

import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

/**
 * The shop-wide rules of the governor (the policy file): caps over all marketing mail, quiet hours,
 * the global control group and attribution.
 *
 * @param caps marketing mails per customer over all scenarios, every window at once
 * @param quietHours null: none
 * @param defaultZone the quiet hours' zone for customers whose profile has none
 * @param controlShare share (0 to below 1) of customers who get no marketing mail at all
 * @param salt part of every holdout, control and variant assignment: changing it draws them afresh
 * @param attributionWindow an order this long after a send or holdout is credited to it
 */
public record GovernorPolicy(List<Cap> caps, QuietHours quietHours, ZoneId defaultZone, double controlShare,
                             String salt, Duration attributionWindow) implements Serializable {
    public static final Duration DEFAULT_ATTRIBUTION_WINDOW = Duration.ofDays(7);
    /** No caps, no quiet hours, no control group: what a folder without a policy file means. */
    public static final GovernorPolicy NONE = new GovernorPolicy(List.of(), null, ZoneOffset.UTC, 0, "",
            DEFAULT_ATTRIBUTION_WINDOW);

    public GovernorPolicy {
        caps = List.copyOf(caps);
        Objects.requireNonNull(defaultZone, "defaultZone");
        Objects.requireNonNull(salt, "salt");
        if (controlShare < 0 || controlShare >= 1) {
            throw new IllegalArgumentException("controlGroup must be from 0 to below 100 %");
        }
        if (attributionWindow.isNegative() || attributionWindow.isZero()) {
            throw new IllegalArgumentException("attributionWindow must be positive");
        }
    }
}
