package io.lifecyclemail.decision.birthday;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.scenario.BirthdayScenario;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.state.BirthdayState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BirthdayTest {
    final Birthday rules = new Birthday(new BirthdayScenario("birthday", 1, "", true, LocalTime.of(9, 0),
            ZoneId.of("Asia/Tokyo"), "birthday", "HAPPY"));

    static CustomerProfile profile(String seenAt, LocalDate birthday, String zone) {
        return CustomerProfile.newBuilder().setEventId("p-" + seenAt).setEventTime(Instant.parse(seenAt))
                .setCustomerId("c1").setBirthday(birthday).setTimezone(zone).setMarketingConsent(true).build();
    }

    @Test
    void isDueAtNineOnTheBirthdayInTheCustomersZoneThenNextYear() {
        BirthdayState state = rules.apply(null, profile("2026-03-01T00:00:00Z", LocalDate.of(1990, 3, 10), "Asia/Tokyo"));
        long due = Instant.parse("2026-03-10T00:00:00Z").toEpochMilli(); // 09:00 in Tokyo
        assertThat(rules.nextWakeUp(state)).hasValue(due);
        assertThat(rules.due("c1", state, due - 1)).isEmpty();
        assertThat(rules.due("c1", state, due)).singleElement().satisfies(candidate -> {
            assertThat(candidate.triggerEventId()).isEqualTo("birthday-2026");
            assertThat(candidate.attributes()).isEqualTo(Map.of("couponCode", "HAPPY"));
        });
        assertThat(rules.nextWakeUp(state)).hasValue(Instant.parse("2027-03-10T00:00:00Z").toEpochMilli());
    }

    @Test
    void countsTheDayInTheProfilesZoneAcrossDaylightSaving() {
        // New York: 09:00 is 13:00 UTC in summer (EDT) and 14:00 UTC in winter (EST)
        BirthdayState summer = rules.apply(null, profile("2026-01-01T00:00:00Z", LocalDate.of(1985, 7, 4), "America/New_York"));
        assertThat(rules.nextWakeUp(summer)).hasValue(Instant.parse("2026-07-04T13:00:00Z").toEpochMilli());
        BirthdayState winter = rules.apply(null, profile("2026-01-01T00:00:00Z", LocalDate.of(1985, 12, 4), "America/New_York"));
        assertThat(rules.nextWakeUp(winter)).hasValue(Instant.parse("2026-12-04T14:00:00Z").toEpochMilli());
        BirthdayState noZone = rules.apply(null, profile("2026-01-01T00:00:00Z", LocalDate.of(1985, 12, 4), null));
        assertThat(noZone.getTimezone()).as("the scenario's default").isEqualTo("Asia/Tokyo");
    }

    @Test
    void leapDayBirthdaysAreCelebratedOnTheTwentyEighthInOtherYears() {
        BirthdayState state = rules.apply(null, profile("2026-01-01T00:00:00Z", LocalDate.of(2000, 2, 29), "UTC"));
        assertThat(rules.nextWakeUp(state)).hasValue(Instant.parse("2026-02-28T09:00:00Z").toEpochMilli());
        rules.due("c1", state, state.getNextDue());
        assertThat(rules.nextWakeUp(state)).hasValue(Instant.parse("2027-02-28T09:00:00Z").toEpochMilli());
        rules.due("c1", state, state.getNextDue());
        assertThat(rules.nextWakeUp(state)).hasValue(Instant.parse("2028-02-29T09:00:00Z").toEpochMilli());
    }

    @Test
    void aProfileSeenAfterTodaysSendTimeWaitsForNextYear() {
        BirthdayState state = rules.apply(null, profile("2026-03-10T05:00:00Z", LocalDate.of(1990, 3, 10), "Asia/Tokyo"));
        assertThat(rules.nextWakeUp(state)).hasValue(Instant.parse("2027-03-10T00:00:00Z").toEpochMilli());
    }

    @Test
    void noBirthdayOrErasureEndsTheStory() {
        BirthdayState state = rules.apply(null, profile("2026-03-01T00:00:00Z", LocalDate.of(1990, 3, 10), "UTC"));
        assertThat(rules.apply(state, profile("2026-03-02T00:00:00Z", null, "UTC"))).isNull();
        CustomerProfile erased = CustomerProfile.newBuilder(profile("2026-03-02T00:00:00Z", LocalDate.of(1990, 3, 10), "UTC"))
                .setErased(true).build();
        assertThat(rules.apply(state, erased)).isNull();
    }
}
