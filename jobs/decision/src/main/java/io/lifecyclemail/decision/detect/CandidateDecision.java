package io.lifecyclemail.decision.detect;

import io.lifecyclemail.decision.SendIds;
import io.lifecyclemail.decision.rfm.CustomerRanks;
import io.lifecyclemail.decision.scenario.Audience;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioPolicy;
import io.lifecyclemail.state.RankStanding;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.SendCommand;
import java.time.Instant;

/**
 * A candidate's own scenario rules: its audience, content by rank, discount rule and re-entry. What
 * they admit becomes a send command proposed to the governor ({@code io.lifecyclemail.decision.govern.Governor}),
 * which decides consent, suppression, caps, quiet hours and holdouts; what they refuse gets its final
 * decision record here.
 */
public final class CandidateDecision {
    private CandidateDecision() {}

    /**
     * @param decision the final record when refused; when admitted, the record so far (outcome SENT,
     *     rule and reason of the scenario) that the governor completes
     * @param command null when refused; else the send the governor decides about
     */
    public record Outcome(Decision decision, SendCommand command) {
        public boolean admitted() {
            return command != null;
        }
    }

    /**
     * The rank rules first (audience, content by rank, no discount to the loyal ranks), then re-entry.
     * A candidate refused by its audience or content is not an entry of the scenario.
     *
     * @param standing the customer's rank and scores, null when unranked
     * @param engagement the customer's opens and clicks, for audiences that ask
     * @param gate admits the candidate under the re-entry rule: returns why not, or null
     */
    public static Outcome decide(Candidate candidate, RankStanding standing, Audience.Engagement engagement,
                                 java.util.function.Function<Candidate, String> gate) {
        Scenario scenario = candidate.scenario();
        String excluded = scenario.policy().audience().excludes(standing, engagement, candidate.triggerTime());
        if (excluded != null) {
            return refuse(candidate, DecisionOutcome.AUDIENCE_EXCLUDED, scenario.id() + ".audience", excluded);
        }
        Candidate chosen = candidate;
        if (candidate.template().equals(scenario.template())) { // content by rank replaces the scenario's own template
            ScenarioPolicy.Content content = scenario.policy().contentFor(
                    standing == null ? null : CustomerRanks.Rank.ofLabel(standing.getRank()), candidate.template());
            if (content.withheldBecause() != null) {
                return refuse(candidate, DecisionOutcome.DISCOUNT_WITHHELD, "rank.no-discount-to-loyal",
                        content.withheldBecause());
            }
            chosen = candidate.withTemplate(content.template());
        }
        return decide(chosen, gate.apply(chosen));
    }

    /** @param blockedBecause why the scenario's re-entry rule refuses the candidate, or null when it admits it */
    public static Outcome decide(Candidate candidate, String blockedBecause) {
        Scenario scenario = candidate.scenario();
        if (blockedBecause != null) {
            return refuse(candidate, DecisionOutcome.REENTRY_BLOCKED, scenario.id() + ".reentry", blockedBecause);
        }
        String sendId = sendId(candidate);
        SendCommand command = SendCommand.newBuilder()
                .setSendId(sendId)
                .setCustomerId(candidate.customerId())
                .setScenarioId(scenario.id())
                .setScenarioVersion(scenario.version())
                .setScenarioKind(scenario.kind())
                .setStep(candidate.step())
                .setTemplate(candidate.template())
                .setTriggerEventId(candidate.triggerEventId())
                .setTriggerTime(Instant.ofEpochMilli(candidate.triggerTime()))
                .setItems(candidate.items())
                .setAttributes(candidate.attributes())
                .build();
        return new Outcome(admitted(command, candidate.reason()), command);
    }

    /**
     * The record so far of an admitted send (outcome SENT, the scenario's rule, why it fired), which the
     * governor completes. Everything in it but the reason follows from the command, so a send that waits
     * keeps only the command and the reason.
     */
    public static Decision admitted(SendCommand command, String reason) {
        return record(command.getSendId(), command.getCustomerId(), command.getScenarioId(),
                command.getScenarioVersion(), command.getScenarioKind(), command.getStep(), command.getTriggerEventId(),
                command.getTriggerTime(), command.getItems().size())
                .setOutcome(DecisionOutcome.SENT)
                .setSendId(command.getSendId())
                .setRule(command.getScenarioId() + ".wait")
                .setReason(reason)
                .build();
    }

    /** A candidate that does not go out: the decision says which rule refused it and why. */
    public static Outcome refuse(Candidate candidate, DecisionOutcome outcome, String rule, String because) {
        return new Outcome(record(candidate).setOutcome(outcome).setRule(rule)
                .setReason(candidate.reason() + ", but " + because).build(), null);
    }

    private static String sendId(Candidate candidate) {
        Scenario scenario = candidate.scenario();
        return SendIds.of(scenario.id(), scenario.version(), candidate.customerId(), candidate.triggerEventId(),
                candidate.step());
    }

    private static Decision.Builder record(Candidate candidate) {
        Scenario scenario = candidate.scenario();
        return record(sendId(candidate), candidate.customerId(), scenario.id(), scenario.version(), scenario.kind(),
                candidate.step(), candidate.triggerEventId(), Instant.ofEpochMilli(candidate.triggerTime()),
                candidate.items().size());
    }

    private static Decision.Builder record(String decisionId, String customerId, String scenarioId, int scenarioVersion,
                                           String scenarioKind, String step, String triggerEventId, Instant triggerTime,
                                           int itemCount) {
        return Decision.newBuilder()
                .setDecisionId(decisionId)
                .setCustomerId(customerId)
                .setScenarioId(scenarioId)
                .setScenarioVersion(scenarioVersion)
                .setScenarioKind(scenarioKind)
                .setStep(step)
                .setTriggerEventId(triggerEventId)
                .setTriggerTime(triggerTime)
                .setItemCount(itemCount)
                .setDecidedAt(triggerTime);
    }
}
