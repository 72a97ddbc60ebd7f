package io.lifecyclemail.decision.sequence;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.decision.scenario.SequenceScenario.EventType;
import io.lifecyclemail.decision.scenario.SequenceScenario.Step;
import io.lifecyclemail.state.ScenarioTrigger;
import io.lifecyclemail.state.SequenceWaitState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceWaitTest {
    static final long HOUR = Duration.ofHours(1).toMillis();
    static final Step THREE_VIEWS_OF_ONE_PRODUCT = new Step(EventType.PRODUCT_VIEW, null, null, null, null, null, null, 3, true);

    static final SequenceScenario OVERLAPPING = new SequenceScenario("s", 1, "", true, List.of(THREE_VIEWS_OF_ONE_PRODUCT),
            Duration.ofHours(6), null, "t");
    static final SequenceScenario AFTER_PRICING = new SequenceScenario("s", 1, "", true,
            List.of(new Step(EventType.PAGE_VIEW, "pricing", null, null, null, null, null, 1, false), THREE_VIEWS_OF_ONE_PRODUCT),
            Duration.ofHours(6), null, "t");

    static ScenarioTrigger match(long first, long last) {
        return ScenarioTrigger.newBuilder().setScenarioId("s").setCustomerId("c").setTriggerEventId("e" + last)
                .setEventTime(last).setReason("matched").setFirstEventTime(first).build();
    }

    @Test
    void onlyAFirstStepAboutOneRepeatedProductMakesMatchesThatMayOverlap() {
        assertThat(OVERLAPPING.matchesMayOverlap()).isTrue();
        assertThat(AFTER_PRICING.matchesMayOverlap()).isFalse();
    }

    @Test
    void aMatchThatStartedBeforeThePreviousOneEndedDoesNotCountUntilWithinHasPassed() {
        SequenceWait wait = new SequenceWait(OVERLAPPING);
        SequenceWaitState state = wait.apply(null, match(1 * HOUR, 2 * HOUR));
        assertThat(wait.due("c", state, 2 * HOUR)).singleElement()
                .satisfies(candidate -> assertThat(candidate.triggerEventId()).isEqualTo("e" + 2 * HOUR));
        state = wait.expire(state, 2 * HOUR);
        assertThat(state.getEnded()).as("kept to recognise overlapping matches").isTrue();
        assertThat(wait.nextWakeUp(state)).hasValue(8 * HOUR);

        SequenceWaitState overlapping = wait.apply(state, match(2 * HOUR, 3 * HOUR)); // starts at the end: overlaps
        assertThat(overlapping).isSameAs(state);
        assertThat(wait.due("c", overlapping, 3 * HOUR)).isEmpty();

        SequenceWaitState next = wait.apply(state, match(2 * HOUR + 1, 4 * HOUR));
        assertThat(wait.due("c", next, 4 * HOUR)).singleElement()
                .satisfies(candidate -> assertThat(candidate.triggerEventId()).isEqualTo("e" + 4 * HOUR));
        assertThat(wait.expire(wait.expire(next, 4 * HOUR), 10 * HOUR - 1)).isNotNull();
        assertThat(wait.expire(wait.expire(next, 4 * HOUR), 10 * HOUR)).as("within after the last match: forgotten").isNull();
    }

    @Test
    void whileAMatchWaitsALaterOneThatCountsMovesTheEndThatOthersMustStartAfter() {
        SequenceScenario withThenNot = new SequenceScenario("s", 1, "", true, List.of(THREE_VIEWS_OF_ONE_PRODUCT),
                Duration.ofHours(6), new SequenceScenario.Absence(List.of(Step.of(EventType.ORDER_PLACED)), Duration.ofHours(2)), "t");
        SequenceWait wait = new SequenceWait(withThenNot);
        SequenceWaitState state = wait.apply(null, match(1 * HOUR, 2 * HOUR));
        state = wait.apply(state, match(2 * HOUR + 1, 3 * HOUR)); // counts, but a wait is running
        assertThat(state.getTrigger().getEventTime()).isEqualTo(2 * HOUR);
        assertThat(state.getLastMatchEnd()).isEqualTo(3 * HOUR);
        assertThat(wait.apply(state, match(3 * HOUR - 1, 5 * HOUR))).as("overlaps the second match").isSameAs(state);
    }

    @Test
    void whereMatchesCannotOverlapNothingIsKeptAfterTheWait() {
        SequenceWait wait = new SequenceWait(AFTER_PRICING);
        SequenceWaitState state = wait.apply(null, match(1 * HOUR, 2 * HOUR));
        assertThat(wait.due("c", state, 2 * HOUR)).hasSize(1);
        assertThat(wait.expire(state, 2 * HOUR)).isNull();
    }
}
