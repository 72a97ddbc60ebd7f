package io.lifecyclemail.decision.scenario;

import java.io.Serializable;
import java.time.Duration;
import io.lifecyclemail.decision.rfm.CustomerRanks.Rank;
import java.util.List;
import java.util.Objects;

/**
 * How a scenario's candidates are admitted, beside what the scenario detects: whether and when a
 * customer may enter it again, and its priority against other scenarios (higher wins; the governor
 * uses it when candidates compete).
 */
public record ScenarioPolicy(Reentry reentry, int priority, Audience audience, boolean discount,
                             boolean discountToLoyal, List<RankContent> contentByRank, Governance governance)
        implements Serializable {
    public static final int DEFAULT_PRIORITY = 50;
    public static final int MAX_PRIORITY = 1000;

    /**
     * @param audience who may get the mail by rank, scores and branching point
     * @param discount the scenario's own template offers a discount
     * @param discountToLoyal discount content may go to the loyal ranks (DOMAIN.md: it hurts them; off by default)
     * @param contentByRank a different template for some ranks, the first that names the rank wins
     * @param governance transactional steps, the scenario's caps, holdout and variants
     */
    public ScenarioPolicy {
        Objects.requireNonNull(reentry, "reentry");
        Objects.requireNonNull(governance, "governance");
        Objects.requireNonNull(audience, "audience");
        contentByRank = List.copyOf(contentByRank);
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be 0 to " + MAX_PRIORITY);
        }
    }

    /** Re-entry and priority, for everyone, with the same content for every rank. */
    public ScenarioPolicy(Reentry reentry, int priority) {
        this(reentry, priority, Audience.EVERYONE, false, false, List.of(), Governance.DEFAULT);
    }

    /**
     * The mail a customer of a rank gets: a template, or why nothing goes out.
     *
     * @param template the template to send; null when withheld
     * @param withheldBecause why discount content is not sent to this customer; null when it is
     */
    public record Content(String template, boolean discount, String withheldBecause) {}

    /**
     * The content for a customer of {@code rank} (null: unranked), starting from the scenario's
     * {@code template}: the first content-by-rank entry naming the rank replaces it; discount content
     * for a loyal rank is withheld unless {@link #discountToLoyal}.
     */
    public Content contentFor(Rank rank, String template) {
        String chosen = template;
        boolean isDiscount = discount;
        for (RankContent content : contentByRank) {
            if (rank != null && content.ranks().contains(rank)) {
                chosen = content.template();
                isDiscount = content.discount();
                break;
            }
        }
        if (isDiscount && rank != null && rank.loyal() && !discountToLoyal) {
            return new Content(null, true, "template " + chosen + " is discount content and the customer is "
                    + rank.label() + ": discounts are not sent to the loyal ranks unless the scenario sets discountToLoyal");
        }
        return new Content(chosen, isDiscount, null);
    }

    /** The same re-entry and priority with these rank rules. */
    public ScenarioPolicy withRankRules(Audience audience, boolean discount, boolean discountToLoyal,
                                        List<RankContent> contentByRank) {
        return new ScenarioPolicy(reentry, priority, audience, discount, discountToLoyal, contentByRank, governance);
    }

    /** The same policy with these governor settings. */
    public ScenarioPolicy withGovernance(Governance other) {
        return new ScenarioPolicy(reentry, priority, audience, discount, discountToLoyal, contentByRank, other);
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
            case RankChangeScenario.KIND -> Reentry.after(Duration.ofDays(30));
            default -> Reentry.ALWAYS;
        };
        return new ScenarioPolicy(reentry, DEFAULT_PRIORITY);
    }
}
