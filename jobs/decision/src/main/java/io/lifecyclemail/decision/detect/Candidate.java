package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.schema.ItemLine;
import java.util.List;
import java.util.Map;

/**
 * A scenario fired for a customer: a mail that may be sent, before consent (and, later, the
 * governor) decide whether it is.
 *
 * @param step the step within the scenario (part of the send id)
 * @param items products the mail is about, in the order it lists them
 * @param triggerEventId the event that armed the trigger (part of the send id)
 * @param triggerTime event time (epoch ms) at which the scenario fired
 * @param reason why it fired, in words with the values that decided, for the decision record
 * @param template the mail template: the scenario's, or the step's where steps have their own
 */
public record Candidate(Scenario scenario, String customerId, String step, List<ItemLine> items,
                        String triggerEventId, long triggerTime, String reason, Map<String, String> attributes,
                        String template) {
    /** A candidate mailed with the scenario's template. */
    public Candidate(Scenario scenario, String customerId, String step, List<ItemLine> items, String triggerEventId,
                     long triggerTime, String reason, Map<String, String> attributes) {
        this(scenario, customerId, step, items, triggerEventId, triggerTime, reason, attributes, scenario.template());
    }
}
