package io.lifecyclemail.decision.rfm;

import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.state.CountedOrder;
import io.lifecyclemail.state.RfmState;
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
public record RollingRfm(CurrencyTable currencies, long orderMemoryMillis)
        implements io.lifecyclemail.decision.detect.Detector<RfmState> {

    @Override
    public String stateName() {
        return "rfm";
    }

    @Override
    public Class<RfmState> stateClass() {
        return RfmState.class;
    }

    /** Placed, cancelled and returned orders; it never fires a mail itself. */
    @Override
    public boolean accepts(Object event) {
        return event instanceof OrderEvent order && switch (order.getType()) {
            case PLACED, CANCELLED, RETURNED -> true;
            default -> false;
        };
    }

    @Override
    public RfmState apply(RfmState state, Object event) {
        return apply(state, (OrderEvent) event);
    }

    @Override
    public java.util.List<io.lifecyclemail.decision.detect.Candidate> due(String customerId, RfmState state, long time) {
        return java.util.List.of();
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

    /** Whole days from the last purchase to {@code asOf}, by the calendar of the customer's zone. */
    public static long recencyDays(RfmState state, Instant asOf, ZoneId zone) {
        LocalDate last = Instant.ofEpochMilli(state.getLastPurchaseTime()).atZone(zone).toLocalDate();
        return ChronoUnit.DAYS.between(last, asOf.atZone(zone).toLocalDate());
    }

    public static double averageOrderMinor(RfmState state) {
        return state.getOrders() <= 0 ? 0 : (double) state.getTotalMinor() / state.getOrders();
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

    /** The record the {@code rfm} topic carries for the state at {@code asOf}. */
    public io.lifecyclemail.schema.RfmRecord record(String customerId, RfmState state, long asOf, ZoneId zone) {
        ZoneId counted = zone == null ? java.time.ZoneOffset.UTC : zone;
        return io.lifecyclemail.schema.RfmRecord.newBuilder()
                .setCustomerId(customerId)
                .setAsOf(Instant.ofEpochMilli(asOf))
                .setFirstOrderTime(Instant.ofEpochMilli(state.getFirstOrderTime()))
                .setLastPurchaseTime(Instant.ofEpochMilli(state.getLastPurchaseTime()))
                .setRecencyDays((int) recencyDays(state, Instant.ofEpochMilli(asOf), counted))
                .setFrequency(state.getOrders())
                .setMonetaryMinor(state.getTotalMinor())
                .setAverageOrderMinor(state.getOrders() <= 0 ? 0 : state.getTotalMinor() / state.getOrders())
                .setCurrency(currencies.base())
                .setTimezone(counted.getId())
                .build();
    }
}
