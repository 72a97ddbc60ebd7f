package io.lifecyclemail.decision.cart;

import io.lifecyclemail.decision.detect.StateValues;
import io.lifecyclemail.common.time.Durations;
import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.detect.Detector;
import io.lifecyclemail.decision.detect.Waits;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.CartState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The rules of cart abandonment, free of Flink: how cart and order events change a customer's cart,
 * when reminders are due and what they list. Events must be applied in event-time order; the caller
 * decides a deadline only once no event at or before it can still arrive.
 * A {@code null} cart means the customer has nothing to be reminded of (and no state to keep).
 * A cart is forgotten when it is bought, emptied, or unchanged for the shop's cart retention, the
 * time after which the shop itself empties carts; until then a later addition joins the same cart.
 */
public final class CartAbandonment implements Detector<CartState> {
    private static final long serialVersionUID = 1L;

    private final Waits<CartAbandonmentScenario> waits;
    private final long retentionMillis;

    public CartAbandonment(List<CartAbandonmentScenario> scenarios, Duration retention) {
        this.waits = new Waits<>(scenarios);
        this.retentionMillis = retention.toMillis();
        for (CartAbandonmentScenario scenario : waits.scenarios()) {
            if (scenario.delay().compareTo(retention) > 0) {
                throw new IllegalArgumentException("scenario " + scenario.id() + " waits " + Durations.format(scenario.delay())
                        + ", longer than the cart retention of " + Durations.format(retention)
                        + ": the cart would be forgotten before the reminder");
            }
        }
    }

    public boolean active() {
        return !waits.scenarios().isEmpty();
    }

    @Override
    public String stateName() {
        return "cart";
    }

    @Override
    public Class<CartState> stateClass() {
        return CartState.class;
    }

    @Override
    public boolean accepts(Object event) {
        return event instanceof ClickstreamEvent click ? isCartChange(click)
                : event instanceof OrderEvent order && isPurchase(order);
    }

    @Override
    public CartState apply(CartState cart, Object event) {
        return event instanceof ClickstreamEvent click ? apply(cart, click) : apply(cart, (OrderEvent) event);
    }

    /** Only cart changes matter to a cart. */
    public static boolean isCartChange(ClickstreamEvent event) {
        return event.getType() == ClickType.CART_ADD || event.getType() == ClickType.CART_REMOVE;
    }

    /** Only a placed order buys the cart. */
    public static boolean isPurchase(OrderEvent event) {
        return event.getType() == OrderEventType.PLACED;
    }

    /** Applies a cart change; the wait of every scenario starts again from it. */
    public CartState apply(CartState cart, ClickstreamEvent event) {
        if (!isCartChange(event) || event.getProduct() == null) {
            return cart;
        }
        List<ItemLine> lines = cart == null ? new ArrayList<>() : new ArrayList<>(cart.getLines());
        Product product = event.getProduct();
        int index = indexOf(lines, product.getProductId());
        int quantity = Math.max(1, event.getQuantity());
        if (event.getType() == ClickType.CART_ADD) {
            int before = index >= 0 ? lines.remove(index).getQuantity() : 0;
            // the latest add goes last: reminders list the most recently added first
            lines.add(new ItemLine(StateValues.shared(product), before + quantity));
        } else if (index >= 0) {
            ItemLine line = lines.get(index);
            int left = line.getQuantity() - quantity;
            if (left > 0) {
                lines.set(index, new ItemLine(line.getProduct(), left));
            } else {
                lines.remove(index);
            }
        }
        if (lines.isEmpty()) {
            return null;
        }
        long time = event.getEventTime().toEpochMilli();
        String opened = cart == null ? event.getEventId() : cart.getOpenedEventId();
        return new CartState(lines, time, event.getEventId(), time, opened);
    }

    /** A placed order buys the cart: nothing is left to remind of. */
    public CartState apply(CartState cart, OrderEvent event) {
        return isPurchase(event) ? null : cart;
    }

    /** Reminders whose deadline is at or before {@code time} and not decided yet; marks them decided. */
    @Override
    public List<Candidate> due(String customerId, CartState cart, long time) {
        if (cart == null) {
            return List.of();
        }
        List<Candidate> due = new ArrayList<>();
        for (CartAbandonmentScenario scenario : waits.due(cart.getLastChangeTime(), cart.getDecidedUpTo(), time)) {
            List<ItemLine> items = newestFirst(cart.getLines(), scenario.maxItems());
            due.add(new Candidate(scenario, customerId, CartAbandonmentScenario.STEP, items,
                    cart.getLastChangeEventId(), cart.getLastChangeTime() + scenario.delay().toMillis(),
                    "cart unchanged and not bought for " + Durations.format(scenario.delay())
                            + " (" + items.size() + " items listed)", Map.of())
                    // one entry per cart: after the retention an unchanged cart is gone
                    .per(new Candidate.EntryKey("cart:" + cart.getOpenedEventId(), retentionMillis)));
        }
        cart.setDecidedUpTo(Math.max(cart.getDecidedUpTo(), time));
        return due;
    }

    /** When this cart next needs attention: its next undecided deadline, else the end of its retention. */
    @Override
    public OptionalLong nextWakeUp(CartState cart) {
        if (cart == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(waits.nextWakeUp(cart.getLastChangeTime(), cart.getDecidedUpTo(), retentionMillis));
    }

    /** The cart as it is at {@code time}: null once the retention has passed since its last change. */
    @Override
    public CartState expire(CartState cart, long time) {
        return cart != null && time >= cart.getLastChangeTime() + retentionMillis ? null : cart;
    }

    private static int indexOf(List<ItemLine> lines, String productId) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).getProduct().getProductId().equals(productId)) {
                return i;
            }
        }
        return -1;
    }

    private static List<ItemLine> newestFirst(List<ItemLine> lines, int max) {
        List<ItemLine> items = new ArrayList<>(Math.min(max, lines.size()));
        for (int i = lines.size() - 1; i >= 0 && items.size() < max; i--) {
            items.add(lines.get(i));
        }
        return items;
    }
}
