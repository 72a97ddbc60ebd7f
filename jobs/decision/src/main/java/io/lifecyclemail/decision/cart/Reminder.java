package io.lifecyclemail.decision.cart;

import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.schema.ItemLine;
import java.util.List;

/**
 * A cart-abandonment scenario fired for a customer.
 *
 * @param items the cart at the deadline, most recently added first, at most the scenario's maxItems
 * @param triggerEventId the cart change that started the wait
 * @param deadline event time (epoch ms) at which the wait ended
 */
public record Reminder(CartAbandonmentScenario scenario, String customerId, List<ItemLine> items,
                       String triggerEventId, long deadline) {}
