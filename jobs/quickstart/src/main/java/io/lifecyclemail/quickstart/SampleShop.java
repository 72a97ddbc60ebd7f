package io.lifecyclemail.quickstart;

import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Deterministic traffic of a small online shop: customers with profiles, sessions of page and
 * product views, cart additions and removals, and orders; some carts are bought, many are left.
 * The same seed always gives the same events.
 */
public final class SampleShop {
    private SampleShop() {}

    public record Traffic(List<CustomerProfile> profiles, List<ClickstreamEvent> clickstream, List<OrderEvent> orders,
                          List<InventoryChange> inventory) {
        public int size() {
            return profiles.size() + clickstream.size() + orders.size() + inventory.size();
        }

        /** Each topic's events in event-time order (as a shop writes them), not customer by customer. */
        public Traffic inTimeOrder() {
            return new Traffic(
                    profiles.stream().sorted(java.util.Comparator.comparing(CustomerProfile::getEventTime)).toList(),
                    clickstream.stream().sorted(java.util.Comparator.comparing(ClickstreamEvent::getEventTime)).toList(),
                    orders.stream().sorted(java.util.Comparator.comparing(OrderEvent::getEventTime)).toList(),
                    inventory.stream().sorted(java.util.Comparator.comparing(InventoryChange::getEventTime)).toList());
        }

        /** The events whose event time passes {@code when}, in their order. */
        public Traffic part(java.util.function.Predicate<java.time.Instant> when) {
            return new Traffic(profiles.stream().filter(e -> when.test(e.getEventTime())).toList(),
                    clickstream.stream().filter(e -> when.test(e.getEventTime())).toList(),
                    orders.stream().filter(e -> when.test(e.getEventTime())).toList(),
                    inventory.stream().filter(e -> when.test(e.getEventTime())).toList());
        }
    }

    /** Products that sell out on the second day and are restocked on the third (index into the catalog). */
    static final int[] SELLS_OUT = {5, 12};

    private static final String[][] CATALOG = {
        {"tea-sencha", "Sencha Green Tea 100g", "tea", "1280"},
        {"tea-matcha", "Ceremonial Matcha 30g", "tea", "2980"},
        {"tea-hojicha", "Roasted Hojicha 80g", "tea", "980"},
        {"tea-genmai", "Genmaicha Brown Rice Tea 150g", "tea", "860"},
        {"cup-arita", "Arita Porcelain Tea Cup", "tableware", "3300"},
        {"pot-tokoname", "Tokoname Kyusu Teapot", "tableware", "7480"},
        {"whisk-bamboo", "Bamboo Matcha Whisk", "tools", "1650"},
        {"bowl-matcha", "Handmade Matcha Bowl", "tableware", "5500"},
        {"towel-imabari", "Imabari Face Towel", "home", "1980"},
        {"bag-furoshiki", "Furoshiki Wrapping Cloth", "home", "2420"},
        {"snack-senbei", "Soy Sauce Senbei Assortment", "food", "1080"},
        {"snack-yokan", "Red Bean Yokan Gift Box", "food", "3240"},
        {"knife-santoku", "Santoku Kitchen Knife 165mm", "kitchen", "12800"},
        {"chopsticks-set", "Lacquered Chopsticks Set", "tableware", "2750"},
        {"incense-kyoto", "Kyoto Incense Sticks", "home", "1540"},
        {"notebook-washi", "Washi Paper Notebook", "stationery", "1320"},
    };
    private static final String[] PAGE_TYPES = {"home", "category", "search", "pricing", "campaign"};
    private static final String[] JA_NAMES = {"佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健太", "伊藤 由美", "渡辺 翔",
        "山本 さくら", "中村 大輔", "小林 愛", "加藤 陽菜"};
    private static final String[] EN_NAMES = {"Emma Smith", "Liam Johnson", "Olivia Brown", "Noah Davis",
        "Ava Wilson", "Lucas Moore", "Mia Taylor", "Ethan Clark", "Sophia Lewis", "James Walker"};

    public static Product product(int index) {
        String[] entry = CATALOG[index % CATALOG.length];
        return Product.newBuilder()
                .setProductId(entry[0]).setName(entry[1]).setCategory(entry[2])
                .setUnitPriceMinor(Long.parseLong(entry[3])).setCurrency("JPY")
                .setImageUrl("https://shop.example.com/img/" + entry[0] + ".jpg")
                .setUrl("https://shop.example.com/p/" + entry[0])
                .build();
    }

    public static String customerId(int index) {
        return String.format("c%05d", index);
    }

    /**
     * @param customers how many customers
     * @param start when the traffic begins (event time)
     * @param span how long it lasts; sessions start in its first 80 %
     */
    public static Traffic generate(int customers, long seed, Instant start, Duration span) {
        Random random = new Random(seed);
        List<CustomerProfile> profiles = new ArrayList<>();
        List<ClickstreamEvent> clicks = new ArrayList<>();
        List<OrderEvent> orders = new ArrayList<>();
        long sessionWindow = span.toMillis() * 8 / 10;
        for (int c = 0; c < customers; c++) {
            String customer = customerId(c);
            boolean japanese = random.nextDouble() < 0.6;
            profiles.add(CustomerProfile.newBuilder()
                    .setEventId("profile-" + customer + "-1")
                    .setEventTime(start.minus(Duration.ofDays(1)).plusSeconds(c))
                    .setCustomerId(customer)
                    .setEmail(customer + "@example.com")
                    .setName(japanese ? JA_NAMES[random.nextInt(JA_NAMES.length)] : EN_NAMES[random.nextInt(EN_NAMES.length)])
                    .setLocale(japanese ? "ja-JP" : "en-US")
                    .setTimezone(japanese ? "Asia/Tokyo" : "America/New_York")
                    .setBirthday(LocalDate.of(1960 + random.nextInt(45), 1 + random.nextInt(12), 1 + random.nextInt(28)))
                    .setMarketingConsent(random.nextDouble() < 0.9)
                    .setConsentTime(start.minus(Duration.ofDays(30)))
                    .setConsentSource("signup-form")
                    .setRegisteredAt(start.minus(Duration.ofDays(30 + random.nextInt(700))))
                    // some members hold points (a few spent down to zero) that expire in the coming weeks
                    .setPointsBalance(random.nextDouble() < 0.4 ? 100L * random.nextInt(30) : null)
                    .setPointsExpiry(start.plus(Duration.ofDays(2 + random.nextInt(28))))
                    .build());
            int sessions = 1 + random.nextInt(3);
            Map<String, ItemLine> cart = new LinkedHashMap<>();
            int eventNumber = 0;
            int orderNumber = 0;
            List<Long> sessionStarts = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                sessionStarts.add(start.toEpochMilli() + (long) (random.nextDouble() * sessionWindow));
            }
            sessionStarts.sort(Comparator.naturalOrder());
            for (int s = 0; s < sessions; s++) {
                long time = sessionStarts.get(s);
                String session = customer + "-s" + s;
                if (s > 0 && random.nextDouble() < 0.3) {
                    clicks.add(click(customer, session, ++eventNumber, time, ClickType.LOGIN, null, null, 1));
                    time += 5_000;
                }
                int views = 2 + random.nextInt(7);
                for (int v = 0; v < views; v++) {
                    time += 20_000 + random.nextInt(100_000);
                    if (random.nextDouble() < 0.4) {
                        clicks.add(click(customer, session, ++eventNumber, time, ClickType.PAGE_VIEW,
                                PAGE_TYPES[random.nextInt(PAGE_TYPES.length)], null, 1));
                    } else {
                        Product viewed = product(random.nextInt(CATALOG.length));
                        clicks.add(click(customer, session, ++eventNumber, time, ClickType.PRODUCT_VIEW, "product",
                                viewed, 1));
                        if (random.nextDouble() < 0.05) {
                            time += 3_000;
                            clicks.add(click(customer, session, ++eventNumber, time, ClickType.FAVOURITE, "product",
                                    viewed, 1));
                        } else if (soldOut(viewed, time, start) && random.nextDouble() < 0.3) {
                            time += 3_000;
                            clicks.add(click(customer, session, ++eventNumber, time, ClickType.NOTIFY_ME, "product",
                                    viewed, 1));
                        }
                    }
                }
                if (random.nextDouble() < 0.5) {
                    int adds = 1 + random.nextInt(3);
                    for (int a = 0; a < adds; a++) {
                        time += 15_000 + random.nextInt(60_000);
                        Product product = product(random.nextInt(CATALOG.length));
                        int quantity = 1 + (random.nextDouble() < 0.2 ? 1 : 0);
                        clicks.add(click(customer, session, ++eventNumber, time, ClickType.CART_ADD, "product", product, quantity));
                        ItemLine before = cart.remove(product.getProductId());
                        cart.put(product.getProductId(), new ItemLine(product, quantity + (before == null ? 0 : before.getQuantity())));
                    }
                }
                if (!cart.isEmpty() && random.nextDouble() < 0.15) {
                    time += 10_000 + random.nextInt(30_000);
                    ItemLine removed = cart.values().iterator().next();
                    clicks.add(click(customer, session, ++eventNumber, time, ClickType.CART_REMOVE, "cart",
                            removed.getProduct(), removed.getQuantity()));
                    cart.remove(removed.getProduct().getProductId());
                }
                if (!cart.isEmpty() && random.nextDouble() < 0.35) {
                    time += 60_000 + random.nextInt(240_000);
                    List<ItemLine> lines = new ArrayList<>(cart.values());
                    long total = lines.stream().mapToLong(l -> l.getProduct().getUnitPriceMinor() * l.getQuantity()).sum();
                    String orderId = customer + "-o" + (++orderNumber);
                    orders.add(OrderEvent.newBuilder()
                            .setEventId(orderId + "-placed").setEventTime(Instant.ofEpochMilli(time))
                            .setCustomerId(customer).setOrderId(orderId).setType(OrderEventType.PLACED)
                            .setLines(lines).setTotalMinor(total).setCurrency("JPY").build());
                    cart.clear();
                    if (random.nextDouble() < 0.7) {
                        long shipped = time + Duration.ofHours(4 + random.nextInt(20)).toMillis();
                        orders.add(OrderEvent.newBuilder()
                                .setEventId(orderId + "-shipped").setEventTime(Instant.ofEpochMilli(shipped))
                                .setCustomerId(customer).setOrderId(orderId).setType(OrderEventType.SHIPPED)
                                .setLines(lines).setTrackingNumber("JP" + (100_000_000 + random.nextInt(900_000_000)))
                                .build());
                    }
                }
            }
        }
        Comparator<ClickstreamEvent> clickOrder = Comparator.comparing(ClickstreamEvent::getEventTime);
        clicks.sort(clickOrder);
        orders.sort(Comparator.comparing(OrderEvent::getEventTime));
        return new Traffic(profiles, clicks, orders, inventory(start));
    }

    private static final Duration SOLD_OUT_FROM = Duration.ofHours(30);
    private static final Duration RESTOCKED_AT = Duration.ofHours(60);

    private static boolean soldOut(Product product, long time, Instant start) {
        for (int index : SELLS_OUT) {
            if (product(index).getProductId().equals(product.getProductId())) {
                return time >= start.plus(SOLD_OUT_FROM).toEpochMilli() && time < start.plus(RESTOCKED_AT).toEpochMilli();
            }
        }
        return false;
    }

    /** Stock of every product at the start; two sell out and come back. */
    static List<InventoryChange> inventory(Instant start) {
        List<InventoryChange> changes = new ArrayList<>();
        for (int index = 0; index < CATALOG.length; index++) {
            changes.add(stock(product(index), start.minus(Duration.ofHours(1)), 40, "initial"));
        }
        for (int index : SELLS_OUT) {
            changes.add(stock(product(index), start.plus(SOLD_OUT_FROM), 0, "sold-out"));
            changes.add(stock(product(index), start.plus(RESTOCKED_AT), 25, "restocked"));
        }
        changes.sort(Comparator.comparing(InventoryChange::getEventTime));
        return changes;
    }

    private static InventoryChange stock(Product product, Instant time, int level, String what) {
        return InventoryChange.newBuilder().setEventId("stock-" + product.getProductId() + "-" + what)
                .setEventTime(time).setProductId(product.getProductId()).setStockLevel(level).setProduct(product).build();
    }

    private static ClickstreamEvent click(String customer, String session, int number, long time, ClickType type,
                                          String pageType, Product product, int quantity) {
        return ClickstreamEvent.newBuilder()
                .setEventId(customer + "-e" + number)
                .setEventTime(Instant.ofEpochMilli(time))
                .setCustomerId(customer)
                .setSessionId(session)
                .setType(type)
                .setPageType(pageType)
                .setUrl(product != null ? product.getUrl() : "https://shop.example.com/" + (pageType == null ? "" : pageType))
                .setProduct(product)
                .setQuantity(quantity)
                .build();
    }
}
