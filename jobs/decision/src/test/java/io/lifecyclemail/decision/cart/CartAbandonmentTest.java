package io.lifecyclemail.decision.cart;

import static io.lifecyclemail.decision.Events.ALICE;
import static io.lifecyclemail.decision.Events.cartAdd;
import static io.lifecyclemail.decision.Events.cartRemove;
import static io.lifecyclemail.decision.Events.millis;
import static io.lifecyclemail.decision.Events.order;
import static io.lifecyclemail.decision.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifecyclemail.decision.detect.Candidate;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.state.CartState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CartAbandonmentTest {
    static final Duration TWO_HOURS = Duration.ofHours(2);
    static final Duration ONE_DAY = Duration.ofDays(1);
    static final Duration RETENTION = Duration.ofDays(30);

    static CartAbandonmentScenario scenario(String id, Duration delay, int maxItems) {
        return new CartAbandonmentScenario(id, 1, "", true, delay, "cart-abandonment", maxItems);
    }

    final CartAbandonment rules = new CartAbandonment(List.of(scenario("cart-2h", TWO_HOURS, 10)), RETENTION);

    @Test
    void remindsOfTheCartAsItIsAtTheDeadline() {
        CartState cart = rules.apply(null, cartAdd(ALICE, Duration.ZERO, "tea", 1));
        cart = rules.apply(cart, cartAdd(ALICE, Duration.ofMinutes(1), "cup", 2));
        cart = rules.apply(cart, cartAdd(ALICE, Duration.ofMinutes(2), "pot", 1));
        cart = rules.apply(cart, cartRemove(ALICE, Duration.ofMinutes(3), "cup", 2));
        cart = rules.apply(cart, cartAdd(ALICE, Duration.ofMinutes(4), "tea", 1));

        long deadline = millis(Duration.ofMinutes(4).plus(TWO_HOURS));
        assertThat(rules.due(ALICE, cart, deadline - 1)).isEmpty();
        List<Candidate> due = rules.due(ALICE, cart, deadline);

        assertThat(due).singleElement().satisfies(reminder -> {
            assertThat(reminder.triggerTime()).isEqualTo(deadline);
            // newest first; the removed cup is gone; tea added twice counts 2
            assertThat(reminder.items()).extracting(line -> line.getProduct().getProductId(), ItemLine::getQuantity)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("tea", 2), org.assertj.core.groups.Tuple.tuple("pot", 1));
        });
    }

    @Test
    void doesNotRemindTwiceForTheSameDeadline() {
        CartState cart = rules.apply(null, cartAdd(ALICE, Duration.ZERO, "tea", 1));
        long deadline = millis(TWO_HOURS);
        assertThat(rules.due(ALICE, cart, deadline)).hasSize(1);
        assertThat(rules.due(ALICE, cart, deadline + 1000)).isEmpty();
    }

    @Test
    void purchaseForgetsTheCart() {
        CartState cart = rules.apply(null, cartAdd(ALICE, Duration.ZERO, "tea", 1));
        assertThat(rules.apply(cart, purchase(ALICE, Duration.ofMinutes(30)))).isNull();
    }

    @Test
    void shippingOrCancellingAnOrderDoesNotTouchTheCart() {
        CartState cart = rules.apply(null, cartAdd(ALICE, Duration.ZERO, "tea", 1));
        assertThat(rules.apply(cart, order(ALICE, Duration.ofMinutes(5), OrderEventType.SHIPPED))).isSameAs(cart);
        assertThat(rules.apply(cart, order(ALICE, Duration.ofMinutes(5), OrderEventType.CANCELLED))).isSameAs(cart);
    }

    @Test
    void emptiedCartNeedsNoReminder() {
        CartState cart = rules.apply(null, cartAdd(ALICE, Duration.ZERO, "tea", 2));
        cart = rules.apply(cart, cartRemove(ALICE, Duration.ofMinutes(1), "tea", 1));
        assertThat(cart).isNotNull();
        assertThat(rules.apply(cart, cartRemove(ALICE, Duration.ofMinutes(2), "tea", 1))).isNull();
    }

    @Test
    void laterCartChangeMovesTheDeadline() {
        CartState cart = rules.apply(null, cartAdd(ALICE, Duration.ZERO, "tea", 1));
        cart = rules.apply(cart, cartAdd(ALICE, Duration.ofMinutes(90), "cup", 1));
        assertThat(rules.nextWakeUp(cart)).hasValue(millis(Duration.ofMinutes(90).plus(TWO_HOURS)));
        assertThat(rules.due(ALICE, cart, millis(TWO_HOURS))).isEmpty();
    }

    @Test
    void eachScenarioRemindsAtItsOwnWaitThenTheCartIsKeptUntilRetention() {
        CartAbandonment twoReminders = new CartAbandonment(
                List.of(scenario("cart-1d", ONE_DAY, 1), scenario("cart-2h", TWO_HOURS, 10)), RETENTION);
        CartState cart = twoReminders.apply(null, cartAdd(ALICE, Duration.ZERO, "tea", 1));
        cart = twoReminders.apply(cart, cartAdd(ALICE, Duration.ofMinutes(1), "cup", 1));
        long start = millis(Duration.ofMinutes(1));

        assertThat(twoReminders.nextWakeUp(cart)).hasValue(start + TWO_HOURS.toMillis());
        assertThat(twoReminders.due(ALICE, cart, start + TWO_HOURS.toMillis()))
                .extracting(r -> r.scenario().id()).containsExactly("cart-2h");
        assertThat(twoReminders.nextWakeUp(cart)).hasValue(start + ONE_DAY.toMillis());
        List<Candidate> dayLater = twoReminders.due(ALICE, cart, start + ONE_DAY.toMillis());
        assertThat(dayLater).extracting(r -> r.scenario().id()).containsExactly("cart-1d");
        assertThat(dayLater.get(0).items()).hasSize(1); // maxItems 1: only the newest line

        assertThat(twoReminders.nextWakeUp(cart)).hasValue(start + RETENTION.toMillis());
        assertThat(twoReminders.expire(cart, start + RETENTION.toMillis() - 1)).isSameAs(cart);
        assertThat(twoReminders.expire(cart, start + RETENTION.toMillis())).isNull();
    }

    @Test
    void disabledScenarioNeverReminds() {
        CartAbandonment none = new CartAbandonment(List.of(
                new CartAbandonmentScenario("off", 1, "", false, TWO_HOURS, "cart-abandonment", 5)), RETENTION);
        CartState cart = none.apply(null, cartAdd(ALICE, Duration.ZERO, "tea", 1));
        assertThat(none.due(ALICE, cart, millis(ONE_DAY))).isEmpty();
        assertThat(none.active()).isFalse();
    }

    @Test
    void refusesAWaitLongerThanTheCartIsKept() {
        assertThatThrownBy(() -> new CartAbandonment(List.of(scenario("cart-40d", Duration.ofDays(40), 5)), RETENTION))
                .hasMessageContaining("cart-40d").hasMessageContaining("retention");
    }
}
