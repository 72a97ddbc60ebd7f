package io.lifecyclemail.decision.scenario;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A sequence a marketer describes: steps that happen in this order (each an event with conditions,
 * possibly several times), all {@code within} a time of the first; optionally followed by "and then
 * not X within T" ({@code thenNot}). Compiled to a Flink CEP pattern. The mail fires at the last step
 * or, with {@code thenNot}, once T has passed without X; it lists the products of the matched steps.
 * The positive steps run on Flink CEP; the absence after them is decided on event-time timers like
 * every other absence rule, when the watermark of every input has passed the deadline.
 */
public record SequenceScenario(String id, int version, String description, boolean enabled, List<Step> steps,
                               Duration within, Absence thenNot, String template, ScenarioPolicy policy)
        implements Scenario {
    public static final String KIND = "Sequence";
    public static final String STEP = "match";

    /**
     * Whether two matches can overlap in time, so that "one match per burst" must be kept by the
     * customer stage: a first step repeated about one product starts a partial match at every such
     * event, each for its own product. Flink CEP's skip strategies would emit a match only once no
     * partial match that started earlier is still open, which for another product can take until
     * {@code within} has passed; these patterns therefore run without one.
     */
    public boolean matchesMayOverlap() {
        Step first = steps.get(0);
        return first.sameProduct() && first.times() > 1;
    }

    /** The events a step can name, as written in YAML. */
    public enum EventType {
        PAGE_VIEW, PRODUCT_VIEW, CART_ADD, CART_REMOVE, LOGIN, FAVOURITE, NOTIFY_ME,
        ORDER_PLACED, ORDER_SHIPPED, ORDER_DELIVERED, ORDER_CANCELLED, ORDER_RETURNED;

        public String yamlName() {
            return name().toLowerCase();
        }

        public boolean isOrder() {
            return name().startsWith("ORDER_");
        }
    }

    /**
     * One step: an event type and conditions on it, all of which must hold.
     *
     * @param pageType the page type, or null for any
     * @param urlContains a text the URL contains, or null
     * @param productId the product, or null; {@code category} likewise
     * @param minPrice the least unit price in minor units, or null; {@code maxPrice} likewise
     * @param times how many such events in a row of the pattern (other events may come between)
     * @param sameProduct with times above 1: all of them about the same product
     */
    public record Step(EventType event, String pageType, String urlContains, String productId, String category,
                       Long minPrice, Long maxPrice, int times, boolean sameProduct) implements Serializable {
        public Step {
            Objects.requireNonNull(event, "event");
            if (times < 1) {
                throw new IllegalArgumentException("times must be at least 1");
            }
        }

        public static Step of(EventType event) {
            return new Step(event, null, null, null, null, null, null, 1, false);
        }
    }

    /**
     * "And then none of {@code events} within {@code within}" after the last positive step. While a
     * match waits for its absence, later matches do not start another wait (the first one counts)
     * unless one of {@code events} ends the wait first, which then lets the next match start afresh.
     */
    public record Absence(List<Step> events, Duration within) implements Serializable {
        public Absence {
            events = List.copyOf(events);
            Objects.requireNonNull(within, "within");
            if (events.isEmpty()) {
                throw new IllegalArgumentException("thenNot needs at least one event");
            }
            if (within.isNegative() || within.isZero()) {
                throw new IllegalArgumentException("thenNot.within must be positive");
            }
        }
    }

    public SequenceScenario {
        Scenario.checkCommon(id, version, template, policy);
        Objects.requireNonNull(within, "within");
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a sequence needs at least one step");
        }
    }

    /** With the kind's default re-entry rule and priority. */
    public SequenceScenario(String id, int version, String description, boolean enabled, List<Step> steps,
                            Duration within, Absence thenNot, String template) {
        this(id, version, description, enabled, steps, within, thenNot, template, ScenarioPolicy.defaultFor(KIND));
    }

    @Override
    public String kind() {
        return KIND;
    }
}
