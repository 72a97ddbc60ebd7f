package io.lifecyclemail.decision.cart;

import io.lifecyclemail.decision.SendIds;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.SendCommand;
import java.time.Instant;
import java.util.Map;

/**
 * Turns a due reminder into a decision record and, when the customer may be mailed, a send command.
 * Marketing mail needs recorded opt-in consent (Japan's Act on Specified Electronic Mail); a customer
 * with no profile yet has none.
 */
public final class ReminderDecision {
    private ReminderDecision() {}

    /** @param command null unless the outcome is SENT */
    public record Outcome(Decision decision, SendCommand command) {}

    public static Outcome decide(Reminder reminder, boolean marketingConsent) {
        CartAbandonmentScenario scenario = reminder.scenario();
        String sendId = SendIds.of(scenario.id(), scenario.version(), reminder.customerId(),
                reminder.triggerEventId(), CartAbandonmentScenario.STEP);
        Instant deadline = Instant.ofEpochMilli(reminder.deadline());
        String waited = "cart unchanged and not bought for " + Durations.format(scenario.delay())
                + " (" + reminder.items().size() + " items listed)";
        Decision.Builder decision = Decision.newBuilder()
                .setDecisionId(sendId)
                .setCustomerId(reminder.customerId())
                .setScenarioId(scenario.id())
                .setScenarioVersion(scenario.version())
                .setScenarioKind(scenario.kind())
                .setStep(CartAbandonmentScenario.STEP)
                .setTriggerEventId(reminder.triggerEventId())
                .setTriggerTime(deadline)
                .setItemCount(reminder.items().size());
        if (!marketingConsent) {
            return new Outcome(decision.setOutcome(DecisionOutcome.NO_CONSENT)
                    .setRule("consent.marketing")
                    .setReason(waited + ", but the profile records no opt-in to marketing mail")
                    .build(), null);
        }
        SendCommand command = SendCommand.newBuilder()
                .setSendId(sendId)
                .setCustomerId(reminder.customerId())
                .setScenarioId(scenario.id())
                .setScenarioVersion(scenario.version())
                .setScenarioKind(scenario.kind())
                .setStep(CartAbandonmentScenario.STEP)
                .setTemplate(scenario.template())
                .setTriggerEventId(reminder.triggerEventId())
                .setTriggerTime(deadline)
                .setItems(reminder.items())
                .setAttributes(Map.of())
                .build();
        return new Outcome(decision.setOutcome(DecisionOutcome.SENT)
                .setSendId(sendId)
                .setRule(scenario.id() + ".wait")
                .setReason(waited)
                .build(), command);
    }
}
