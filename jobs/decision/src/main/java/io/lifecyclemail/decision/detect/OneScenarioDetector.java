package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.scenario.Scenario;
import java.util.Map;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * A detector for a single scenario, with its own state named after the kind and the scenario id
 * ({@code birthday:my-birthday-mail}): used where each scenario of a kind keeps its own state
 * (its own page rule, schedule or date). Renaming a scenario's id starts its state afresh.
 */
public abstract class OneScenarioDetector<S extends SpecificRecordBase, T extends Scenario> implements Detector<S> {
    private static final long serialVersionUID = 1L;

    protected final T scenario;
    private final String statePrefix;
    private final Class<S> stateClass;

    protected OneScenarioDetector(T scenario, String statePrefix, Class<S> stateClass) {
        this.scenario = scenario;
        this.statePrefix = statePrefix;
        this.stateClass = stateClass;
    }

    @Override
    public final String stateName() {
        return statePrefix + ":" + scenario.id();
    }

    @Override
    public final Class<S> stateClass() {
        return stateClass;
    }

    /** The template attributes of a scenario's coupon: {@code couponCode}, when there is one. */
    protected static Map<String, String> coupon(String code) {
        return code.isEmpty() ? Map.of() : Map.of("couponCode", code);
    }
}
