package io.lifecyclemail.decision.anniversary;

import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.ProfileDetector;
import io.lifecyclemail.decision.scenario.RegistrationAnniversaryScenario;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.state.AnniversaryState;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One RegistrationAnniversary scenario, free of Flink: due {@code after} the profile's registration
 * time, once. An anniversary that had already passed when the profile was seen is not sent late.
 */
public final class RegistrationAnniversary extends ProfileDetector<AnniversaryState, RegistrationAnniversaryScenario> {
    private static final long serialVersionUID = 1L;

    public RegistrationAnniversary(RegistrationAnniversaryScenario scenario) {
        super(scenario, "registration-anniversary", AnniversaryState.class);
    }

    @Override
    protected AnniversaryState applyProfile(AnniversaryState state, CustomerProfile profile) {
        if (profile.getRegisteredAt() == null) {
            return null;
        }
        long registered = profile.getRegisteredAt().toEpochMilli();
        if (state != null && state.getRegisteredAt() == registered) {
            return state;
        }
        long due = registered + scenario.after().toMillis();
        return due < profile.getEventTime().toEpochMilli() ? null : new AnniversaryState(registered, due);
    }

    @Override
    public List<Candidate> due(String customerId, AnniversaryState state, long time) {
        if (state.getDue() > time) {
            return List.of();
        }
        Map<String, String> attributes = coupon(scenario.coupon());
        return List.of(new Candidate(scenario, customerId, RegistrationAnniversaryScenario.STEP, List.of(),
                "registered-" + state.getRegisteredAt(), state.getDue(),
                "registered " + Durations.format(scenario.after()) + " ago", attributes));
    }

    @Override
    public AnniversaryState expire(AnniversaryState state, long time) {
        return state != null && time >= state.getDue() ? null : state;
    }

    @Override
    public OptionalLong nextWakeUp(AnniversaryState state) {
        return state == null ? OptionalLong.empty() : OptionalLong.of(state.getDue());
    }
}
