package io.lifecyclemail.quickstart;

import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.CustomerInput;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * A deterministic stream of shop traffic for benchmarks, any size, computed from the event's position
 * alone: no list is held, so 10^8 events cost no memory, and the same position always gives the same
 * event. First one profile per customer, then clicks and orders at one event every
 * {@link #STEP_MILLIS} ms of event time, each for a customer drawn with a skew (the top 0.1 % of
 * customers make about 10 % of the events, the top 1 % about 22 %; the rarest few events each).
 *
 * <p>As a Flink source ({@link #generator}) each parallel split produces every p-th position, so the
 * splits advance through event time together and the watermark does not hold half the input back.
 */
public final class ShopStream implements Serializable {
    private static final long serialVersionUID = 1L;
    /** 7 ms: no event falls exactly on a deadline of a whole number of seconds after another. */
    public static final long STEP_MILLIS = 7;
    public static final Instant START = Instant.parse("2026-11-02T00:00:00Z");
    static final int PRODUCTS = 1000;

    /** The mix of non-profile events, in thousandths. */
    public record Mix(int productViews, int pageViews, int cartAdds, int cartRemoves, int logins, int orders)
            implements Serializable {
        /** Everything a shop sends. */
        public static final Mix SHOP = new Mix(520, 240, 120, 20, 40, 60);
        /**
         * Without removals: a cart then is non-empty exactly when an item was added since the last
         * order, which a CEP pattern can express (it cannot count what a removal leaves in the cart).
         */
        public static final Mix NO_REMOVALS = new Mix(520, 260, 120, 0, 40, 60);

        public Mix {
            if (productViews + pageViews + cartAdds + cartRemoves + logins + orders != 1000) {
                throw new IllegalArgumentException("the mix must add up to 1000");
            }
        }
    }

    private final long events;
    private final int customers;
    private final long seed;
    private final Mix mix;
    private transient Product[] catalog;

    /**
     * @param events how many events in all, the profiles included (rounded up to a multiple of 4
     *     so that up to 4 parallel splits interleave evenly)
     */
    public ShopStream(long events, int customers, long seed, Mix mix) {
        if (events < customers) {
            throw new IllegalArgumentException("fewer events than customers: every customer has a profile");
        }
        this.events = (events + 3) / 4 * 4;
        this.customers = customers;
        this.seed = seed;
        this.mix = mix;
    }

    public long events() {
        return events;
    }

    public int customers() {
        return customers;
    }

    public static String customerId(int index) {
        return "c" + index;
    }

    /** The event at a position (0 to events - 1), in event-time order. */
    public CustomerInput at(long position) {
        long time = START.toEpochMilli() + position * STEP_MILLIS;
        if (position < customers) {
            return new CustomerInput(profile((int) position, time));
        }
        long hash = mix(seed ^ position * 0x9E3779B97F4A7C15L);
        String customer = customerId(skewedCustomer(hash));
        String eventId = "e" + position;
        Instant at = Instant.ofEpochMilli(time);
        int kind = (int) ((hash >>> 44) % 1000);
        Product product = product((int) ((hash >>> 24) & 0xFFFFF) % PRODUCTS);
        if ((kind -= mix.productViews) < 0) {
            return click(eventId, at, customer, ClickType.PRODUCT_VIEW, product, "product");
        } else if ((kind -= mix.pageViews) < 0) {
            return click(eventId, at, customer, ClickType.PAGE_VIEW, null, (hash & 1) == 0 ? "home" : "category");
        } else if ((kind -= mix.cartAdds) < 0) {
            return click(eventId, at, customer, ClickType.CART_ADD, product, "product");
        } else if ((kind -= mix.cartRemoves) < 0) {
            return click(eventId, at, customer, ClickType.CART_REMOVE, product, "cart");
        } else if ((kind -= mix.logins) < 0) {
            return click(eventId, at, customer, ClickType.LOGIN, null, "login");
        }
        int lineCount = 1 + (int) ((hash >>> 8) & 3) % 3;
        List<ItemLine> lines = new ArrayList<>(lineCount);
        long total = 0;
        for (int i = 0; i < lineCount; i++) {
            Product line = product((int) ((hash >>> (16 + 8 * i)) & 0xFFFF) % PRODUCTS);
            lines.add(new ItemLine(line, 1));
            total += line.getUnitPriceMinor();
        }
        return new CustomerInput(OrderEvent.newBuilder().setEventId(eventId).setEventTime(at).setCustomerId(customer)
                .setOrderId("o" + position).setType(OrderEventType.PLACED).setLines(lines).setTotalMinor(total)
                .setCurrency("JPY").build());
    }

    /** A customer index in [0, customers): index = customers * u^3 for a uniform u, so low indices are busy. */
    private int skewedCustomer(long hash) {
        double u = (hash & 0xFFFFFFL) / (double) (1L << 24);
        return (int) Math.min(customers - 1, (long) (customers * u * u * u));
    }

    private CustomerInput click(String eventId, Instant at, String customer, ClickType type, Product product,
                                String pageType) {
        return new CustomerInput(ClickstreamEvent.newBuilder().setEventId(eventId).setEventTime(at)
                .setCustomerId(customer).setType(type).setPageType(pageType).setProduct(product)
                .setQuantity(1).build());
    }

    private CustomerProfile profile(int index, long time) {
        long hash = mix(seed ^ ~((long) index));
        boolean japanese = (hash & 3) != 0;
        return CustomerProfile.newBuilder().setEventId("p" + index).setEventTime(Instant.ofEpochMilli(time))
                .setCustomerId(customerId(index)).setEmail(customerId(index) + "@example.com")
                .setLocale(japanese ? "ja-JP" : "en-US").setTimezone(japanese ? "Asia/Tokyo" : "America/New_York")
                .setMarketingConsent(true).setConsentTime(START.minusSeconds(86_400)).build();
    }

    private Product product(int index) {
        if (catalog == null) {
            catalog = new Product[PRODUCTS];
            for (int i = 0; i < PRODUCTS; i++) {
                catalog[i] = Product.newBuilder().setProductId("p" + i).setName("Product " + i)
                        .setCategory("category-" + i % 20).setUnitPriceMinor(500 + 37L * i).setCurrency("JPY")
                        .setUrl("https://shop.example/p/" + i).build();
            }
        }
        return catalog[index];
    }

    /** MurmurHash3's 64-bit finaliser: neighbouring positions get unrelated bits. */
    static long mix(long value) {
        value ^= value >>> 33;
        value *= 0xff51afd7ed558ccdL;
        value ^= value >>> 33;
        value *= 0xc4ceb9fe1a85ec53L;
        value ^= value >>> 33;
        return value;
    }

    /**
     * The stream as a Flink generator for a source of {@code parallelism} splits: the source numbers
     * its records 0..events-1 in {@code parallelism} contiguous ranges; split k's i-th record becomes
     * position i * parallelism + k, so every split is in event-time order and they stay side by side.
     */
    public GeneratorFunction<Long, CustomerInput> generator(int parallelism) {
        if (4 % parallelism != 0) {
            throw new IllegalArgumentException("parallelism 1, 2 or 4");
        }
        long block = events / parallelism;
        ShopStream stream = this;
        return new GeneratorFunction<>() {
            @Override
            public void open(SourceReaderContext readerContext) {}

            @Override
            public CustomerInput map(Long index) {
                return stream.at((index % block) * parallelism + index / block);
            }
        };
    }
}
