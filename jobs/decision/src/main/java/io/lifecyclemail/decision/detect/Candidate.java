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
 * @param entry what re-entry is counted per: the scenario's natural key
 */
public record Candidate(Scenario scenario, String customerId, String step, List<ItemLine> items,
                        String triggerEventId, long triggerTime, String reason, Map<String, String> attributes,
                        String template, EntryKey entry) {
    /** A candidate mailed with the scenario's template, counted per customer. */
    public Candidate(Scenario scenario, String customerId, String step, List<ItemLine> items, String triggerEventId,
                     long triggerTime, String reason, Map<String, String> attributes) {
        this(scenario, customerId, step, items, triggerEventId, triggerTime, reason, attributes, scenario.template());
    }

    /** A candidate with its own template, counted per customer. */
    public Candidate(Scenario scenario, String customerId, String step, List<ItemLine> items, String triggerEventId,
                     long triggerTime, String reason, Map<String, String> attributes, String template) {
        this(scenario, customerId, step, items, triggerEventId, triggerTime, reason, attributes, template,
                EntryKey.CUSTOMER);
    }

    /** The same candidate with another template (content chosen by rank). */
    public Candidate withTemplate(String other) {
        return other.equals(template) ? this : new Candidate(scenario, customerId, step, items, triggerEventId,
                triggerTime, reason, attributes, other, entry);
    }

    /** The same candidate, counted per {@code entry} for re-entry. */
    public Candidate per(EntryKey entry) {
        return new Candidate(scenario, customerId, step, items, triggerEventId, triggerTime, reason, attributes,
                template, entry);
    }

    /**
     * The natural key a scenario is entered per (a cart, an order, a product; empty for the
     * customer), and how long such a key can come back: a bought cart never does.
     *
     * @param lifetimeMillis after this long since an entry its key cannot recur; Long.MAX_VALUE: it can always
     */
    public record EntryKey(String key, long lifetimeMillis) {
        public static final EntryKey CUSTOMER = new EntryKey("", Long.MAX_VALUE);

        public static EntryKey of(String key) {
            return new EntryKey(key, Long.MAX_VALUE);
        }
    }
}
