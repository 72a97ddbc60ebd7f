package io.lifecyclemail.decision.scenario;

import java.io.Serializable;

/** A scenario a marketer configured: what to detect, and which mail it leads to. */
public sealed interface Scenario extends Serializable permits DelayedScenario, BirthdayScenario, PointsExpiryScenario,
        PostPurchaseScenario, RegistrationAnniversaryScenario, ReplenishmentScenario,
        DeepBrowsingScenario {
    /** Unique among the loaded scenarios; part of every send id. */
    String id();

    /** Raised by the marketer when the meaning changes; part of every send id. */
    int version();

    /** The YAML kind, e.g. CartAbandonment. */
    String kind();

    boolean enabled();

    /** The mail template the delivery job renders. */
    String template();
}
