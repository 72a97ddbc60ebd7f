package io.lifecyclemail.decision.restock;

import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.ProductInterest;
import io.lifecyclemail.state.ProductSignal;
import io.lifecyclemail.state.ProductSignalKind;
import io.lifecyclemail.state.ScenarioTrigger;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The rules of restock, free of Flink. Interest is kept per product and customer (keyed by product
 * and a bucket of customers, so that a hot product's customers are spread over many keys and no
 * single key has to fan out to all of them); a stock change from 0 to available fans out to every
 * customer whose interest is within a scenario's look-back and who has not bought the product since.
 * Interest older than the longest look-back is forgotten.
 */
public final class RestockInterest implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Order of signals at the same instant: interest and purchases count before a stock change. */
    public static final Comparator<ProductSignal> ORDER = Comparator.comparingLong(ProductSignal::getEventTime)
            .thenComparing(signal -> signal.getKind() == ProductSignalKind.STOCK)
            .thenComparing(ProductSignal::getEventId);

    private final List<RestockScenario> scenarios;
    private final int buckets;
    private final long maxLookBackMillis;

    public RestockInterest(List<RestockScenario> scenarios, int buckets) {
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets must be at least 1");
        }
        this.scenarios = List.copyOf(scenarios);
        this.buckets = buckets;
        this.maxLookBackMillis = scenarios.stream().mapToLong(s -> s.lookBack().toMillis()).max().orElse(0);
    }

    /**
     * How long after a restock its notices may still wait in the governor (quiet hours: under a day; a
     * cap with whenCapped: defer: up to the scenario's maxDelay): a stock-out within it makes them stale.
     */
    public long staleHorizonMillis() {
        long horizon = Duration.ofDays(1).toMillis();
        for (RestockScenario scenario : scenarios) {
            horizon = Math.max(horizon, scenario.policy().governance().maxDelay().toMillis());
        }
        return horizon;
    }

    public boolean active() {
        return !scenarios.isEmpty();
    }

    public static int bucketOf(String customerId, int buckets) {
        // String.hashCode is the same in every JVM; mixed (MurmurHash3's finaliser) because ids such as
        // c00001, c00002 differ only in their last characters and would fill some buckets twice as much
        int hash = customerId.hashCode();
        hash ^= hash >>> 16;
        hash *= 0x85ebca6b;
        hash ^= hash >>> 13;
        hash *= 0xc2b2ae35;
        hash ^= hash >>> 16;
        return Math.floorMod(hash, buckets);
    }

    /** The key of the product-keyed stage. */
    public static String key(ProductSignal signal) {
        return signal.getProductId() + "#" + signal.getBucket();
    }

    /** A view, favourite or "notify me" that some scenario counts, as a signal; else none. */
    public List<ProductSignal> signals(ClickstreamEvent click) {
        ProductSignalKind kind = switch (click.getType()) {
            case PRODUCT_VIEW -> scenarios.stream().anyMatch(RestockScenario::viewed) ? ProductSignalKind.VIEWED : null;
            case FAVOURITE -> scenarios.stream().anyMatch(RestockScenario::favourited) ? ProductSignalKind.FAVOURITED : null;
            case NOTIFY_ME -> scenarios.stream().anyMatch(RestockScenario::notifyMe) ? ProductSignalKind.NOTIFY_ME : null;
            default -> null;
        };
        if (kind == null || click.getProduct() == null) {
            return List.of();
        }
        return List.of(customerSignal(kind, click.getCustomerId(), click.getEventId(), click.getEventTime(),
                click.getProduct()));
    }

    /** Every product of a placed order: the customer has bought it. */
    public List<ProductSignal> signals(OrderEvent order) {
        if (order.getType() != OrderEventType.PLACED) {
            return List.of();
        }
        List<ProductSignal> signals = new ArrayList<>();
        for (ItemLine line : order.getLines()) {
            signals.add(customerSignal(ProductSignalKind.BOUGHT, order.getCustomerId(), order.getEventId(),
                    order.getEventTime(), line.getProduct()));
        }
        return signals;
    }

    /** A stock change goes to every bucket of its product. */
    public List<ProductSignal> signals(InventoryChange change) {
        List<ProductSignal> signals = new ArrayList<>(buckets);
        for (int bucket = 0; bucket < buckets; bucket++) {
            signals.add(ProductSignal.newBuilder().setProductId(change.getProductId()).setBucket(bucket)
                    .setKind(ProductSignalKind.STOCK).setEventId(change.getEventId())
                    .setEventTime(change.getEventTime().toEpochMilli()).setStockLevel(change.getStockLevel())
                    .setProduct(change.getProduct()).build());
        }
        return signals;
    }

    private ProductSignal customerSignal(ProductSignalKind kind, String customerId, String eventId, Instant time,
                                         Product product) {
        return ProductSignal.newBuilder().setProductId(product.getProductId()).setBucket(bucketOf(customerId, buckets))
                .setKind(kind).setCustomerId(customerId).setEventId(eventId).setEventTime(time.toEpochMilli())
                .setProduct(product).build();
    }

    /** Applies a customer's signal to their interest in the product; null when there is nothing to keep. */
    public ProductInterest apply(ProductInterest interest, ProductSignal signal) {
        ProductInterest next = interest == null ? new ProductInterest(0L, 0L, 0L, 0L, "", null) : interest;
        long time = signal.getEventTime();
        switch (signal.getKind()) {
            case VIEWED -> next.setViewedAt(Math.max(next.getViewedAt(), time));
            case FAVOURITED -> next.setFavouritedAt(Math.max(next.getFavouritedAt(), time));
            case NOTIFY_ME -> next.setNotifyMeAt(Math.max(next.getNotifyMeAt(), time));
            case BOUGHT -> {
                if (interest == null) {
                    return null; // bought without interest shown: nothing to remember
                }
                next.setBoughtAt(Math.max(next.getBoughtAt(), time));
                return next;
            }
            default -> {
                return interest;
            }
        }
        // neither the event id nor the product is kept per customer: nothing reads the id (state of older
        // versions loses it here), and the product is kept once per product key
        next.setInterestEventId("");
        return next;
    }

    /** The product as mails should show it: the stock system's, else the latest a customer saw. */
    public static Product knownProduct(Product known, ProductSignal signal) {
        if (signal.getProduct() == null) {
            return known;
        }
        return known == null || signal.getKind() == ProductSignalKind.STOCK ? signal.getProduct() : known;
    }

    /**
     * Whether a stock change that arrives behind the watermark tells nothing new: a level is absolute,
     * so a change no later than the level already known (at {@code knownAt}, null when none is) is
     * older news or a copy of it. Ignoring it keeps a late copy of a restock from restocking again
     * after a stock-out, and so every restock notice and stock-out is made once per stock event.
     */
    public static boolean isStaleWhenLate(Long knownAt, long time) {
        return knownAt != null && time <= knownAt;
    }

    /** A stock change is a restock when the product was out of stock (known 0) and is available again. */
    public static boolean isRestock(Integer previousLevel, int level) {
        return previousLevel != null && previousLevel == 0 && level > 0;
    }

    /**
     * The triggers of a restock for one interested customer: one per scenario whose conditions hold.
     *
     * @param product the product as the mail shows it (see {@link #knownProduct}), or null
     */
    public List<ScenarioTrigger> onRestock(String customerId, ProductInterest interest, ProductSignal stock,
                                           Product product) {
        List<ScenarioTrigger> triggers = new ArrayList<>();
        long time = stock.getEventTime();
        for (RestockScenario scenario : scenarios) {
            long since = time - scenario.lookBack().toMillis();
            String shown = interestShown(scenario, interest, since);
            if (shown == null) {
                continue;
            }
            triggers.add(ScenarioTrigger.newBuilder()
                    .setScenarioId(scenario.id())
                    .setCustomerId(customerId)
                    .setTriggerEventId(stock.getEventId())
                    .setEventTime(time)
                    .setEntryKey(stock.getProductId())
                    .setItems(product == null ? List.of() : List.of(new ItemLine(product, 1)))
                    .setReason(stock.getProductId() + " back in stock (" + stock.getStockLevel() + " available); "
                            + shown + " within the look-back of " + Durations.format(scenario.lookBack())
                            + ", not bought since")
                    .build());
        }
        return triggers;
    }

    /** What interest the customer showed since {@code since} and after their last purchase, in words; null if none. */
    private static String interestShown(RestockScenario scenario, ProductInterest interest, long since) {
        long after = Math.max(since, interest.getBoughtAt() + 1);
        List<String> shown = new ArrayList<>();
        if (scenario.notifyMe() && interest.getNotifyMeAt() >= after) {
            shown.add("asked to be told");
        }
        if (scenario.favourited() && interest.getFavouritedAt() >= after) {
            shown.add("favourited it");
        }
        if (scenario.viewed() && interest.getViewedAt() >= after) {
            shown.add("viewed it");
        }
        return shown.isEmpty() ? null : String.join(", ", shown);
    }

    /** After a notice the "notify me" request is used up; null when nothing else is left. */
    public ProductInterest afterNotice(ProductInterest interest) {
        interest.setNotifyMeAt(0L);
        return interest.getViewedAt() == 0 && interest.getFavouritedAt() == 0 ? null : interest;
    }

    /** Whether no scenario's look-back reaches back to any of this interest at {@code time}. */
    public boolean expired(ProductInterest interest, long time) {
        long newest = Math.max(interest.getViewedAt(), Math.max(interest.getFavouritedAt(), interest.getNotifyMeAt()));
        return newest < time - maxLookBackMillis;
    }

    /** When interest shown at {@code time} has expired: interest is swept once a day, at midnight UTC. */
    public long sweepAfter(long time) {
        long day = Duration.ofDays(1).toMillis();
        return Math.floorDiv(time + maxLookBackMillis, day) * day + day;
    }

    public static boolean isSweepTime(long time) {
        return Math.floorMod(time, Duration.ofDays(1).toMillis()) == 0;
    }
}
