package io.lifecyclemail.decision.scenario;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Local times of day when no marketing mail goes out, in the customer's time zone. {@code from}
 * after {@code to} spans midnight (21:00 to 08:00). DST-correct: the end is the local time {@code to}
 * on the right day as the zone's rules resolve it (a time in a spring-forward gap moves forward).
 */
public record QuietHours(LocalTime from, LocalTime to) implements Serializable {
    public QuietHours {
        if (from.equals(to)) {
            throw new IllegalArgumentException("from and to must differ");
        }
    }

    public boolean contains(Instant time, ZoneId zone) {
        LocalTime local = time.atZone(zone).toLocalTime();
        return from.isBefore(to) ? !local.isBefore(from) && local.isBefore(to)
                : !local.isBefore(from) || local.isBefore(to);
    }

    /** The first instant at or after {@code time} outside the quiet hours. */
    public Instant endAfter(Instant time, ZoneId zone) {
        if (!contains(time, zone)) {
            return time;
        }
        ZonedDateTime local = time.atZone(zone);
        LocalDate day = local.toLocalDate();
        // inside a window that spans midnight, before midnight: it ends tomorrow
        if (!from.isBefore(to) && !local.toLocalTime().isBefore(from)) {
            day = day.plusDays(1);
        }
        Instant end = ZonedDateTime.of(day, to, zone).toInstant();
        return end.isAfter(time) ? end : time; // (a fall-back hour can put the end's first occurrence behind)
    }

    @Override
    public String toString() {
        return from + " to " + to;
    }
}
