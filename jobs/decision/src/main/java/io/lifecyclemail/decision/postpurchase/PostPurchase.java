package io.lifecyclemail.decision.postpurchase;

import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.OneScenarioDetector;
import io.lifecyclemail.decision.scenario.PostPurchaseScenario;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.state.OrderSteps;
import io.lifecyclemail.state.PostPurchaseState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One PostPurchase scenario, free of Flink. Every placed order gets the scenario's steps: timed steps
 * at {@code placed + after}, the shipped step when the order's shipped event happens. Cancelling the
 * order drops the steps still to come. An order is forgotten when its last timed step has been decided
 * (a shipment after that gets no mail); the state ends with the customer's last open order.
 */
public final class PostPurchase extends OneScenarioDetector<PostPurchaseState, PostPurchaseScenario> {
    private static final long serialVersionUID = 1L;
    /** Order lines kept for the mails. */
    static final int MAX_LINES = 5;

    private final long lifetimeMillis;

    public PostPurchase(PostPurchaseScenario scenario) {
        super(scenario, "post-purchase", PostPurchaseState.class);
        this.lifetimeMillis = scenario.lastTimedStep().toMillis();
    }

    @Override
    public boolean accepts(Object event) {
        return event instanceof OrderEvent order && switch (order.getType()) {
            case PLACED, SHIPPED, CANCELLED -> true;
            default -> false;
        };
    }

    @Override
    public PostPurchaseState apply(PostPurchaseState state, Object event) {
        OrderEvent order = (OrderEvent) event;
        List<OrderSteps> orders = state == null ? new ArrayList<>() : new ArrayList<>(state.getOrders());
        int index = indexOf(orders, order.getOrderId());
        long time = order.getEventTime().toEpochMilli();
        switch (order.getType()) {
            case PLACED -> {
                if (index >= 0) {
                    return state; // the same order placed twice: keep the first
                }
                List<ItemLine> lines = new ArrayList<>(order.getLines().subList(0, Math.min(MAX_LINES, order.getLines().size())));
                orders.add(new OrderSteps(order.getOrderId(), time, order.getEventId(), lines, time - 1, null, null, false));
            }
            case SHIPPED -> {
                if (index < 0 || orders.get(index).getShippedTime() != null) {
                    return state;
                }
                OrderSteps steps = OrderSteps.newBuilder(orders.get(index)).setShippedTime(time)
                        .setTrackingNumber(order.getTrackingNumber()).build();
                orders.set(index, steps);
            }
            case CANCELLED -> {
                if (index < 0) {
                    return state;
                }
                orders.remove(index);
            }
            default -> {
                return state;
            }
        }
        return orders.isEmpty() ? null : new PostPurchaseState(orders);
    }

    private static int indexOf(List<OrderSteps> orders, String orderId) {
        for (int i = 0; i < orders.size(); i++) {
            if (orders.get(i).getOrderId().equals(orderId)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public List<Candidate> due(String customerId, PostPurchaseState state, long time) {
        List<Candidate> due = new ArrayList<>();
        for (OrderSteps order : state.getOrders()) {
            for (PostPurchaseScenario.Step step : scenario.steps()) {
                if (step.onShipped()) {
                    Long shipped = order.getShippedTime();
                    if (shipped != null && !order.getShippedDecided() && shipped <= time) {
                        Map<String, String> tracking = order.getTrackingNumber() == null ? Map.of()
                                : Map.of("trackingNumber", order.getTrackingNumber());
                        due.add(candidate(customerId, order, step, shipped, "order " + order.getOrderId() + " shipped",
                                tracking));
                        order.setShippedDecided(true);
                    }
                    continue;
                }
                long deadline = order.getPlacedTime() + step.after().toMillis();
                if (deadline > order.getDecidedUpTo() && deadline <= time) {
                    due.add(candidate(customerId, order, step, deadline, "order " + order.getOrderId() + " placed "
                            + Durations.format(step.after()) + " ago", Map.of()));
                }
            }
            order.setDecidedUpTo(Math.max(order.getDecidedUpTo(), time));
        }
        return due;
    }

    private Candidate candidate(String customerId, OrderSteps order, PostPurchaseScenario.Step step, long time,
                                String reason, Map<String, String> attributes) {
        Map<String, String> values = new java.util.HashMap<>(attributes);
        values.put("orderId", order.getOrderId());
        return new Candidate(scenario, customerId, step.name(), new ArrayList<>(order.getLines()),
                order.getPlacedEventId(), time, reason, values, step.template())
                .per(Candidate.EntryKey.of(order.getOrderId()));
    }

    @Override
    public PostPurchaseState expire(PostPurchaseState state, long time) {
        if (state == null) {
            return null;
        }
        List<OrderSteps> open = state.getOrders().stream()
                .filter(order -> order.getPlacedTime() + lifetimeMillis > time)
                .toList();
        if (open.size() == state.getOrders().size()) {
            return state;
        }
        return open.isEmpty() ? null : new PostPurchaseState(new ArrayList<>(open));
    }

    @Override
    public OptionalLong nextWakeUp(PostPurchaseState state) {
        if (state == null) {
            return OptionalLong.empty();
        }
        long next = Long.MAX_VALUE;
        for (OrderSteps order : state.getOrders()) {
            if (order.getShippedTime() != null && !order.getShippedDecided()) {
                next = Math.min(next, order.getShippedTime());
            }
            long nextTimed = order.getPlacedTime() + lifetimeMillis;
            for (PostPurchaseScenario.Step step : scenario.steps()) {
                if (!step.onShipped()) {
                    long deadline = order.getPlacedTime() + step.after().toMillis();
                    if (deadline > order.getDecidedUpTo()) {
                        nextTimed = Math.min(nextTimed, deadline);
                    }
                }
            }
            next = Math.min(next, nextTimed);
        }
        return OptionalLong.of(next);
    }
}
