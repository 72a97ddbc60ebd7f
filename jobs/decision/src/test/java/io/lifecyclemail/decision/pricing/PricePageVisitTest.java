package io.lifecyclemail.decision.pricing;

import static io.lifecyclemail.decision.Events.ALICE;
import static io.lifecyclemail.decision.Events.millis;
import static io.lifecyclemail.decision.Events.page;
import static io.lifecyclemail.decision.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.scenario.PricePageVisitScenario;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.state.PricePageState;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PricePageVisitTest {
    static final Duration THREE_DAYS = Duration.ofDays(3);
    final PricePageVisit rules = new PricePageVisit(new PricePageVisitScenario("pricing", 1, "", true, THREE_DAYS,
            "price-page-visit", "pricing", "", "WELCOME10"));

    @Test
    void followsUpThreeDaysAfterTheFirstVisitWithTheCoupon() {
        ClickstreamEvent first = page(ALICE, Duration.ZERO, "pricing");
        PricePageState state = rules.apply(null, first);
        assertThat(rules.apply(state, page(ALICE, Duration.ofDays(1), "pricing")))
                .as("a second visit does not postpone the follow-up").isSameAs(state);
        long deadline = millis(THREE_DAYS);
        assertThat(rules.nextWakeUp(state)).hasValue(deadline);
        assertThat(rules.due(ALICE, state, deadline - 1)).isEmpty();
        assertThat(rules.due(ALICE, state, deadline)).singleElement().satisfies(candidate -> {
            assertThat(candidate.triggerEventId()).isEqualTo(first.getEventId());
            assertThat(candidate.attributes()).isEqualTo(Map.of("couponCode", "WELCOME10"));
            assertThat(candidate.items()).isEmpty();
        });
        assertThat(rules.expire(state, deadline)).isNull();
    }

    @Test
    void aPurchaseCancelsTheFollowUp() {
        PricePageState state = rules.apply(null, page(ALICE, Duration.ZERO, "pricing"));
        assertThat(rules.apply(state, purchase(ALICE, Duration.ofDays(1)))).isNull();
    }

    @Test
    void onlyTheConfiguredPageCounts() {
        assertThat(rules.accepts(page(ALICE, Duration.ZERO, "home"))).isFalse();
        assertThat(rules.accepts(page(ALICE, Duration.ZERO, "Pricing"))).isTrue();
        PricePageVisit byUrl = new PricePageVisit(new PricePageVisitScenario("plans", 1, "", true, THREE_DAYS,
                "price-page-visit", "pricing", "/plans", ""));
        assertThat(byUrl.accepts(page(ALICE, Duration.ZERO, "pricing"))).as("URL rule wins").isFalse();
        assertThat(byUrl.accepts(ClickstreamEvent.newBuilder(page(ALICE, Duration.ZERO, "x"))
                .setUrl("https://shop.example.com/plans?x=1").build())).isTrue();
        assertThat(rules.accepts(io.lifecyclemail.decision.Events.click(ALICE, Duration.ZERO, ClickType.PRODUCT_VIEW,
                io.lifecyclemail.decision.Events.product("p", 1), 1))).isFalse();
    }
}
