package io.lifecyclemail.decision.detect;

import java.io.Serializable;
import java.util.List;
import java.util.OptionalLong;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The rules of one kind of scenario over one customer's events, free of Flink. The caller applies
 * events in event-time order and asks for what is due only once no event at or before that time
 * can still arrive. State {@code null} means nothing to keep; a method returns the same state object
 * when nothing changed.
 *
 * @param <S> the Avro record kept per customer (in savepoints: evolve it compatibly)
 */
public interface Detector<S extends SpecificRecordBase> extends Serializable {
    /** Name of the keyed state; stable across versions because savepoints refer to it. */
    String stateName();

    Class<S> stateClass();

    /** Whether this clickstream, order or profile event can change this detector's state. */
    boolean accepts(Object event);

    /** Applies one event that {@link #accepts} accepted. */
    S apply(S state, Object event);

    /**
     * Applies one event knowing the customer's time zone (the profile's; null while unknown). Only
     * detectors that count calendar days need it.
     */
    default S apply(S state, Object event, java.time.ZoneId customerZone) {
        return apply(state, event);
    }

    /**
     * Whether {@link #apply(SpecificRecordBase, Object, java.time.ZoneId)} uses the zone; the caller
     * reads the customer's zone from state only for detectors that do (one state read per event less).
     */
    default boolean usesCustomerZone() {
        return false;
    }

    /** Triggers due at or before {@code time} and not decided yet; marks them decided in {@code state}. */
    List<Candidate> due(String customerId, S state, long time);

    /** The state once {@code time} has passed: null when the customer's story has ended. */
    S expire(S state, long time);

    /** When the state next needs attention, if ever. */
    OptionalLong nextWakeUp(S state);
}
