package io.lifecyclemail.decision.rfm;

import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.state.CountedOrder;
import io.lifecyclemail.state.RfmState;
import java.io.Serializable;
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
public record RollingRfm(CurrencyTable currencies, long orderMemoryMillis) implements Serializable {

    public boolean accepts(OrderEvent order) {
        return switch (order.getType()) {
            case PLACED, CANCELLED, RETURNED -> true;
            default -> false;
        };
    }

    /** The state after an order event; the same object when nothing changed. */
    public RfmState apply(RfmState state, OrderEvent order) {
        long time = order.getEventTime().toEpochMilli();
        Map<String, CountedOrder> recent = state == null ? new HashMap<>() : new HashMap<>(state.getRecentOrders());
        CountedOrder known = recent.get(order.getOrderId());
        RfmState next = state == null ? new RfmState(time, time, 0, 0L, recent)
                : RfmState.newBuilder(state).setRecentOrders(recent).build();
        switch (order.getType()) {
            case PLACED -> {
                if (known != null) {
                    return state; // the same order again
                }
                long amount = amountOf(order);
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

    /** The order's amount in the base currency: its total, else the sum of its lines. */
    long amountOf(OrderEvent order) {
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
        return currencies.toBaseMinor(minor, currency);
    }

    /** Whole days from the last purchase to {@code asOf}, by the calendar of the customer's zone. */
    public static long recencyDays(RfmState state, Instant asOf, ZoneId zone) {
        LocalDate last = Instant.ofEpochMilli(state.getLastPurchaseTime()).atZone(zone).toLocalDate();
        return ChronoUnit.DAYS.between(last, asOf.atZone(zone).toLocalDate());
    }

    public static double averageOrderMinor(RfmState state) {
        return state.getOrders() <= 0 ? 0 : (double) state.getTotalMinor() / state.getOrders();
    }
}
