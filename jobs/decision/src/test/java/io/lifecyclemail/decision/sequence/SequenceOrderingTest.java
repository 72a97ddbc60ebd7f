package io.lifecyclemail.decision.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifecyclemail.decision.Events;
import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.decision.scenario.SequenceScenario.EventType;
import io.lifecyclemail.decision.scenario.SequenceScenario.Step;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.state.SequenceInput;
import io.lifecyclemail.state.SequenceOrder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceOrderingTest {
    static final Step PRICING = new Step(EventType.PAGE_VIEW, "pricing", null, null, null, null, null, 1, false);
    static final Step THREE_SAME = new Step(EventType.PRODUCT_VIEW, null, null, null, null, null, null, 3, true);
    static final Duration WITHIN = Duration.ofHours(6);

    static SequenceScenario sequence(Step... steps) {
        return new SequenceScenario("s", 1, "", true, List.of(steps), WITHIN, null, "browse-abandonment");
    }

    @Test
    void onlyALastStepRepeatedAboutOneProductOfAClickAfterAnotherStepIsMarked() {
        assertThat(SequenceOrdering.markedStep(sequence(PRICING, THREE_SAME))).hasValue(1);
        assertThat(SequenceOrdering.markedStep(sequence(THREE_SAME))).as("first: its matches may overlap").isEmpty();
        assertThat(SequenceOrdering.markedStep(sequence(PRICING, THREE_SAME, PRICING))).as("not last").isEmpty();
        assertThat(SequenceOrdering.markedStep(sequence(PRICING, THREE_SAME, THREE_SAME))).as("another repeats").isEmpty();
        assertThat(SequenceOrdering.markedStep(sequence(PRICING,
                new Step(EventType.ORDER_PLACED, null, null, null, null, null, null, 2, true)))).as("orders: several products").isEmpty();
        assertThat(SequenceOrdering.markedStep(sequence(PRICING,
                new Step(EventType.PRODUCT_VIEW, null, null, null, null, null, null, 3, false)))).as("any products").isEmpty();
        assertThatThrownBy(() -> SequenceOrdering.of(sequence(THREE_SAME))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void releasesAnInstantInTheOrderItCameWithWhatArrivedInMemoryLastAndMarksWhereTheRepetitionsOfAProductBegan() {
        SequenceOrdering ordering = SequenceOrdering.of(sequence(PRICING, THREE_SAME));
        ClickstreamEvent a1 = view(10, "a");
        ClickstreamEvent b1 = view(20, "b");
        ClickstreamEvent a2 = view(20, "a");
        ClickstreamEvent a3 = view(20, "a");
        ClickstreamEvent a4 = view(30, "a");
        ClickstreamEvent firstPricing = Events.page("c", Duration.ofMinutes(5), "pricing");
        ClickstreamEvent pricing = Events.page("c", Duration.ofMinutes(20), "pricing");
        // as they came, instants mixed: five held in state (at a checkpoint), then a1 and a3 in memory
        SequenceOrder state = SequenceOrdering.hold(null, inputs(firstPricing, b1, a2, a4, pricing));
        SequenceOrdering.Released atTen = ordering.release(state, inputs(a1), Events.millis(Duration.ofMinutes(10)));
        assertThat(atTen.events()).extracting(SequenceInput::getEvent)
                .as("the first pricing page; a first view: no step takes it yet").containsExactly(firstPricing);
        assertThat(atTen.state().getWaiting()).hasSize(4);

        SequenceOrdering.Released atTwenty = ordering.release(atTen.state(), inputs(a3), Events.millis(Duration.ofMinutes(20)));
        assertThat(atTwenty.events()).extracting(SequenceInput::getEvent)
                .as("the pricing page (the first step) and a's third view; b1 and a2 complete nothing")
                .containsExactly(pricing, a3);
        assertThat(atTwenty.events()).extracting(SequenceInput::getIndexAtInstant)
                .as("placed among b1, a2, pricing (held in state) and a3 (arrived after them)")
                .containsExactly(2, 3);
        assertThat(atTwenty.events().get(0).getRepeatStartTime()).as("the pricing page is not counted").isNull();
        SequenceInput third = atTwenty.events().get(1);
        assertThat(third.getRepeatStartTime()).as("a3's repetitions began at a1").isEqualTo(Events.millis(Duration.ofMinutes(10)));
        assertThat(third.getRepeatStartIndex()).isZero();

        SequenceOrdering.Released atThirty = ordering.release(atTwenty.state(), List.of(), Events.millis(Duration.ofMinutes(30)));
        SequenceInput fourth = atThirty.events().get(0);
        assertThat(fourth.getRepeatStartTime()).as("a4's began at a2").isEqualTo(Events.millis(Duration.ofMinutes(20)));
        assertThat(fourth.getRepeatStartIndex()).as("a2 was second at its instant").isEqualTo(1);
        assertThat(atThirty.state().getWaiting()).isEmpty();
        assertThat(atThirty.state().getCounted()).containsOnlyKeys("a", "b");
        assertThat(atThirty.state().getEarlierStepAt()).isEqualTo(Events.millis(Duration.ofMinutes(20)));
        assertThat(ordering.forgetAt(atThirty.state())).as("within after the last pricing page")
                .isEqualTo(Events.millis(Duration.ofMinutes(20).plus(WITHIN)));
    }

    @Test
    void repetitionsFurtherApartThanTheSequencesTimeAreNotMarkedAndCountedEventsAreForgottenWithinAfterTheEarlierStep() {
        SequenceOrdering ordering = SequenceOrdering.of(sequence(PRICING, THREE_SAME));
        ClickstreamEvent first = view(0, "a");
        ClickstreamEvent second = view(60, "a");
        ClickstreamEvent third = Events.click("c", WITHIN.plusMinutes(1), ClickType.PRODUCT_VIEW, Events.product("a", 900), 1);
        ClickstreamEvent pricing = Events.page("c", Duration.ZERO, "pricing");
        ClickstreamEvent pricingAgain = Events.page("c", Duration.ofMinutes(59), "pricing");
        SequenceOrder state = SequenceOrdering.hold(null, inputs(pricing, first, pricingAgain, second, third));
        SequenceOrdering.Released released = ordering.release(state, List.of(), Events.millis(WITHIN.plusMinutes(1)));
        assertThat(released.events()).extracting(SequenceInput::getEvent).as("the first is too long before the third: "
                + "nothing completes three; only the pricing pages").containsExactly(pricing, pricingAgain);
        assertThat(released.state().getCounted().get("a")).as("the second and third, as instant and index")
                .containsExactly(Events.millis(Duration.ofMinutes(60)), 0L, Events.millis(WITHIN.plusMinutes(1)), 0L);
        long forgetAt = ordering.forgetAt(released.state());
        assertThat(forgetAt).isEqualTo(Events.millis(Duration.ofMinutes(59).plus(WITHIN)));
        assertThat(ordering.release(released.state(), List.of(), forgetAt - 1).state()).as("a view could still follow the pricing page")
                .isNotNull();
        assertThat(ordering.release(released.state(), List.of(), forgetAt).state()).as("nothing left to keep").isNull();
    }

    @Test
    void onlyEventsTheRepeatedStepDescribesAreCounted() {
        SequenceOrdering ordering = SequenceOrdering.of(sequence(PRICING,
                new Step(EventType.PRODUCT_VIEW, null, null, null, null, 1000L, null, 2, true)));
        ClickstreamEvent cheap = Events.click("c", Duration.ofMinutes(1), ClickType.PRODUCT_VIEW, Events.product("a", 900), 1);
        ClickstreamEvent dear = Events.click("c", Duration.ofMinutes(2), ClickType.PRODUCT_VIEW, Events.product("a", 1200), 1);
        ClickstreamEvent dearAgain = Events.click("c", Duration.ofMinutes(3), ClickType.PRODUCT_VIEW, Events.product("a", 1200), 1);
        ClickstreamEvent pricing = Events.page("c", Duration.ZERO, "pricing");
        SequenceOrdering.Released released = ordering.release(null, inputs(pricing, cheap, dear, dearAgain),
                Events.millis(Duration.ofMinutes(3)));
        assertThat(released.events()).extracting(SequenceInput::getEvent).containsExactly(pricing, dearAgain);
        assertThat(released.events()).last().satisfies(second -> {
            assertThat(second.getEvent()).isEqualTo(dearAgain);
            assertThat(second.getRepeatStartTime()).as("the cheaper view is not counted").isEqualTo(Events.millis(Duration.ofMinutes(2)));
        });
    }

    @Test
    void onlyEventsWithinTheSequencesTimeAfterTheEarlierStepAreCountedAndACustomerWithoutItKeepsNothing() {
        SequenceOrdering ordering = SequenceOrdering.of(sequence(PRICING, THREE_SAME));
        SequenceOrdering.Released noPricing = ordering.release(null, inputs(view(0, "a"), view(1, "a"), view(2, "a")),
                Events.millis(Duration.ofMinutes(2)));
        assertThat(noPricing.events()).as("three views, no pricing page before them").isEmpty();
        assertThat(noPricing.state()).as("nothing kept").isNull();

        // pricing at 10; views of a at 5 (before it), 11, 12 and 13; the third after the pricing page is marked
        SequenceOrdering.Released afterPricing = ordering.release(null, inputs(view(5, "a"),
                Events.page("c", Duration.ofMinutes(10), "pricing"), view(11, "a"), view(12, "a"), view(13, "a")),
                Events.millis(Duration.ofMinutes(13)));
        assertThat(afterPricing.events()).extracting(SequenceInput::getRepeatStartTime).as("pricing, then view 13")
                .containsExactly(null, Events.millis(Duration.ofMinutes(11)));
        assertThat(afterPricing.state().getEarlierStepAt()).isEqualTo(Events.millis(Duration.ofMinutes(10)));

        // views beyond within after the pricing page are not counted; once no later one can be, nothing is kept
        long pastWithin = Events.millis(Duration.ofMinutes(10).plus(WITHIN)) + 1;
        ClickstreamEvent late = Events.click("c", Duration.ofMillis(pastWithin - Events.millis(Duration.ZERO)),
                ClickType.PRODUCT_VIEW, Events.product("b", 900), 1);
        SequenceOrdering.Released beyond = ordering.release(afterPricing.state(), inputs(late), pastWithin);
        assertThat(beyond.events()).isEmpty();
        assertThat(beyond.state()).as("b's view not counted; the pricing page too far back for a's to begin a match")
                .isNull();
        assertThat(ordering.forgetAt(afterPricing.state())).as("within after the pricing page, though a's views are later")
                .isEqualTo(Events.millis(Duration.ofMinutes(10).plus(WITHIN)));
    }

    @Test
    void afterARestoreFromAVersionThatCountedEveryEventEveryEventIsCountedUpToTheInstantGiven() {
        SequenceOrdering ordering = SequenceOrdering.of(sequence(PRICING, THREE_SAME));
        long upTo = Events.millis(Duration.ofMinutes(3));
        SequenceOrdering.Released atTwo = ordering.release(null, inputs(view(0, "a"), view(1, "a"), view(2, "a")),
                Events.millis(Duration.ofMinutes(2)), upTo);
        assertThat(atTwo.events()).extracting(SequenceInput::getRepeatStartTime)
                .as("the third view is marked: a pricing page before the restore may precede it")
                .containsExactly(Events.millis(Duration.ZERO));
        assertThat(atTwo.state().getCounted().get("a")).hasSize(4);
        assertThat(atTwo.state().getEarlierStepAt()).isZero();

        SequenceOrdering.Released atFour = ordering.release(atTwo.state(), inputs(view(3, "a"), view(4, "a")),
                Events.millis(Duration.ofMinutes(4)), upTo);
        assertThat(atFour.events()).extracting(SequenceInput::getRepeatStartTime).as("the view at 3 only")
                .containsExactly(Events.millis(Duration.ofMinutes(1)));
        assertThat(atFour.state()).as("past the instant given, with no pricing page: nothing can begin a match").isNull();
    }

    static List<SequenceInput> inputs(ClickstreamEvent... events) {
        return java.util.Arrays.stream(events).map(SequenceOrdering::input).toList();
    }

    static ClickstreamEvent view(int minute, String product) {
        return Events.click("c", Duration.ofMinutes(minute), ClickType.PRODUCT_VIEW, Events.product(product, 900), 1);
    }
}
