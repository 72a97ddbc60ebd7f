package io.lifecyclemail.decision.detect;

import java.util.List;

/**
 * A detector in form only, so that the customer stage keeps its state and wake-ups like any other's:
 * it accepts no events through {@link #apply} and never fires through {@link #due}; the stage calls
 * its own methods instead (the re-entry gate, the governor). Only state name, class, expiry and
 * wake-ups are its own.
 */
public interface PassiveDetector<S extends org.apache.avro.specific.SpecificRecordBase> extends Detector<S> {
    @Override
    default boolean accepts(Object event) {
        return false;
    }

    @Override
    default S apply(S state, Object event) {
        return state;
    }

    @Override
    default List<Candidate> due(String customerId, S state, long time) {
        return List.of();
    }
}
