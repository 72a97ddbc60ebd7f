package io.lifecyclemail.decision.birthday;

import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.ProfileDetector;
import io.lifecyclemail.decision.scenario.BirthdayScenario;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.state.BirthdayState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One Birthday scenario, free of Flink. The profile gives the birthday and time zone; the mail is
 * due on the birthday at the scenario's local send time in that zone (a time that does not exist
 * because of a DST change moves forward, as clocks do; 29 February is celebrated on 28 February in
 * other years). After it fires, the next year's is due. A profile without a birthday, or erased,
 * ends the story.
 */
public final class Birthday extends ProfileDetector<BirthdayState, BirthdayScenario> {
    private static final long serialVersionUID = 1L;

    public Birthday(BirthdayScenario scenario) {
        super(scenario, "birthday", BirthdayState.class);
    }

    @Override
    protected BirthdayState applyProfile(BirthdayState state, CustomerProfile profile) {
        if (profile.getBirthday() == null) {
            return null;
        }
        String zone = zoneOf(profile, scenario.defaultZone());
        if (state != null && state.getBirthday().equals(profile.getBirthday()) && state.getTimezone().equals(zone)) {
            return state; // nothing that matters changed
        }
        long after = profile.getEventTime().toEpochMilli();
        return new BirthdayState(profile.getBirthday(), zone, dueOnOrAfter(profile.getBirthday(), ZoneId.of(zone), after));
    }

    /** The first birthday at the send time, local to {@code zone}, at or after {@code after} (epoch ms). */
    long dueOnOrAfter(LocalDate birthday, ZoneId zone, long after) {
        int year = Instant.ofEpochMilli(after).atZone(zone).getYear();
        for (int candidateYear = year; ; candidateYear++) {
            long due = dueIn(birthday, zone, candidateYear);
            if (due >= after) {
                return due;
            }
        }
    }

    private long dueIn(LocalDate birthday, ZoneId zone, int year) {
        MonthDay day = MonthDay.from(birthday);
        LocalDate date = day.isValidYear(year) ? day.atYear(year) : LocalDate.of(year, 2, 28);
        return ZonedDateTime.of(date, scenario.sendAt(), zone).toInstant().toEpochMilli();
    }

    @Override
    public List<Candidate> due(String customerId, BirthdayState state, long time) {
        if (state.getNextDue() > time) {
            return List.of();
        }
        ZoneId zone = ZoneId.of(state.getTimezone());
        int year = Instant.ofEpochMilli(state.getNextDue()).atZone(zone).getYear();
        Map<String, String> attributes = coupon(scenario.coupon());
        Candidate candidate = new Candidate(scenario, customerId, BirthdayScenario.STEP, List.of(),
                "birthday-" + year, state.getNextDue(), "birthday " + state.getBirthday() + " in " + zone, attributes);
        state.setNextDue(dueOnOrAfter(state.getBirthday(), zone, state.getNextDue() + 1));
        return List.of(candidate);
    }

    @Override
    public BirthdayState expire(BirthdayState state, long time) {
        return state;
    }

    @Override
    public OptionalLong nextWakeUp(BirthdayState state) {
        return state == null ? OptionalLong.empty() : OptionalLong.of(state.getNextDue());
    }
}
