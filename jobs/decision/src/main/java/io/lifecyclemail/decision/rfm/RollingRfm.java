package io.lifecyclemail.decision.rfm;

import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.state.CountedOrder;
import io.lifecyclemail.state.RfmChange;
import io.lifecyclemail.state.RfmSeed;
import io.lifecyclemail.state.RfmState;
import io.lifecyclemail.state.RfmValues;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * One customer's recency, frequency and monetary value, kept from the orders stream, free of Flink.
 * A placed order counts once (a repeated event for the same order id does not count again); a
 * cancellation or return of an order still in the order memory subtracts it, and the last purchase
 * becomes the latest remembered order still counted (the first order time does not move). Amounts
 * are converted to the base currency when counted.
 *
 * @param orderMemoryMillis how long an order is remembered for a later cancellation or return
 */
public record RollingRfm(CurrencyTable currencies, long orderMemoryMillis, boolean carryState)
        implements io.lifecyclemail.decision.detect.Detector<RfmState> {

    /** A rolling RFM whose changes do not carry the whole state (the live job's). */
    public RollingRfm(CurrencyTable currencies, long orderMemoryMillis) {
        this(currencies, orderMemoryMillis, false);
    }

    /** The same, with every change carrying the whole state after it (the bootstrap writes its seed file from it). */
    public RollingRfm carryingState() {
        return new RollingRfm(currencies, orderMemoryMillis, true);
    }

    @Override
    public String stateName() {
        return "rfm";
    }

    @Override
    public Class<RfmState> stateClass() {
        return RfmState.class;
    }

    /** Placed, cancelled and returned orders, and seeds from the bootstrap; it never fires a mail itself. */
    @Override
    public boolean accepts(Object event) {
        return event instanceof RfmSeed || event instanceof OrderEvent order && switch (order.getType()) {
            case PLACED, CANCELLED, RETURNED -> true;
            default -> false;
        };
    }

    @Override
    public RfmState apply(RfmState state, Object event) {
        return apply(state, event, null);
    }

    @Override
    public boolean usesCustomerZone() {
        return true;
    }

    /**
     * The state after an order or seed, its last purchase day counted in {@code zone} (the profile's,
     * else UTC). A seed replaces the state: it is applied at its as-of time, in event-time order, so
     * whatever the job built before then came from orders before it, which the seed counted from the
     * whole history; an order placed before the seed's time that arrives later is in the seed already.
     */
    @Override
    public RfmState apply(RfmState state, Object event, ZoneId zone) {
        if (event instanceof RfmSeed seed) {
            return RfmState.newBuilder(seed.getState()).setSeededUntil(seed.getAsOf()).build();
        }
        RfmState next = applyOrder(state, (OrderEvent) event);
        String zoneId = zone == null || java.time.ZoneOffset.UTC.equals(zone.normalized()) ? "UTC" : zone.getId();
        if (next != null && next != state && !zoneId.equals(next.getZone())) {
            next.setZone(zoneId);
        }
        return next;
    }

    /**
     * What the population and the rank stage learn of a change from {@code before} to {@code after}:
     * their values, and whether a newly counted order made it.
     */
    public RfmChange change(String customerId, RfmState before, RfmState after, long time) {
        boolean placed = after != null && (before == null ? after.getOrders() > 0 : after.getOrders() > before.getOrders());
        return new RfmChange(customerId, time, values(before), values(after), placed, currencies.base(),
                carryState ? after : null);
    }

    private static RfmValues values(RfmState state) {
        return state == null ? null : new RfmValues(state.getFirstOrderTime(), state.getLastPurchaseTime(),
                state.getOrders(), state.getTotalMinor(), state.getZone());
    }

    @Override
    public java.util.List<io.lifecyclemail.decision.detect.Candidate> due(String customerId, RfmState state, long time) {
        return java.util.List.of();
    }

    /** The state after an order event; the same object when nothing changed. */
    public RfmState applyOrder(RfmState state, OrderEvent order) {
        long time = order.getEventTime().toEpochMilli();
        Map<String, CountedOrder> recent = state == null ? new HashMap<>() : new HashMap<>(state.getRecentOrders());
        CountedOrder known = recent.get(order.getOrderId());
        RfmState next = state == null ? new RfmState(time, time, 0, 0L, recent, 0L, "UTC")
                : RfmState.newBuilder(state).setRecentOrders(recent).build();
        switch (order.getType()) {
            case PLACED -> {
                if (known != null || (state != null && time < state.getSeededUntil())) {
                    return state; // the same order again, or one the bootstrap seed counted
                }
                Long amount = amountOf(order);
                if (amount == null) {
                    return state; // a currency without a rate: not counted (documented with rfm.rates)
                }
                recent.put(order.getOrderId(), new CountedOrder(time, amount, true));
                next.setOrders(next.getOrders() + 1);
                next.setTotalMinor(next.getTotalMinor() + amount);
                next.setLastPurchaseTime(next.getOrders() == 1 ? time : Math.max(next.getLastPurchaseTime(), time));
                next.setFirstOrderTime(next.getOrders() == 1 ? time : Math.min(next.getFirstOrderTime(), time));
            }
            case CANCELLED, RETURNED -> {
                if (known == null || !known.getCounted()) {
                    return state; // not remembered, or already subtracted
                }
                recent.put(order.getOrderId(), new CountedOrder(known.getPlacedTime(), known.getAmountMinor(), false));
                next.setOrders(next.getOrders() - 1);
                next.setTotalMinor(next.getTotalMinor() - known.getAmountMinor());
                long latest = recent.values().stream().filter(CountedOrder::getCounted)
                        .mapToLong(CountedOrder::getPlacedTime).max().orElse(Long.MIN_VALUE);
                if (known.getPlacedTime() >= next.getLastPurchaseTime() && latest != Long.MIN_VALUE) {
                    next.setLastPurchaseTime(latest);
                }
            }
            default -> {
                return state;
            }
        }
        return next;
    }

    /**
     * Forgets orders older than the order memory (their cancellation would no longer subtract); a
     * customer with no counted order and nothing remembered is forgotten.
     */
    @Override
    public RfmState expire(RfmState state, long time) {
        if (state == null) {
            return null;
        }
        Map<String, CountedOrder> recent = new HashMap<>(state.getRecentOrders());
        boolean removed = recent.values().removeIf(order -> order.getPlacedTime() + orderMemoryMillis <= time);
        if (!removed) {
            return state;
        }
        if (state.getOrders() <= 0 && recent.isEmpty()) {
            return null;
        }
        return RfmState.newBuilder(state).setRecentOrders(recent).build();
    }

    /** The order's amount in the base currency: its total, else the sum of its lines; null without a rate. */
    Long amountOf(OrderEvent order) {
        long minor;
        String currency = order.getCurrency();
        if (order.getTotalMinor() != null) {
            minor = order.getTotalMinor();
        } else {
            minor = 0;
            for (ItemLine line : order.getLines()) {
                Long price = line.getProduct().getUnitPriceMinor();
                minor += price == null ? 0 : price * line.getQuantity();
                if (currency == null) {
                    currency = line.getProduct().getCurrency();
                }
            }
        }
        return currencies.canConvert(currency) ? currencies.toBaseMinor(minor, currency) : null;
    }

    /** When the state next needs attention: when its oldest remembered order is forgotten. */
    @Override
    public java.util.OptionalLong nextWakeUp(RfmState state) {
        if (state == null || state.getRecentOrders().isEmpty()) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of(state.getRecentOrders().values().stream()
                .mapToLong(CountedOrder::getPlacedTime).min().getAsLong() + orderMemoryMillis);
    }
}
