package io.lifecyclemail.decision.sequence;

import io.lifecyclemail.decision.scenario.SequenceScenario.EventType;
import io.lifecyclemail.decision.scenario.SequenceScenario.Step;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.Product;
import java.util.ArrayList;
import java.util.List;

/** Whether an event is what a Sequence step describes, free of Flink: used by the CEP pattern and the absence. */
public final class SequenceSteps {
    private SequenceSteps() {}

    public static EventType typeOf(Object event) {
        if (event instanceof ClickstreamEvent click) {
            return switch (click.getType()) {
                case PAGE_VIEW -> EventType.PAGE_VIEW;
                case PRODUCT_VIEW -> EventType.PRODUCT_VIEW;
                case CART_ADD -> EventType.CART_ADD;
                case CART_REMOVE -> EventType.CART_REMOVE;
                case LOGIN -> EventType.LOGIN;
                case FAVOURITE -> EventType.FAVOURITE;
                case NOTIFY_ME -> EventType.NOTIFY_ME;
                default -> null;
            };
        }
        if (event instanceof OrderEvent order) {
            return switch (order.getType()) {
                case PLACED -> EventType.ORDER_PLACED;
                case SHIPPED -> EventType.ORDER_SHIPPED;
                case DELIVERED -> EventType.ORDER_DELIVERED;
                case CANCELLED -> EventType.ORDER_CANCELLED;
                case RETURNED -> EventType.ORDER_RETURNED;
                default -> null;
            };
        }
        return null;
    }

    /** A click's or an order's event time (epoch ms). */
    public static long timeOf(Object event) {
        return event instanceof ClickstreamEvent click ? click.getEventTime().toEpochMilli()
                : ((OrderEvent) event).getEventTime().toEpochMilli();
    }

    /** A click's or an order's customer. */
    public static String customerOf(Object event) {
        return event instanceof ClickstreamEvent click ? click.getCustomerId() : ((OrderEvent) event).getCustomerId();
    }

    /** The products an event is about: the clicked product, or an order's lines. */
    public static List<Product> productsOf(Object event) {
        if (event instanceof ClickstreamEvent click) {
            return click.getProduct() == null ? List.of() : List.of(click.getProduct());
        }
        if (event instanceof OrderEvent order) {
            List<Product> products = new ArrayList<>();
            for (ItemLine line : order.getLines()) {
                products.add(line.getProduct());
            }
            return products;
        }
        return List.of();
    }

    /** Whether {@code event} is of the step's type and meets all its conditions (an order: any of its lines). */
    public static boolean matches(Step step, Object event) {
        if (typeOf(event) != step.event()) {
            return false;
        }
        if (event instanceof ClickstreamEvent click) {
            if (step.pageType() != null && !step.pageType().equalsIgnoreCase(click.getPageType() == null ? "" : click.getPageType())) {
                return false;
            }
            if (step.urlContains() != null && (click.getUrl() == null || !click.getUrl().contains(step.urlContains()))) {
                return false;
            }
        }
        if (!needsProduct(step)) {
            return true;
        }
        for (Product product : productsOf(event)) {
            if (productMatches(step, product)) {
                return true;
            }
        }
        return false;
    }

    private static boolean needsProduct(Step step) {
        return step.productId() != null || step.category() != null || step.minPrice() != null || step.maxPrice() != null;
    }

    private static boolean productMatches(Step step, Product product) {
        if (step.productId() != null && !step.productId().equals(product.getProductId())) {
            return false;
        }
        if (step.category() != null && !step.category().equalsIgnoreCase(product.getCategory() == null ? "" : product.getCategory())) {
            return false;
        }
        Long price = product.getUnitPriceMinor();
        if (step.minPrice() != null && (price == null || price < step.minPrice())) {
            return false;
        }
        return step.maxPrice() == null || (price != null && price <= step.maxPrice());
    }

    /** Whether an event is one of those that end a match's wait. */
    public static boolean matchesAny(List<Step> steps, Object event) {
        for (Step step : steps) {
            if (matches(step, event)) {
                return true;
            }
        }
        return false;
    }
}
