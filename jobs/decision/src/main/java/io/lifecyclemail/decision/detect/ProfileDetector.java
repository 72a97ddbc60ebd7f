package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.schema.CustomerProfile;
import java.time.DateTimeException;
import java.time.ZoneId;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * A single-scenario detector driven by the customer's profile (birthday, points, registration):
 * it reads only profiles, and an erased profile ends the customer's story.
 */
public abstract class ProfileDetector<S extends SpecificRecordBase, T extends Scenario> extends OneScenarioDetector<S, T> {
    private static final long serialVersionUID = 1L;

    protected ProfileDetector(T scenario, String statePrefix, Class<S> stateClass) {
        super(scenario, statePrefix, stateClass);
    }

    @Override
    public final boolean accepts(Object event) {
        return event instanceof CustomerProfile;
    }

    @Override
    public final S apply(S state, Object event) {
        CustomerProfile profile = (CustomerProfile) event;
        return profile.getErased() ? null : applyProfile(state, profile);
    }

    /** Applies a profile that was not erased; null when nothing is left to wait for. */
    protected abstract S applyProfile(S state, CustomerProfile profile);

    /** The profile's time zone id, else {@code fallback} (input rules reject invalid zones; fall back anyway). */
    protected static String zoneOf(CustomerProfile profile, ZoneId fallback) {
        if (profile.getTimezone() != null) {
            try {
                return StateValues.shared(ZoneId.of(profile.getTimezone()).getId());
            } catch (DateTimeException e) {
                // fall through to the fallback rather than fail the job
            }
        }
        return StateValues.shared(fallback.getId());
    }
}
