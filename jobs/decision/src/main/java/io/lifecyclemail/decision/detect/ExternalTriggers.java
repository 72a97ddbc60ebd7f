package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.state.PendingTriggers;
import io.lifecyclemail.state.ScenarioTrigger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Triggers fired by stages outside the customer-keyed detectors (restock fan-out, Sequence
 * patterns on CEP) enter the customer's events like any other input and become candidates here,
 * so that consent, re-entry and (later) the governor treat them like every other scenario.
 */
public final class ExternalTriggers implements Detector<PendingTriggers> {
    private static final long serialVersionUID = 1L;

    private final Map<String, Scenario> scenarios = new LinkedHashMap<>();
    private final String step;
    private final String stateName;

    /**
     * @param stateName the keyed state's name (one instance per kind of outside stage)
     * @param step the step name of its candidates
     */
    public ExternalTriggers(String stateName, String step, List<? extends Scenario> scenarios) {
        this.stateName = stateName;
        this.step = step;
        scenarios.forEach(scenario -> this.scenarios.put(scenario.id(), scenario));
    }

    @Override
    public String stateName() {
        return stateName;
    }

    @Override
    public Class<PendingTriggers> stateClass() {
        return PendingTriggers.class;
    }

    @Override
    public boolean accepts(Object event) {
        return event instanceof ScenarioTrigger trigger && scenarios.containsKey(trigger.getScenarioId());
    }

    @Override
    public PendingTriggers apply(PendingTriggers state, Object event) {
        // a new object: the caller stores only what changed identity
        List<ScenarioTrigger> triggers = state == null ? new ArrayList<>() : new ArrayList<>(state.getTriggers());
        triggers.add((ScenarioTrigger) event);
        return new PendingTriggers(triggers);
    }

    @Override
    public List<Candidate> due(String customerId, PendingTriggers state, long time) {
        List<Candidate> due = new ArrayList<>();
        List<ScenarioTrigger> waiting = new ArrayList<>();
        for (ScenarioTrigger trigger : state.getTriggers()) {
            if (trigger.getEventTime() > time) {
                waiting.add(trigger);
            } else {
                Scenario scenario = scenarios.get(trigger.getScenarioId());
                Candidate candidate = new Candidate(scenario, customerId, step, trigger.getItems(),
                        trigger.getTriggerEventId(), trigger.getEventTime(), trigger.getReason(), Map.of());
                due.add(trigger.getEntryKey().isEmpty() ? candidate
                        : candidate.per(Candidate.EntryKey.of(trigger.getEntryKey())));
            }
        }
        // a new list: an array read back from RocksDB (Avro's own) cannot remove elements
        state.setTriggers(waiting);
        return due;
    }

    @Override
    public PendingTriggers expire(PendingTriggers state, long time) {
        return state == null || state.getTriggers().isEmpty() ? null : state;
    }

    @Override
    public OptionalLong nextWakeUp(PendingTriggers state) {
        return state == null ? OptionalLong.empty()
                : state.getTriggers().stream().mapToLong(ScenarioTrigger::getEventTime).min();
    }
}
