package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.Objects;

/**
 * Nothing of some kind has happened for {@code delay} (YAML: spec.wait) since the last time it did:
 * {@code Dormancy} (no purchase since the last purchase; win-back), {@code AtRisk} (no action at
 * all since the last action; keep-alive) and {@code NoLogin} (no login since the last one; the mail
 * shows what was viewed after it). Each wait fires once per last event. A wait of whole days counts
 * calendar days in the customer's time zone (the profile's, else {@code defaultZone}).
 */
public record SinceLastScenario(String kind, String id, int version, String description, boolean enabled,
                                Duration delay, String template, int maxItems, java.time.ZoneId defaultZone,
                                ScenarioPolicy policy)
        implements DelayedScenario {
    public static final String DORMANCY = "Dormancy";
    public static final String AT_RISK = "AtRisk";
    public static final String NO_LOGIN = "NoLogin";
    public static final String STEP = "reminder";

    public SinceLastScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(defaultZone, "defaultZone");
        if (!java.util.List.of(DORMANCY, AT_RISK, NO_LOGIN).contains(kind)) {
            throw new IllegalArgumentException("kind must be " + DORMANCY + ", " + AT_RISK + " or " + NO_LOGIN);
        }
        if (delay.isNegative() || delay.isZero() || version < 1 || maxItems < 0) {
            throw new IllegalArgumentException("delay must be positive, maxItems not negative");
        }
    }

    /** With the kind's default re-entry rule and priority. */
    public SinceLastScenario(String kind, String id, int version, String description, boolean enabled,
                                Duration delay, String template, int maxItems) {
        this(kind, id, version, description, enabled, delay, template, maxItems, java.time.ZoneOffset.UTC,
                ScenarioPolicy.defaultFor(kind));
    }
}
