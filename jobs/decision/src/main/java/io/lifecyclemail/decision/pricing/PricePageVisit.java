package io.lifecyclemail.decision.pricing;

import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.OneScenarioDetector;
import io.lifecyclemail.decision.scenario.PricePageVisitScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.state.PricePageState;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One PricePageVisit scenario, free of Flink: the first matching page view starts the wait (later
 * visits do not postpone the follow-up), a placed order cancels it, and once it has fired or been
 * cancelled nothing is kept; the next visit starts a new wait.
 */
public final class PricePageVisit extends OneScenarioDetector<PricePageState, PricePageVisitScenario> {
    private static final long serialVersionUID = 1L;

    public PricePageVisit(PricePageVisitScenario scenario) {
        super(scenario, "price-page-visit", PricePageState.class);
    }

    @Override
    public boolean accepts(Object event) {
        if (event instanceof ClickstreamEvent click) {
            return isVisit(click);
        }
        return event instanceof OrderEvent order && order.getType() == OrderEventType.PLACED;
    }

    boolean isVisit(ClickstreamEvent click) {
        if (click.getType() != ClickType.PAGE_VIEW) {
            return false;
        }
        if (!scenario.urlContains().isEmpty()) {
            return click.getUrl() != null && click.getUrl().contains(scenario.urlContains());
        }
        return scenario.pageType().equalsIgnoreCase(click.getPageType() == null ? "" : click.getPageType());
    }

    @Override
    public PricePageState apply(PricePageState state, Object event) {
        if (event instanceof OrderEvent) {
            return null; // bought: no follow-up needed
        }
        if (state != null) {
            return state; // already waiting since the first visit
        }
        ClickstreamEvent click = (ClickstreamEvent) event;
        return new PricePageState(click.getEventTime().toEpochMilli(), click.getEventId(), click.getUrl());
    }

    @Override
    public List<Candidate> due(String customerId, PricePageState state, long time) {
        long deadline = state.getVisitTime() + scenario.delay().toMillis();
        if (deadline > time) {
            return List.of();
        }
        Map<String, String> attributes = coupon(scenario.coupon());
        return List.of(new Candidate(scenario, customerId, PricePageVisitScenario.STEP, List.of(),
                state.getVisitEventId(), deadline, "viewed the pricing page and bought nothing in "
                + Durations.format(scenario.delay()), attributes));
    }

    @Override
    public PricePageState expire(PricePageState state, long time) {
        return state != null && time >= state.getVisitTime() + scenario.delay().toMillis() ? null : state;
    }

    @Override
    public OptionalLong nextWakeUp(PricePageState state) {
        return state == null ? OptionalLong.empty() : OptionalLong.of(state.getVisitTime() + scenario.delay().toMillis());
    }
}
