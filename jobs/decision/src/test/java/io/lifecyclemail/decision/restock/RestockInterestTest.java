package io.lifecyclemail.decision.restock;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.Events;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.state.ProductInterest;
import io.lifecyclemail.state.ProductSignal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of restock interest, without Flink. */
class RestockInterestTest {
    final RestockInterest rules = new RestockInterest(List.of(RestockInterestFunctionTest.RESTOCK), 1);

    ProductSignal signal(ClickType type, Duration at) {
        return rules.signals(Events.click("alice", at, type, Events.product("pot", 7480), 1)).get(0);
    }

    @Test
    void interestKeepsTimesOnlyNeitherTheEventIdNorTheProduct() {
        ProductInterest viewed = rules.apply(null, signal(ClickType.PRODUCT_VIEW, Duration.ofHours(1)));
        assertThat(viewed.getInterestEventId()).isEmpty();
        assertThat(viewed.getProduct()).isNull();
        assertThat(viewed.getViewedAt()).isEqualTo(Events.millis(Duration.ofHours(1)));

        // written by an older version, with the id: the next signal lets it go
        ProductInterest older = new ProductInterest(Events.millis(Duration.ofHours(1)), 0L, 0L, 0L, "click-17", null);
        ProductInterest favourited = rules.apply(older, signal(ClickType.FAVOURITE, Duration.ofHours(2)));
        assertThat(favourited.getInterestEventId()).isEmpty();
        assertThat(favourited.getViewedAt()).isEqualTo(Events.millis(Duration.ofHours(1)));
        assertThat(favourited.getFavouritedAt()).isEqualTo(Events.millis(Duration.ofHours(2)));
    }
}
