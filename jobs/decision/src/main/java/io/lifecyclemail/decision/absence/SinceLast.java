package io.lifecyclemail.decision.absence;

import io.lifecyclemail.decision.detect.StateValues;
import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.Detector;
import io.lifecyclemail.decision.detect.Waits;
import io.lifecyclemail.decision.scenario.SinceLastScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.state.SinceLastState;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * "No X for N days since the last X", free of Flink: every X moves the anchor and starts every wait
 * again; each wait fires once; when the longest has fired the customer's story ends and nothing is
 * kept until the next X. Dormancy counts placed orders (and lists what the last one contained); at-risk
 * counts any action: any clickstream event or order event; no-login counts logins and lists the
 * products viewed since the last one, most recent first.
 */
public final class SinceLast implements Detector<SinceLastState> {
    private static final long serialVersionUID = 1L;
    private final String kind;
    private final Waits<SinceLastScenario> waits;
    /**
     * How many lines any of the mails lists: only these are kept (the first lines of the last order,
     * the most recently viewed products). The products after them could never reach a mail.
     */
    private final int listed;

    public SinceLast(String kind, List<SinceLastScenario> scenarios) {
        this.kind = kind;
        this.waits = new Waits<>(scenarios.stream().filter(s -> s.kind().equals(kind)).toList());
        this.listed = waits.scenarios().stream().mapToInt(SinceLastScenario::maxItems).max().orElse(0);
    }

    @Override
    public String stateName() {
        return switch (kind) {
            case SinceLastScenario.DORMANCY -> "since-last-purchase";
            case SinceLastScenario.NO_LOGIN -> "since-last-login";
            default -> "since-last-action";
        };
    }

    @Override
    public Class<SinceLastState> stateClass() {
        return SinceLastState.class;
    }

    @Override
    public boolean accepts(Object event) {
        if (kind.equals(SinceLastScenario.DORMANCY)) {
            return event instanceof OrderEvent order && order.getType() == OrderEventType.PLACED;
        }
        if (kind.equals(SinceLastScenario.NO_LOGIN)) {
            return event instanceof ClickstreamEvent click
                    && (click.getType() == ClickType.LOGIN || click.getType() == ClickType.PRODUCT_VIEW);
        }
        return event instanceof OrderEvent
                || event instanceof ClickstreamEvent click && click.getType() != ClickType.UNKNOWN;
    }

    @Override
    public SinceLastState apply(SinceLastState state, Object event) {
        return apply(state, event, null);
    }

    @Override
    public boolean usesCustomerZone() {
        return true;
    }

    @Override
    public SinceLastState apply(SinceLastState state, Object event, ZoneId customerZone) {
        long time;
        String eventId;
        List<ItemLine> lines = List.of();
        if (event instanceof OrderEvent order) {
            time = order.getEventTime().toEpochMilli();
            eventId = order.getEventId();
            if (kind.equals(SinceLastScenario.DORMANCY)) {
                lines = new ArrayList<>(order.getLines().subList(0, Math.min(listed, order.getLines().size())));
            }
        } else {
            ClickstreamEvent click = (ClickstreamEvent) event;
            time = click.getEventTime().toEpochMilli();
            eventId = click.getEventId();
            if (click.getType() == ClickType.PRODUCT_VIEW && kind.equals(SinceLastScenario.NO_LOGIN)) {
                return viewedSinceLogin(state, click);
            }
        }
        if (state != null && state.getLastTime() > time) {
            return state; // a late event older than the anchor does not move it back
        }
        return new SinceLastState(time, eventId, lines, time, customerZone == null ? null : StateValues.shared(customerZone.getId()));
    }

    /**
     * A product view after a login joins the products the no-login mail shows; before any login it means
     * nothing. The most recent first, each once: the first {@link #listed} of that order depend only on
     * the first {@link #listed} before the view, so the others need not be kept.
     */
    private SinceLastState viewedSinceLogin(SinceLastState state, ClickstreamEvent view) {
        if (state == null || view.getEventTime().toEpochMilli() < state.getLastTime() || listed == 0) {
            return state;
        }
        List<ItemLine> lines = new ArrayList<>();
        lines.add(new ItemLine(StateValues.shared(view.getProduct()), 1));
        for (ItemLine line : state.getLines()) {
            if (lines.size() < listed && !line.getProduct().getProductId().equals(view.getProduct().getProductId())) {
                lines.add(line);
            }
        }
        return new SinceLastState(state.getLastTime(), state.getLastEventId(), lines, state.getDecidedUpTo(),
                state.getTimezone());
    }

    @Override
    public List<Candidate> due(String customerId, SinceLastState state, long time) {
        List<Candidate> due = new ArrayList<>();
        ZoneId zone = zoneOf(state);
        for (SinceLastScenario scenario : waits.due(state.getLastTime(), zone, state.getDecidedUpTo(), time)) {
            List<ItemLine> items = state.getLines().subList(0, Math.min(scenario.maxItems(), state.getLines().size()));
            String what = switch (kind) {
                case SinceLastScenario.DORMANCY -> "no purchase";
                case SinceLastScenario.NO_LOGIN -> "no login";
                default -> "no action";
            };
            due.add(new Candidate(scenario, customerId, SinceLastScenario.STEP, new ArrayList<>(items),
                    state.getLastEventId(), Waits.deadline(scenario, state.getLastTime(), zone),
                    what + " for " + Durations.format(scenario.delay()) + " since the last one", Map.of()));
        }
        state.setDecidedUpTo(Math.max(state.getDecidedUpTo(), time));
        return due;
    }

    @Override
    public SinceLastState expire(SinceLastState state, long time) {
        return state != null && time >= waits.end(state.getLastTime(), zoneOf(state), 0) ? null : state;
    }

    @Override
    public OptionalLong nextWakeUp(SinceLastState state) {
        if (state == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(waits.nextWakeUp(state.getLastTime(), zoneOf(state), state.getDecidedUpTo(), 0));
    }

    private static ZoneId zoneOf(SinceLastState state) {
        return state.getTimezone() == null ? null : ZoneId.of(state.getTimezone());
    }
}
