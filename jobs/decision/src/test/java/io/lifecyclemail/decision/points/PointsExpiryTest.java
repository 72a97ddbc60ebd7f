package io.lifecyclemail.decision.points;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.scenario.PointsExpiryScenario;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.state.PointsState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PointsExpiryTest {
    static final Instant EXPIRY = Instant.parse("2026-12-31T15:00:00Z"); // midnight in Tokyo
    final PointsExpiry rules = new PointsExpiry(new PointsExpiryScenario("points-7d", 1, "", true, Duration.ofDays(7),
            "points-expiry"));

    static CustomerProfile profile(String seenAt, Long balance, Instant expiry) {
        return CustomerProfile.newBuilder().setEventId("p-" + seenAt).setEventTime(Instant.parse(seenAt))
                .setCustomerId("c1").setTimezone("Asia/Tokyo").setPointsBalance(balance).setPointsExpiry(expiry).build();
    }

    @Test
    void remindsAWeekBeforeWithTheBalanceAndTheLocalDate() {
        PointsState state = rules.apply(null, profile("2026-12-01T00:00:00Z", 1200L, EXPIRY));
        long due = EXPIRY.minus(Duration.ofDays(7)).toEpochMilli();
        assertThat(rules.nextWakeUp(state)).hasValue(due);
        assertThat(rules.due("c1", state, due)).singleElement().satisfies(candidate -> assertThat(candidate.attributes())
                .isEqualTo(Map.of("pointsBalance", "1200", "pointsExpiry", "2027-01-01")));
        assertThat(rules.expire(state, due)).isNull();
    }

    @Test
    void neverToAZeroBalance() {
        PointsState state = rules.apply(null, profile("2026-12-01T00:00:00Z", 1200L, EXPIRY));
        assertThat(rules.apply(state, profile("2026-12-10T00:00:00Z", 0L, EXPIRY))).isNull();
        assertThat(rules.apply(null, profile("2026-12-01T00:00:00Z", null, EXPIRY))).isNull();
        assertThat(rules.apply(null, profile("2026-12-01T00:00:00Z", 50L, null))).isNull();
    }

    @Test
    void aBalanceLearnedAfterTheReminderTimeIsNotRemindedLate() {
        assertThat(rules.apply(null, profile("2026-12-30T00:00:00Z", 1200L, EXPIRY))).isNull();
    }

    @Test
    void aChangedExpiryMovesTheReminder() {
        PointsState state = rules.apply(null, profile("2026-12-01T00:00:00Z", 1200L, EXPIRY));
        Instant later = EXPIRY.plus(Duration.ofDays(90));
        PointsState moved = rules.apply(state, profile("2026-12-02T00:00:00Z", 1500L, later));
        assertThat(rules.nextWakeUp(moved)).hasValue(later.minus(Duration.ofDays(7)).toEpochMilli());
    }
}
