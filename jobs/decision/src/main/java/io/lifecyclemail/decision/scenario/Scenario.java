package io.lifecyclemail.decision.scenario;

import java.io.Serializable;

/** A scenario a marketer configured: what to detect, and which mail it leads to. */
public sealed interface Scenario extends Serializable permits DelayedScenario, BirthdayScenario, PointsExpiryScenario,
        PostPurchaseScenario, RegistrationAnniversaryScenario, ReplenishmentScenario,
        DeepBrowsingScenario, RestockScenario, SequenceScenario, RankChangeScenario {
    /** Unique among the loaded scenarios; part of every send id. */
    String id();

    /** Raised by the marketer when the meaning changes; part of every send id. */
    int version();

    /** The YAML kind, e.g. CartAbandonment. */
    String kind();

    boolean enabled();

    /** The mail template the delivery job renders. */
    String template();

    /** Re-entry and priority. */
    ScenarioPolicy policy();

    /** What every scenario's constructor checks: an id, a version from 1, a template, a policy. */
    static void checkCommon(String id, int version, String template, ScenarioPolicy policy) {
        java.util.Objects.requireNonNull(id, "id");
        java.util.Objects.requireNonNull(template, "template");
        java.util.Objects.requireNonNull(policy, "policy");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1");
        }
    }

    /**
     * The code a customer's re-entry log keeps for a scenario instead of its id: the id's
     * {@link String#hashCode} without the sign. Stored in savepoints, never to change; the ids of one
     * folder must differ in it ({@code ScenarioLoader} checks).
     */
    static int code(String id) {
        return id.hashCode() & Integer.MAX_VALUE;
    }

    /** The coupon code of a scenario that may have one: empty when absent. */
    static String couponOrEmpty(String coupon) {
        return coupon == null ? "" : coupon;
    }
}
