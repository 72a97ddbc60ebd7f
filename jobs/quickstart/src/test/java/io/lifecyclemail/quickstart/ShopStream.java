package io.lifecyclemail.quickstart;

import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.CustomerInput;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * A deterministic stream of shop traffic for benchmarks, any size, computed from the event's position
 * alone: no list is held, so 10^8 events cost no memory, and the same position always gives the same
 * event. First one profile per customer, then clicks and orders at one event every
 * {@link #STEP_MILLIS} ms of event time, each for a customer drawn with a skew (the top 0.1 % of
 * customers make about 10 % of the events, the top 1 % about 22 %; the rarest few events each).
 * With {@link Mix#SHOP} also what the other scenarios need: pricing-page views, products in the
 * tea and food categories (replenishment), stock changes of popular products going out of stock and
 * back (restock), a shipment or cancellation of most orders a fixed span of positions later (post-purchase),
 * and profiles with birthdays, points that expire, registration dates and a tenth without consent.
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

    /**
     * The mix of non-profile events, in thousandths, and whether the rest of a customer's life is in
     * it ({@code lifecycle}): most orders get a shipment or cancellation later (taking the place of
     * the event drawn there), and a tenth of the profiles have no marketing consent.
     */
    public record Mix(int productViews, int pageViews, int cartAdds, int cartRemoves, int logins, int orders,
                      int stockChanges, boolean lifecycle) implements Serializable {
        /** Everything a shop sends. */
        public static final Mix SHOP = new Mix(510, 240, 120, 20, 40, 60, 10, true);
        /**
         * For W1: without removals a cart is non-empty exactly when an item was added since the last
         * order, which a CEP pattern can express (it cannot count what a removal leaves in the cart);
         * no stock changes, no order follow-ups (they change nothing for carts) and consent for all
         * (the CEP pattern and the loop have no governor).
         */
        public static final Mix NO_REMOVALS = new Mix(520, 260, 120, 0, 40, 60, 0, false);

        public Mix {
            if (productViews + pageViews + cartAdds + cartRemoves + logins + orders + stockChanges != 1000) {
                throw new IllegalArgumentException("the mix must add up to 1000");
            }
        }
    }

    /** Categories of the catalogue; replenishment's shipped scenario names tea and food. */
    static final String[] CATEGORIES = {"tea", "food", "kitchen", "books", "garden", "toys", "beauty", "sports",
            "fashion", "shoes", "music", "office", "pets", "home", "outdoor", "games", "baby", "health", "tools", "art"};
    /** A day of positions at most between an order and its shipment or cancellation. */
    private static final long DAY_OF_POSITIONS = 86_400_000L / STEP_MILLIS;

    private final long events;
    private final int customers;
    private final long seed;
    private final Mix mix;
    /** How many positions after an order its shipment or cancellation comes. */
    private final long followUpDistance;
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
        this.followUpDistance = Math.max(1, Math.min(DAY_OF_POSITIONS, (this.events - customers) / 8));
    }

    public long events() {
        return events;
    }

    public int customers() {
        return customers;
    }

    /**
     * Ids of customers, events and orders: short ("c123", "e4567") by default; as long as the UUIDs
     * many shops use with {@code -Dshop.ids=uuid}. Ids are in much of the state (keys, entries,
     * remembered events), so its size depends on them.
     */
    static final boolean UUID_IDS = "uuid".equals(System.getProperty("shop.ids"));

    public static String customerId(int index) {
        return id('c', index);
    }

    /** The id of a kind ('c' customer, 'e' event, 'o' order, 'p' profile event) and number, unique per kind. */
    static String id(char kind, long number) {
        return UUID_IDS ? new UUID(mix(((long) kind << 48) ^ number), number).toString() : kind + Long.toString(number);
    }

    /** The customer's event at a position (0 to events - 1); fails on a stock change (not a customer's). */
    public CustomerInput at(long position) {
        SpecificRecordBase event = event(position);
        if (event instanceof InventoryChange) {
            throw new IllegalStateException("position " + position + " is a stock change: read it with event()");
        }
        return new CustomerInput(event);
    }

    /** The event at a position (0 to events - 1), in event-time order: a customer's event or a stock change. */
    public SpecificRecordBase event(long position) {
        long time = START.toEpochMilli() + position * STEP_MILLIS;
        if (position < customers) {
            return profile((int) position, time);
        }
        Instant at = Instant.ofEpochMilli(time);
        if (isFollowUp(position)) { // the shipment or cancellation of the order followUpDistance earlier
            long orderPosition = position - followUpDistance;
            OrderEvent order = order(orderPosition, hash(orderPosition));
            boolean cancelled = (hash(position) & 15) == 0;
            return OrderEvent.newBuilder(order).setEventId(id('e', position)).setEventTime(at)
                    .setType(cancelled ? OrderEventType.CANCELLED : OrderEventType.SHIPPED).build();
        }
        long hash = hash(position);
        String customer = customerId(skewedCustomer(hash));
        String eventId = id('e', position);
        Product product = product((int) ((hash >>> 24) & 0xFFFFF) % PRODUCTS);
        switch (kind(hash)) {
            case PRODUCT_VIEW -> {
                return click(eventId, at, customer, ClickType.PRODUCT_VIEW, product, "product");
            }
            case PAGE_VIEW -> {
                int page = (int) (hash & 15);
                return click(eventId, at, customer, ClickType.PAGE_VIEW, null,
                        page == 0 ? "pricing" : page < 8 ? "home" : "category");
            }
            case CART_ADD -> {
                return click(eventId, at, customer, ClickType.CART_ADD, product, "product");
            }
            case CART_REMOVE -> {
                return click(eventId, at, customer, ClickType.CART_REMOVE, product, "cart");
            }
            case LOGIN -> {
                return click(eventId, at, customer, ClickType.LOGIN, null, "login");
            }
            case STOCK_CHANGE -> { // popular products (low indices), out of stock half the time
                double u = ((hash >>> 8) & 0xFFFF) / 65536.0;
                Product popular = product((int) (PRODUCTS * u * u * u));
                int level = (hash & 1) == 0 ? 0 : 1 + (int) ((hash >>> 1) & 63);
                return InventoryChange.newBuilder().setEventId(eventId).setEventTime(at)
                        .setProductId(popular.getProductId()).setStockLevel(level).setProduct(popular).build();
            }
            default -> {
                return order(position, hash);
            }
        }
    }

    private enum Kind { PRODUCT_VIEW, PAGE_VIEW, CART_ADD, CART_REMOVE, LOGIN, STOCK_CHANGE, ORDER }

    private long hash(long position) {
        return mix(seed ^ position * 0x9E3779B97F4A7C15L);
    }

    /** The kind drawn at a position (a follow-up may take its place). */
    private Kind kind(long hash) {
        int kind = (int) ((hash >>> 44) % 1000);
        if ((kind -= mix.productViews) < 0) {
            return Kind.PRODUCT_VIEW;
        } else if ((kind -= mix.pageViews) < 0) {
            return Kind.PAGE_VIEW;
        } else if ((kind -= mix.cartAdds) < 0) {
            return Kind.CART_ADD;
        } else if ((kind -= mix.cartRemoves) < 0) {
            return Kind.CART_REMOVE;
        } else if ((kind -= mix.logins) < 0) {
            return Kind.LOGIN;
        } else if ((kind -= mix.stockChanges) < 0) {
            return Kind.STOCK_CHANGE;
        }
        return Kind.ORDER;
    }

    private boolean drawsOrder(long position) {
        return position >= customers && kind(hash(position)) == Kind.ORDER;
    }

    /**
     * A position is the follow-up of the order drawn {@code d} positions earlier, unless that order was
     * itself replaced by a follow-up, which needs an order drawn 2d earlier: so the order it follows was
     * really placed, decided from three draws with no recursion.
     */
    private boolean isFollowUp(long position) {
        long d = followUpDistance;
        return mix.lifecycle && drawsOrder(position - d) && !drawsOrder(position - 2 * d);
    }

    private OrderEvent order(long position, long hash) {
        int lineCount = 1 + (int) ((hash >>> 8) & 3) % 3;
        List<ItemLine> lines = new ArrayList<>(lineCount);
        long total = 0;
        for (int i = 0; i < lineCount; i++) {
            Product line = product((int) ((hash >>> (16 + 8 * i)) & 0xFFFF) % PRODUCTS);
            lines.add(new ItemLine(line, 1));
            total += line.getUnitPriceMinor();
        }
        return OrderEvent.newBuilder().setEventId(id('e', position))
                .setEventTime(Instant.ofEpochMilli(START.toEpochMilli() + position * STEP_MILLIS))
                .setCustomerId(customerId(skewedCustomer(hash))).setOrderId(id('o', position))
                .setType(OrderEventType.PLACED).setLines(lines).setTotalMinor(total).setCurrency("JPY").build();
    }

    /** A customer index in [0, customers): index = customers * u^3 for a uniform u, so low indices are busy. */
    private int skewedCustomer(long hash) {
        double u = (hash & 0xFFFFFFL) / (double) (1L << 24);
        return (int) Math.min(customers - 1, (long) (customers * u * u * u));
    }

    private ClickstreamEvent click(String eventId, Instant at, String customer, ClickType type, Product product,
                                   String pageType) {
        return ClickstreamEvent.newBuilder().setEventId(eventId).setEventTime(at)
                .setCustomerId(customer).setType(type).setPageType(pageType).setProduct(product)
                .setQuantity(1).build();
    }

    /**
     * A profile: three in four Japanese; a tenth without marketing consent (with {@link Mix#lifecycle});
     * birthdays spread over the year; registered up to two years before {@link #START} (some
     * anniversaries fall in the run); two in five with points that expire within the next 30 days.
     */
    private CustomerProfile profile(int index, long time) {
        long hash = mix(seed ^ ~((long) index));
        boolean japanese = (hash & 3) != 0;
        boolean consent = !mix.lifecycle || (hash >>> 2) % 10 != 0;
        LocalDate birthday = LocalDate.of(1960 + (int) ((hash >>> 8) % 45), 1, 1).plusDays((hash >>> 16) % 365);
        Instant registered = START.minusSeconds(3_600 * (1 + (hash >>> 24) % (2 * 365 * 24)));
        boolean points = (hash >>> 40) % 5 < 2;
        return CustomerProfile.newBuilder().setEventId(id('p', index)).setEventTime(Instant.ofEpochMilli(time))
                .setCustomerId(customerId(index)).setEmail(customerId(index) + "@example.com")
                .setLocale(japanese ? "ja-JP" : "en-US").setTimezone(japanese ? "Asia/Tokyo" : "America/New_York")
                .setMarketingConsent(consent).setConsentTime(consent ? START.minusSeconds(86_400) : null)
                .setBirthday(birthday).setRegisteredAt(registered)
                .setPointsBalance(points ? 100 + (hash >>> 44) % 5_000 : null)
                .setPointsExpiry(points ? START.plusSeconds(3_600 * ((hash >>> 50) % (30 * 24))) : null)
                .build();
    }

    private Product product(int index) {
        if (catalog == null) {
            catalog = new Product[PRODUCTS];
            for (int i = 0; i < PRODUCTS; i++) {
                catalog[i] = Product.newBuilder().setProductId("p" + i).setName("Product " + i)
                        .setCategory(CATEGORIES[i % CATEGORIES.length]).setUnitPriceMinor(500 + 37L * i).setCurrency("JPY")
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

    /** Split k's i-th record (numbered k * block + i by the source) is position i * parallelism + k. */
    static long position(long index, long block, int parallelism) {
        return (index % block) * parallelism + index / block;
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
                return stream.at(position(index, block, parallelism));
            }
        };
    }
}
