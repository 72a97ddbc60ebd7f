package io.lifecyclemail.decision.replenishment;

import io.lifecyclemail.decision.detect.StateValues;
import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.OneScenarioDetector;
import io.lifecyclemail.decision.scenario.ReplenishmentScenario;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.Consumable;
import io.lifecyclemail.state.ReplenishmentState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One Replenishment scenario, free of Flink: each consumable in a placed order is due for a
 * reminder when it is about half used; buying the same product again starts its period afresh. A
 * product is forgotten once its reminder is decided.
 */
public final class Replenishment extends OneScenarioDetector<ReplenishmentState, ReplenishmentScenario> {
    private static final long serialVersionUID = 1L;

    public Replenishment(ReplenishmentScenario scenario) {
        super(scenario, "replenishment", ReplenishmentState.class);
    }

    @Override
    public boolean accepts(Object event) {
        return event instanceof OrderEvent order && order.getType() == OrderEventType.PLACED;
    }

    @Override
    public ReplenishmentState apply(ReplenishmentState state, Object event) {
        OrderEvent order = (OrderEvent) event;
        List<Consumable> bought = state == null ? new ArrayList<>() : new ArrayList<>(state.getBought());
        boolean changed = false;
        for (ItemLine line : order.getLines()) {
            Product product = line.getProduct();
            Duration halfUsed = scenario.halfUsedAfter(product.getProductId(), product.getCategory());
            if (halfUsed == null) {
                continue;
            }
            bought.removeIf(consumable -> consumable.getProduct().getProductId().equals(product.getProductId()));
            bought.add(new Consumable(StateValues.shared(product), order.getEventId(), order.getEventTime().toEpochMilli() + halfUsed.toMillis()));
            changed = true;
        }
        if (!changed) {
            return state;
        }
        return new ReplenishmentState(bought);
    }

    @Override
    public List<Candidate> due(String customerId, ReplenishmentState state, long time) {
        List<Candidate> due = new ArrayList<>();
        for (Consumable consumable : state.getBought()) {
            if (consumable.getDue() <= time) {
                // one mail per product and order: the order's event id and the product make the trigger
                due.add(new Candidate(scenario, customerId, ReplenishmentScenario.STEP + "-" + consumable.getProduct().getProductId(),
                        List.of(new ItemLine(consumable.getProduct(), 1)), consumable.getOrderEventId(), consumable.getDue(),
                        consumable.getProduct().getProductId() + " about half used "
                                + Durations.format(scenario.halfUsedAfter(consumable.getProduct().getProductId(),
                                consumable.getProduct().getCategory())) + " after buying it", Map.of())
                        .per(Candidate.EntryKey.of(consumable.getProduct().getProductId())));
            }
        }
        return due;
    }

    @Override
    public ReplenishmentState expire(ReplenishmentState state, long time) {
        if (state == null) {
            return null;
        }
        List<Consumable> left = state.getBought().stream().filter(consumable -> consumable.getDue() > time).toList();
        if (left.size() == state.getBought().size()) {
            return state;
        }
        return left.isEmpty() ? null : new ReplenishmentState(new ArrayList<>(left));
    }

    @Override
    public OptionalLong nextWakeUp(ReplenishmentState state) {
        return state == null ? OptionalLong.empty()
                : state.getBought().stream().mapToLong(Consumable::getDue).min();
    }
}
