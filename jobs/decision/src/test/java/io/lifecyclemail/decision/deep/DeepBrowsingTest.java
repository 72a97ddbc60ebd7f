package io.lifecyclemail.decision.deep;

import static io.lifecyclemail.decision.Events.ALICE;
import static io.lifecyclemail.decision.Events.millis;
import static io.lifecyclemail.decision.Events.pageView;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.scenario.DeepBrowsingScenario;
import io.lifecyclemail.state.SessionPagesState;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeepBrowsingTest {
    static final Duration GAP = Duration.ofMinutes(30);
    final DeepBrowsing rules = new DeepBrowsing(new DeepBrowsingScenario("deep", 1, "", true, GAP, 3, "deep-browsing", "DEEP20"));

    @Test
    void offersTheCouponWhenADeepSessionIsOver() {
        SessionPagesState state = null;
        for (int minute = 0; minute < 3; minute++) {
            state = rules.apply(state, pageView(ALICE, Duration.ofMinutes(minute * 10)));
        }
        long end = millis(Duration.ofMinutes(20).plus(GAP));
        assertThat(rules.nextWakeUp(state)).hasValue(end);
        assertThat(rules.due(ALICE, state, end - 1)).isEmpty();
        assertThat(rules.due(ALICE, state, end)).singleElement()
                .satisfies(candidate -> assertThat(candidate.attributes()).isEqualTo(Map.of("couponCode", "DEEP20")));
        assertThat(rules.expire(state, end)).isNull();
    }

    @Test
    void aShallowSessionGetsNothingAndAGapStartsANewSession() {
        SessionPagesState state = rules.apply(null, pageView(ALICE, Duration.ZERO));
        state = rules.apply(state, pageView(ALICE, Duration.ofMinutes(10)));
        assertThat(rules.due(ALICE, state, millis(Duration.ofHours(2)))).isEmpty();
        SessionPagesState next = rules.apply(state, pageView(ALICE, Duration.ofMinutes(10).plus(GAP)));
        assertThat(next.getPages()).isEqualTo(1);
    }
}
