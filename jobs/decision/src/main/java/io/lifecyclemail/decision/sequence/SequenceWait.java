package io.lifecyclemail.decision.sequence;

import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.OneScenarioDetector;
import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.state.ScenarioTrigger;
import io.lifecyclemail.state.SequenceWaitState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The customer-keyed half of one Sequence scenario, free of Flink: a match reported by the CEP
 * stage fires at once or, with {@code thenNot}, once its time has passed without one of those
 * events (decided on the watermark like every absence). While a match waits, further matches do not
 * start another wait; an event at the same instant as the match's last step counts as before it. A
 * match that starts at or before the end of the previous one overlaps it and does not count (CEP
 * reports such matches only for patterns whose matches may overlap).
 */
public final class SequenceWait extends OneScenarioDetector<SequenceWaitState, SequenceScenario> {
    private static final long serialVersionUID = 1L;

    public SequenceWait(SequenceScenario scenario) {
        super(scenario, "sequence", SequenceWaitState.class);
    }

    @Override
    public boolean accepts(Object event) {
        if (event instanceof ScenarioTrigger trigger) {
            return trigger.getScenarioId().equals(scenario.id());
        }
        return scenario.thenNot() != null && (event instanceof ClickstreamEvent || event instanceof OrderEvent)
                && SequenceSteps.matchesAny(scenario.thenNot().events(), event);
    }

    @Override
    public SequenceWaitState apply(SequenceWaitState state, Object event) {
        if (event instanceof ScenarioTrigger trigger) {
            Long firstEventTime = trigger.getFirstEventTime();
            if (state != null && firstEventTime != null && firstEventTime <= state.getLastMatchEnd()) {
                return state; // overlaps the previous match: one match per burst
            }
            long end = trigger.getEventTime();
            if (state != null && !state.getEnded() && state.getDeadline() >= end) {
                return new SequenceWaitState(state.getTrigger(), state.getDeadline(), false,
                        Math.max(end, state.getLastMatchEnd())); // already waiting since an earlier match
            }
            long wait = scenario.thenNot() == null ? 0 : scenario.thenNot().within().toMillis();
            return new SequenceWaitState(trigger, end + wait, false, end);
        }
        if (state == null || state.getEnded()) {
            return state;
        }
        long time = SequenceSteps.timeOf(event);
        boolean ends = time > state.getTrigger().getEventTime() && time <= state.getDeadline();
        return ends ? ended(state) : state;
    }

    @Override
    public List<Candidate> due(String customerId, SequenceWaitState state, long time) {
        if (state.getEnded() || state.getDeadline() > time) {
            return List.of();
        }
        ScenarioTrigger trigger = state.getTrigger();
        String reason = trigger.getReason() + (scenario.thenNot() == null ? ""
                : ", then none of " + describe(scenario.thenNot().events()) + " within "
                        + Durations.format(scenario.thenNot().within()));
        return List.of(new Candidate(scenario, customerId, SequenceScenario.STEP, trigger.getItems(),
                trigger.getTriggerEventId(), state.getDeadline(), reason, Map.of()));
    }

    @Override
    public SequenceWaitState expire(SequenceWaitState state, long time) {
        if (state == null) {
            return null;
        }
        if (!state.getEnded()) {
            return state.getDeadline() <= time ? ended(state) : state;
        }
        return forgetAt(state) <= time ? null : state;
    }

    /** When an ended wait is forgotten: no match that overlaps the last one can complete later. */
    private long forgetAt(SequenceWaitState state) {
        return state.getLastMatchEnd() + scenario.within().toMillis();
    }

    /**
     * The wait is over. Where matches may overlap, the state stays until {@code within} after the last
     * match: a match that started before its end (and so overlaps it) cannot complete later than that.
     */
    private SequenceWaitState ended(SequenceWaitState state) {
        return scenario.matchesMayOverlap()
                ? new SequenceWaitState(state.getTrigger(), state.getDeadline(), true, state.getLastMatchEnd()) : null;
    }

    @Override
    public OptionalLong nextWakeUp(SequenceWaitState state) {
        if (state == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(state.getEnded() ? forgetAt(state) : state.getDeadline());
    }

    /** The steps in words, for reasons: {@code cart_add, order_placed}. */
    public static String describe(List<SequenceScenario.Step> steps) {
        return String.join(", ", steps.stream().map(step -> step.event().yamlName()
                + (step.times() > 1 ? " x" + step.times() : "")).toList());
    }

    /**
     * The trigger a CEP match becomes: fired at its last event, listing its products newest first;
     * {@code matched} events in all (more than listed where a marked step stands for its repetitions).
     */
    public static ScenarioTrigger trigger(SequenceScenario scenario, String customerId, List<Object> matchedEvents,
                                          int matched, int maxItems) {
        Object last = null;
        long lastTime = Long.MIN_VALUE;
        long firstTime = Long.MAX_VALUE;
        java.util.LinkedHashMap<String, io.lifecyclemail.schema.ItemLine> items = new java.util.LinkedHashMap<>();
        for (Object event : matchedEvents) {
            long time = SequenceSteps.timeOf(event);
            firstTime = Math.min(firstTime, time);
            if (time >= lastTime) {
                last = event;
                lastTime = time;
            }
        }
        for (int i = matchedEvents.size() - 1; i >= 0; i--) {
            for (io.lifecyclemail.schema.Product product : SequenceSteps.productsOf(matchedEvents.get(i))) {
                if (items.size() < maxItems) {
                    items.putIfAbsent(product.getProductId(), new io.lifecyclemail.schema.ItemLine(product, 1));
                }
            }
        }
        return ScenarioTrigger.newBuilder()
                .setScenarioId(scenario.id())
                .setCustomerId(customerId)
                .setTriggerEventId(idOf(last))
                .setEventTime(lastTime)
                .setItems(new java.util.ArrayList<>(items.values()))
                .setReason("sequence " + describe(scenario.steps()) + " matched by " + matched
                        + " events from " + Instant.ofEpochMilli(firstTime) + " to " + Instant.ofEpochMilli(lastTime))
                .setFirstEventTime(firstTime)
                .build();
    }

    private static String idOf(Object event) {
        return event instanceof ClickstreamEvent click ? click.getEventId() : ((OrderEvent) event).getEventId();
    }
}
