package io.lifecyclemail.common.kafka;

import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.EngagementType;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.SendCommand;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Set;

/** What makes a decoded input record usable; anything else goes to the dead letters with the reason. */
public final class InputRules {
    private InputRules() {}

    /** Event times before this are taken for a producer bug (epoch 0, seconds instead of millis). */
    static final Instant EARLIEST_EVENT_TIME = Instant.parse("2000-01-01T00:00:00Z");

    private static final Set<ClickType> PRODUCT_EVENTS = EnumSet.of(ClickType.PRODUCT_VIEW, ClickType.CART_ADD,
            ClickType.CART_REMOVE, ClickType.FAVOURITE, ClickType.NOTIFY_ME);

    public static final InputRule<ClickstreamEvent> CLICKSTREAM = event -> {
        String common = common(event.getEventId(), event.getCustomerId(), event.getEventTime());
        if (common != null) {
            return common;
        }
        if (event.getType() == ClickType.UNKNOWN) {
            return "type is UNKNOWN";
        }
        if (PRODUCT_EVENTS.contains(event.getType())
                && (event.getProduct() == null || blank(event.getProduct().getProductId()))) {
            return event.getType() + " needs product.product_id";
        }
        if ((event.getType() == ClickType.CART_ADD || event.getType() == ClickType.CART_REMOVE)
                && event.getQuantity() < 1) {
            return "quantity must be at least 1 for " + event.getType();
        }
        return null;
    };

    public static final InputRule<OrderEvent> ORDERS = event -> {
        String common = common(event.getEventId(), event.getCustomerId(), event.getEventTime());
        if (common != null) {
            return common;
        }
        if (blank(event.getOrderId())) {
            return "order_id is empty";
        }
        return null;
    };

    public static final InputRule<CustomerProfile> PROFILES = profile -> {
        String common = common(profile.getEventId(), profile.getCustomerId(), profile.getEventTime());
        if (common != null) {
            return common;
        }
        if (profile.getEmail() != null && !profile.getEmail().matches("[^@\\s]+@[^@\\s]+")) {
            return "email is not an address";
        }
        if (profile.getTimezone() != null) {
            try {
                ZoneId.of(profile.getTimezone());
            } catch (DateTimeException e) {
                return "timezone '" + profile.getTimezone() + "' is not an IANA zone id";
            }
        }
        return null;
    };

    public static final InputRule<InventoryChange> INVENTORY = change -> {
        if (blank(change.getEventId())) {
            return "event_id is empty";
        }
        if (blank(change.getProductId())) {
            return "product_id is empty";
        }
        if (change.getEventTime().isBefore(EARLIEST_EVENT_TIME)) {
            return "event_time " + change.getEventTime() + " is before " + EARLIEST_EVENT_TIME;
        }
        if (change.getStockLevel() < 0) {
            return "stock_level " + change.getStockLevel() + " is negative";
        }
        return null;
    };

    public static final InputRule<EngagementEvent> ENGAGEMENT = event -> {
        String common = common(event.getEventId(), event.getCustomerId(), event.getEventTime());
        if (common != null) {
            return common;
        }
        return event.getType() == EngagementType.UNKNOWN ? "type is UNKNOWN" : null;
    };

    public static final InputRule<DeliveryResult> DELIVERY_RESULTS = result -> {
        if (blank(result.getSendId()) || blank(result.getCustomerId())) {
            return "send_id and customer_id are required";
        }
        if (result.getResultTime().isBefore(EARLIEST_EVENT_TIME)) {
            return "result_time " + result.getResultTime() + " is before " + EARLIEST_EVENT_TIME;
        }
        return null;
    };

    public static final InputRule<SendCommand> SEND_COMMANDS = command -> {
        if (blank(command.getSendId()) || blank(command.getCustomerId()) || blank(command.getTemplate())) {
            return "send_id, customer_id and template are required";
        }
        return null;
    };

    private static String common(String eventId, String customerId, Instant eventTime) {
        if (blank(eventId)) {
            return "event_id is empty";
        }
        if (blank(customerId)) {
            return "customer_id is empty";
        }
        if (eventTime.isBefore(EARLIEST_EVENT_TIME)) {
            return "event_time " + eventTime + " is before " + EARLIEST_EVENT_TIME;
        }
        return null;
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}
