package io.lifecyclemail.decision;

import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.CustomerInput;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** Builders for test events, with named times. */
public final class Events {
    public static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
    public static final Duration WAIT = Duration.ofHours(2);
    public static final String ALICE = "alice";
    public static final String BOB = "bob";

    private static final AtomicInteger IDS = new AtomicInteger();

    private Events() {}

    public static Instant at(Duration offset) {
        return T0.plus(offset);
    }

    public static long millis(Duration offset) {
        return at(offset).toEpochMilli();
    }

    public static Product product(String id, long yen) {
        return Product.newBuilder().setProductId(id).setName("Product " + id).setCategory("tea")
                .setUnitPriceMinor(yen).setCurrency("JPY").build();
    }

    public static ClickstreamEvent cartAdd(String customer, Duration offset, String productId, int quantity) {
        return click(customer, offset, ClickType.CART_ADD, product(productId, 1000), quantity);
    }

    public static ClickstreamEvent cartRemove(String customer, Duration offset, String productId, int quantity) {
        return click(customer, offset, ClickType.CART_REMOVE, product(productId, 1000), quantity);
    }

    public static ClickstreamEvent pageView(String customer, Duration offset) {
        return click(customer, offset, ClickType.PAGE_VIEW, null, 1);
    }

    public static ClickstreamEvent page(String customer, Duration offset, String pageType) {
        return ClickstreamEvent.newBuilder().setEventId("click-" + IDS.incrementAndGet()).setEventTime(at(offset))
                .setCustomerId(customer).setType(ClickType.PAGE_VIEW).setPageType(pageType)
                .setUrl("https://shop.example.com/" + pageType).build();
    }

    public static ClickstreamEvent click(String customer, Duration offset, ClickType type, Product product, int quantity) {
        return ClickstreamEvent.newBuilder().setEventId("click-" + IDS.incrementAndGet()).setEventTime(at(offset))
                .setCustomerId(customer).setType(type).setProduct(product).setQuantity(quantity).build();
    }

    public static OrderEvent purchase(String customer, Duration offset) {
        return order(customer, offset, OrderEventType.PLACED);
    }

    public static OrderEvent order(String customer, Duration offset, OrderEventType type) {
        return OrderEvent.newBuilder().setEventId("order-" + IDS.incrementAndGet()).setEventTime(at(offset))
                .setCustomerId(customer).setOrderId("o-" + IDS.get()).setType(type).build();
    }

    public static CustomerProfile profile(String customer, Duration offset, boolean consent) {
        return CustomerProfile.newBuilder().setEventId("profile-" + IDS.incrementAndGet()).setEventTime(at(offset))
                .setCustomerId(customer).setEmail(customer + "@example.com").setName(customer)
                .setLocale("en-US").setMarketingConsent(consent).build();
    }

    public static CustomerInput input(Object event) {
        return new CustomerInput(event);
    }
}
