package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.SendIds;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.SendCommand;
import java.time.Instant;

/**
 * Turns a candidate into a decision record and, when the customer may be mailed, a send command.
 * Marketing mail needs recorded opt-in consent (Japan's Act on Specified Electronic Mail); a customer
 * with no profile yet has none.
 */
public final class CandidateDecision {
    private CandidateDecision() {}

    /** @param command null unless the outcome is SENT */
    public record Outcome(Decision decision, SendCommand command) {}

    public static Outcome decide(Candidate candidate, boolean marketingConsent) {
        return decide(candidate, marketingConsent, null);
    }

    /** @param blockedBecause why the scenario's re-entry rule refuses the candidate, or null when it admits it */
    public static Outcome decide(Candidate candidate, boolean marketingConsent, String blockedBecause) {
        Scenario scenario = candidate.scenario();
        String sendId = SendIds.of(scenario.id(), scenario.version(), candidate.customerId(),
                candidate.triggerEventId(), candidate.step());
        Instant triggerTime = Instant.ofEpochMilli(candidate.triggerTime());
        Decision.Builder decision = Decision.newBuilder()
                .setDecisionId(sendId)
                .setCustomerId(candidate.customerId())
                .setScenarioId(scenario.id())
                .setScenarioVersion(scenario.version())
                .setScenarioKind(scenario.kind())
                .setStep(candidate.step())
                .setTriggerEventId(candidate.triggerEventId())
                .setTriggerTime(triggerTime)
                .setItemCount(candidate.items().size());
        if (blockedBecause != null) {
            return new Outcome(decision.setOutcome(DecisionOutcome.REENTRY_BLOCKED)
                    .setRule(scenario.id() + ".reentry")
                    .setReason(candidate.reason() + ", but " + blockedBecause)
                    .build(), null);
        }
        if (!marketingConsent) {
            return new Outcome(decision.setOutcome(DecisionOutcome.NO_CONSENT)
                    .setRule("consent.marketing")
                    .setReason(candidate.reason() + ", but the profile records no opt-in to marketing mail")
                    .build(), null);
        }
        SendCommand command = SendCommand.newBuilder()
                .setSendId(sendId)
                .setCustomerId(candidate.customerId())
                .setScenarioId(scenario.id())
                .setScenarioVersion(scenario.version())
                .setScenarioKind(scenario.kind())
                .setStep(candidate.step())
                .setTemplate(candidate.template())
                .setTriggerEventId(candidate.triggerEventId())
                .setTriggerTime(triggerTime)
                .setItems(candidate.items())
                .setAttributes(candidate.attributes())
                .build();
        return new Outcome(decision.setOutcome(DecisionOutcome.SENT)
                .setSendId(sendId)
                .setRule(scenario.id() + ".wait")
                .setReason(candidate.reason())
                .build(), command);
    }
}
