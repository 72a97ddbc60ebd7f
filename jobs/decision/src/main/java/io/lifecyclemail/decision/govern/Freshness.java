package io.lifecyclemail.decision.govern;

import io.lifecyclemail.decision.scenario.BrowseAbandonmentScenario;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.decision.scenario.DeepBrowsingScenario;
import io.lifecyclemail.decision.scenario.PricePageVisitScenario;
import io.lifecyclemail.decision.scenario.ReplenishmentScenario;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.decision.scenario.SinceLastScenario;

/**
 * What makes a send that waited (quiet hours, a cap) pointless by the time it would go out, per
 * kind: a purchase answers a cart, browsing or dormancy mail; a purchase of the very product answers
 * a restock or replenishment mail, and a restock mail is wrong once the product is out of stock again.
 * (Consent and suppression are checked for every send at the last moment anyway.)
 */
public enum Freshness {
    NONE(false, false),
    ANY_PURCHASE(false, false),
    PURCHASE_OF_ITEMS(true, false),
    PURCHASE_OF_ITEMS_OR_STOCK_OUT(true, true);

    private final boolean aboutItems;
    private final boolean onStockOut;

    Freshness(boolean aboutItems, boolean onStockOut) {
        this.aboutItems = aboutItems;
        this.onStockOut = onStockOut;
    }

    /** Only a purchase of the mail's own items makes it stale. */
    public boolean aboutItems() {
        return aboutItems;
    }

    public boolean onStockOut() {
        return onStockOut;
    }

    public static Freshness of(String kind) {
        return switch (kind) {
            case CartAbandonmentScenario.KIND, BrowseAbandonmentScenario.KIND, PricePageVisitScenario.KIND,
                    DeepBrowsingScenario.KIND, SinceLastScenario.DORMANCY, SinceLastScenario.AT_RISK -> ANY_PURCHASE;
            case ReplenishmentScenario.KIND -> PURCHASE_OF_ITEMS;
            case RestockScenario.KIND -> PURCHASE_OF_ITEMS_OR_STOCK_OUT;
            default -> NONE;
        };
    }
}
