package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A schedule of mails after an order is placed, each step with its own template: at a fixed time
 * after placing ({@code after}), or when the order ships ({@code onShipped}, with the tracking number).
 * A cancelled order gets none of the steps still to come.
 */
public record PostPurchaseScenario(String id, int version, String description, boolean enabled, List<Step> steps, ScenarioPolicy policy)
        implements Scenario {
    public static final String KIND = "PostPurchase";

    /**
     * @param after time after the order was placed; null for the step sent when the order ships
     */
    public record Step(String name, Duration after, String template) implements java.io.Serializable {
        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(template, "template");
        }

        public boolean onShipped() {
            return after == null;
        }
    }

    public PostPurchaseScenario {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a post-purchase scenario needs at least one step");
        }
        Scenario.checkCommon(id, version, steps.get(0).template(), policy);
    }

    /** With the kind's default re-entry rule and priority. */
    public PostPurchaseScenario(String id, int version, String description, boolean enabled, List<Step> steps) {
        this(id, version, description, enabled, steps, ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** The first step's template (each step names its own). */
    @Override
    public String template() {
        return steps.get(0).template();
    }

    /** How long after placing an order its last timed step is due. */
    public Duration lastTimedStep() {
        return steps.stream().filter(step -> !step.onShipped()).map(Step::after).max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }
}
