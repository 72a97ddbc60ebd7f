package io.lifecyclemail.decision.scenario;

import java.time.Duration;

/** A scenario that fires a fixed time after an event that starts its wait (YAML: spec.wait). */
public sealed interface DelayedScenario extends Scenario permits CartAbandonmentScenario, BrowseAbandonmentScenario,
        PricePageVisitScenario, SinceLastScenario {
    Duration delay();

    /**
     * The zone whose calendar a wait of whole days counts in when the customer's profile names none:
     * 180 days after a purchase at 20:00 in Tokyo is 20:00 in Tokyo, whatever DST does elsewhere.
     */
    default java.time.ZoneId defaultZone() {
        return java.time.ZoneOffset.UTC;
    }
}
