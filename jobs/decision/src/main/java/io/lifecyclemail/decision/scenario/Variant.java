package io.lifecyclemail.decision.scenario;

import java.io.Serializable;

/** One content variant of an A/B test: its share is weight / the sum of the scenario's weights. */
public record Variant(String name, int weight, String template) implements Serializable {
    public Variant {
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1");
        }
    }
}
