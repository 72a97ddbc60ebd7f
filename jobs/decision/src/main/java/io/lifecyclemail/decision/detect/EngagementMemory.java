package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.scenario.Audience;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.EngagementType;
import io.lifecyclemail.state.EngagementLog;
import io.lifecyclemail.state.ScenarioEngagement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * When a customer last opened and clicked each scenario's mail, for audiences such as "opened a mail
 * within 30 days" or "has not clicked within 90 days". A detector that never fires: the customer
 * stage keeps its state and wake-ups like any other's, and reads it when a candidate's audience asks.
 * Only as far back as the longest window of any audience is kept; older times are forgotten.
 */
public final class EngagementMemory implements Detector<EngagementLog> {
    private static final long serialVersionUID = 1L;

    private final long keepMillis;

    /** @param keep how far back any audience looks (the longest {@code within}) */
    public EngagementMemory(Duration keep) {
        this.keepMillis = keep.toMillis();
    }

    /** The memory the scenarios' audiences need; empty when none asks about opens or clicks. */
    public static java.util.Optional<EngagementMemory> forScenarios(List<? extends Scenario> scenarios) {
        return scenarios.stream().flatMap(scenario -> scenario.policy().audience().engagement().stream())
                .map(Audience.EngagementRule::within).max(Duration::compareTo).map(EngagementMemory::new);
    }

    /** An open or click: what this memory keeps. */
    public static boolean isOpenOrClick(EngagementEvent event) {
        return event.getType() == EngagementType.OPENED || event.getType() == EngagementType.CLICKED;
    }

    @Override
    public String stateName() {
        return "engagement-log";
    }

    @Override
    public Class<EngagementLog> stateClass() {
        return EngagementLog.class;
    }

    @Override
    public boolean accepts(Object event) {
        return event instanceof EngagementEvent engagement && isOpenOrClick(engagement);
    }

    @Override
    public EngagementLog apply(EngagementLog log, Object event) {
        EngagementEvent engagement = (EngagementEvent) event;
        long time = engagement.getEventTime().toEpochMilli();
        String scenario = engagement.getScenarioId() == null ? "" : engagement.getScenarioId();
        EngagementLog updated = log == null ? new EngagementLog(new HashMap<>()) : log;
        ScenarioEngagement last = updated.getByScenario().computeIfAbsent(scenario, id -> new ScenarioEngagement(0L, 0L));
        last.setLastOpened(Math.max(last.getLastOpened(), time)); // a click is an open too
        if (engagement.getType() == EngagementType.CLICKED) {
            last.setLastClicked(Math.max(last.getLastClicked(), time));
        }
        return updated;
    }

    @Override
    public List<Candidate> due(String customerId, EngagementLog log, long time) {
        return List.of();
    }

    @Override
    public EngagementLog expire(EngagementLog log, long time) {
        if (log == null) {
            return null;
        }
        log.getByScenario().values().removeIf(last -> last.getLastOpened() + keepMillis <= time);
        for (ScenarioEngagement last : log.getByScenario().values()) {
            if (last.getLastClicked() + keepMillis <= time) {
                last.setLastClicked(0L);
            }
        }
        return log.getByScenario().isEmpty() ? null : log;
    }

    @Override
    public OptionalLong nextWakeUp(EngagementLog log) {
        if (log == null) {
            return OptionalLong.empty();
        }
        return log.getByScenario().values().stream()
                .mapToLong(last -> last.getLastClicked() > 0 ? last.getLastClicked() : last.getLastOpened())
                .map(time -> time + keepMillis).min();
    }

    /** The log as the audiences read it. */
    public static Audience.Engagement history(EngagementLog log) {
        if (log == null) {
            return Audience.Engagement.NONE;
        }
        return (action, scenarios) -> {
            long latest = 0;
            for (Map.Entry<String, ScenarioEngagement> entry : log.getByScenario().entrySet()) {
                if (scenarios.isEmpty() || scenarios.contains(entry.getKey())) {
                    ScenarioEngagement last = entry.getValue();
                    latest = Math.max(latest, action == Audience.Action.OPENED ? last.getLastOpened() : last.getLastClicked());
                }
            }
            return latest;
        };
    }
}
