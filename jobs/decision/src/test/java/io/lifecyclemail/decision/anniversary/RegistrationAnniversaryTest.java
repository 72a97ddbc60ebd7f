package io.lifecyclemail.decision.anniversary;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.scenario.RegistrationAnniversaryScenario;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.state.AnniversaryState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistrationAnniversaryTest {
    final RegistrationAnniversary rules = new RegistrationAnniversary(new RegistrationAnniversaryScenario("one-year", 1,
            "", true, Duration.ofDays(365), "anniversary", "THANKYOU"));

    static CustomerProfile profile(String seenAt, String registeredAt) {
        return CustomerProfile.newBuilder().setEventId("p-" + seenAt).setEventTime(Instant.parse(seenAt)).setCustomerId("c1")
                .setRegisteredAt(registeredAt == null ? null : Instant.parse(registeredAt)).build();
    }

    @Test
    void isDueOnceTheGivenTimeAfterRegistration() {
        AnniversaryState state = rules.apply(null, profile("2026-06-01T00:00:00Z", "2026-05-01T10:00:00Z"));
        long due = Instant.parse("2027-05-01T10:00:00Z").toEpochMilli();
        assertThat(rules.nextWakeUp(state)).hasValue(due);
        assertThat(rules.due("c1", state, due)).singleElement()
                .satisfies(candidate -> assertThat(candidate.attributes()).isEqualTo(Map.of("couponCode", "THANKYOU")));
        assertThat(rules.expire(state, due)).isNull();
    }

    @Test
    void aPassedAnniversaryOrNoRegistrationTimeSendsNothing() {
        assertThat(rules.apply(null, profile("2026-06-01T00:00:00Z", "2024-01-01T00:00:00Z"))).isNull();
        assertThat(rules.apply(null, profile("2026-06-01T00:00:00Z", null))).isNull();
    }
}
