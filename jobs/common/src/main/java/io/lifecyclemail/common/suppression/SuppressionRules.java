package io.lifecyclemail.common.suppression;

import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.schema.EngagementEvent;

/**
 * When a customer must get no more mail, the same for the governor (which decides) and the delivery
 * job (which checks once more at the last moment): an unsubscribe or a complaint stops marketing mail,
 * a hard bounce stops all mail (the address is dead). Only a consent given after the suppression
 * lifts it.
 */
public final class SuppressionRules {
    private SuppressionRules() {}

    public static final String UNSUBSCRIBED = "unsubscribed";
    public static final String COMPLAINED = "complained";
    public static final String HARD_BOUNCE = "hard-bounced";

    /** The suppression an engagement event asks for, or null (opens, clicks). */
    public static String reasonOf(EngagementEvent event) {
        return switch (event.getType()) {
            case UNSUBSCRIBED -> UNSUBSCRIBED;
            case COMPLAINED -> COMPLAINED;
            case BOUNCED -> HARD_BOUNCE;
            default -> null;
        };
    }

    /** The suppression a delivery result asks for: a permanent refusal by the receiving server. */
    public static String reasonOf(DeliveryResult result) {
        return result.getStatus() == DeliveryStatus.BOUNCED ? HARD_BOUNCE : null;
    }

    /** Whether a suppression for {@code reason} stops a mail; transactional mail stops only for a dead address. */
    public static boolean stops(String reason, boolean transactional) {
        return reason != null && (!transactional || HARD_BOUNCE.equals(reason));
    }

    /** Whether a consent given at {@code consentGivenAt} lifts a suppression from {@code suppressedAt}. */
    public static boolean liftedBy(long consentGivenAt, long suppressedAt) {
        return consentGivenAt > suppressedAt;
    }
}
