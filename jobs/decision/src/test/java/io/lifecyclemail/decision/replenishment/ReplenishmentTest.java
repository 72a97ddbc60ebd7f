package io.lifecyclemail.decision.replenishment;

import static io.lifecyclemail.decision.Events.ALICE;
import static io.lifecyclemail.decision.Events.millis;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.Events;
import io.lifecyclemail.decision.scenario.ReplenishmentScenario;
import io.lifecyclemail.decision.scenario.ReplenishmentScenario.Usage;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.ReplenishmentState;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplenishmentTest {
    final Replenishment rules = new Replenishment(new ReplenishmentScenario("refill", 1, "", true, "replenishment", List.of(
            new Usage("matcha", null, Duration.ofDays(15)),
            new Usage(null, "tea", Duration.ofDays(20)))));

    static Product product(String id, String category) {
        return Product.newBuilder(Events.product(id, 1000)).setCategory(category).build();
    }

    static OrderEvent order(Duration at, Product... products) {
        return OrderEvent.newBuilder(Events.purchase(ALICE, at))
                .setLines(Arrays.stream(products).map(p -> new ItemLine(p, 1)).toList()).build();
    }

    @Test
    void remindsWhenEachConsumableIsAboutHalfUsedProductRulesFirst() {
        ReplenishmentState state = rules.apply(null, order(Duration.ZERO,
                product("matcha", "tea"), product("sencha", "tea"), product("cup", "tableware")));
        assertThat(state.getBought()).hasSize(2);
        assertThat(rules.nextWakeUp(state)).hasValue(millis(Duration.ofDays(15)));
        assertThat(rules.due(ALICE, state, millis(Duration.ofDays(15))))
                .singleElement().satisfies(candidate -> assertThat(candidate.step()).isEqualTo("reminder-matcha"));
        state = rules.expire(state, millis(Duration.ofDays(15)));
        assertThat(rules.due(ALICE, state, millis(Duration.ofDays(20))))
                .singleElement().satisfies(candidate -> assertThat(candidate.items().get(0).getProduct().getProductId())
                        .isEqualTo("sencha"));
        assertThat(rules.expire(state, millis(Duration.ofDays(20)))).isNull();
    }

    @Test
    void buyingAgainStartsThePeriodAfresh() {
        ReplenishmentState state = rules.apply(null, order(Duration.ZERO, product("sencha", "tea")));
        state = rules.apply(state, order(Duration.ofDays(10), product("sencha", "tea")));
        assertThat(state.getBought()).hasSize(1);
        assertThat(rules.nextWakeUp(state)).hasValue(millis(Duration.ofDays(30)));
    }

    @Test
    void ordersWithoutConsumablesKeepNothing() {
        assertThat(rules.apply(null, order(Duration.ZERO, product("cup", "tableware")))).isNull();
    }
}
