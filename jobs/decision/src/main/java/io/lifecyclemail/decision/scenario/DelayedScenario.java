package io.lifecyclemail.decision.scenario;

import java.time.Duration;

/** A scenario that fires a fixed time after an event that starts its wait (YAML: spec.wait). */
public sealed interface DelayedScenario extends Scenario permits CartAbandonmentScenario, BrowseAbandonmentScenario,
        PricePageVisitScenario, SinceLastScenario {
    Duration delay();
}
