package io.lifecyclemail.decision.deep;

import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.OneScenarioDetector;
import io.lifecyclemail.decision.scenario.DeepBrowsingScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.state.SessionPagesState;
import java.util.List;
import java.util.OptionalLong;

/**
 * One DeepBrowsing scenario, free of Flink: counts page and product views while they come less than
 * {@code sessionGap} apart; when the gap has passed the session is over, and if it had at least
 * {@code minPages} views the offer is due. The state ends with the session.
 */
public final class DeepBrowsing extends OneScenarioDetector<SessionPagesState, DeepBrowsingScenario> {
    private static final long serialVersionUID = 1L;

    public DeepBrowsing(DeepBrowsingScenario scenario) {
        super(scenario, "deep-browsing", SessionPagesState.class);
    }

    @Override
    public boolean accepts(Object event) {
        return event instanceof ClickstreamEvent click
                && (click.getType() == ClickType.PAGE_VIEW || click.getType() == ClickType.PRODUCT_VIEW);
    }

    @Override
    public SessionPagesState apply(SessionPagesState state, Object event) {
        ClickstreamEvent view = (ClickstreamEvent) event;
        long time = view.getEventTime().toEpochMilli();
        if (state == null || time >= sessionEnd(state)) {
            return new SessionPagesState(1, view.getEventId(), time);
        }
        return new SessionPagesState(state.getPages() + 1, state.getSessionStartEventId(),
                Math.max(time, state.getLastActivityTime()));
    }

    private long sessionEnd(SessionPagesState state) {
        return state.getLastActivityTime() + scenario.sessionGap().toMillis();
    }

    @Override
    public List<Candidate> due(String customerId, SessionPagesState state, long time) {
        if (sessionEnd(state) > time || state.getPages() < scenario.minPages()) {
            return List.of();
        }
        return List.of(new Candidate(scenario, customerId, DeepBrowsingScenario.STEP, List.of(),
                state.getSessionStartEventId(), sessionEnd(state), state.getPages() + " pages in one session, over after "
                + Durations.format(scenario.sessionGap()) + " without a page view", coupon(scenario.coupon())));
    }

    @Override
    public SessionPagesState expire(SessionPagesState state, long time) {
        return state != null && time >= sessionEnd(state) ? null : state;
    }

    @Override
    public OptionalLong nextWakeUp(SessionPagesState state) {
        return state == null ? OptionalLong.empty() : OptionalLong.of(sessionEnd(state));
    }
}
