package io.lifecyclemail.decision.scenario;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How a scenario's candidates are admitted, beside what the scenario detects: whether and when a
 * customer may enter it again, and its priority against other scenarios (higher wins; the governor
 * uses it when candidates compete).
 */
public record ScenarioPolicy(Reentry reentry, int priority) implements Serializable {
    public static final int DEFAULT_PRIORITY = 50;
    public static final int MAX_PRIORITY = 1000;

    public ScenarioPolicy {
        Objects.requireNonNull(reentry, "reentry");
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be 0 to " + MAX_PRIORITY);
        }
    }

    /**
     * The defaults of each kind. One cart or one pricing visit is reminded once; browsing mails at
     * most weekly; scenarios whose trigger is naturally once (an order's steps, a birthday, a silence
     * since the last purchase) admit every entry.
     */
    public static ScenarioPolicy defaultFor(String kind) {
        Reentry reentry = switch (kind) {
            case CartAbandonmentScenario.KIND -> Reentry.NEVER;
            case BrowseAbandonmentScenario.KIND, DeepBrowsingScenario.KIND, RestockScenario.KIND, SequenceScenario.KIND ->
                    Reentry.after(Duration.ofDays(7));
            case PricePageVisitScenario.KIND -> Reentry.after(Duration.ofDays(30));
            default -> Reentry.ALWAYS;
        };
        return new ScenarioPolicy(reentry, DEFAULT_PRIORITY);
    }
}
