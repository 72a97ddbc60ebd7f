package io.lifecyclemail.decision.points;

import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.ProfileDetector;
import io.lifecyclemail.decision.scenario.PointsExpiryScenario;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.state.PointsState;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One PointsExpiry scenario, free of Flink. The latest profile says the balance and when it expires;
 * the reminder is due {@code before} the expiry and goes out only if the balance is still above zero
 * then (a profile showing zero points, no expiry, or an erasure forgets it). One reminder per expiry date.
 */
public final class PointsExpiry extends ProfileDetector<PointsState, PointsExpiryScenario> {
    private static final long serialVersionUID = 1L;

    public PointsExpiry(PointsExpiryScenario scenario) {
        super(scenario, "points-expiry", PointsState.class);
    }

    @Override
    protected PointsState applyProfile(PointsState state, CustomerProfile profile) {
        Long balance = profile.getPointsBalance();
        Instant expiry = profile.getPointsExpiry();
        if (balance == null || balance <= 0 || expiry == null) {
            return null;
        }
        long due = expiry.toEpochMilli() - scenario.before().toMillis();
        if (due < profile.getEventTime().toEpochMilli()) {
            return null; // learned too late to remind in time
        }
        String zone = zoneOf(profile, java.time.ZoneOffset.UTC);
        if (state != null && state.getBalance() == balance && state.getExpiry() == expiry.toEpochMilli()
                && state.getTimezone().equals(zone)) {
            return state;
        }
        return new PointsState(balance, expiry.toEpochMilli(), zone);
    }

    private long due(PointsState state) {
        return state.getExpiry() - scenario.before().toMillis();
    }

    @Override
    public List<Candidate> due(String customerId, PointsState state, long time) {
        if (due(state) > time) {
            return List.of();
        }
        String expiryDate = Instant.ofEpochMilli(state.getExpiry()).atZone(ZoneId.of(state.getTimezone()))
                .toLocalDate().toString();
        return List.of(new Candidate(scenario, customerId, PointsExpiryScenario.STEP, List.of(),
                "points-expiry-" + state.getExpiry(), due(state),
                state.getBalance() + " points expire on " + expiryDate + ", " + Durations.format(scenario.before())
                        + " from now", Map.of("pointsBalance", String.valueOf(state.getBalance()),
                        "pointsExpiry", expiryDate)));
    }

    @Override
    public PointsState expire(PointsState state, long time) {
        return state != null && time >= due(state) ? null : state;
    }

    @Override
    public OptionalLong nextWakeUp(PointsState state) {
        return state == null ? OptionalLong.empty() : OptionalLong.of(due(state));
    }
}
