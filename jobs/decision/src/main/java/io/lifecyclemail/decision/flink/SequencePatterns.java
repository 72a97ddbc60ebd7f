package io.lifecyclemail.decision.flink;

import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.decision.sequence.SequenceOrdering;
import io.lifecyclemail.decision.sequence.SequenceSteps;
import io.lifecyclemail.decision.sequence.SequenceWait;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.ScenarioTrigger;
import io.lifecyclemail.state.SequenceInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.util.Collector;

/**
 * Compiles a Sequence scenario's positive steps to a Flink CEP pattern: each step a
 * {@code followedBy} (other events may come between), {@code times} as a loop (with
 * {@code sameProduct}, started by any matching event and continued by the next ones about its product), the whole
 * {@code within} the time of the first event. After a match the next one starts after its last
 * event, so one burst of clicks is one match: CEP's skip strategy sees to it, or, where matches may
 * overlap ({@link SequenceScenario#matchesMayOverlap}), the customer-keyed stage. The "then not" part is
 * not in the pattern: the customer-keyed stage decides it on timers ({@link SequenceWait}).
 *
 * <p>A last step repeated about one product ({@link SequenceOrdering#markedStep}) is, when its events
 * come ordered and marked by {@link SequenceOrderFunction}, one event instead of a loop: one whose
 * repetitions began after the previous step's last event. The loop would hold one partial match per
 * event that may begin the repetitions; this holds one per start of the pattern.
 */
public final class SequencePatterns {
    private SequencePatterns() {}

    /** Items a match lists at most. */
    static final int MAX_ITEMS = 10;

    /**
     * The pattern over events as they come; with {@code marked}, over events ordered and marked by
     * {@link SequenceOrderFunction}, its marked step (if it has one) as one event.
     */
    public static Pattern<SequenceInput, SequenceInput> compile(SequenceScenario scenario, boolean marked) {
        AfterMatchSkipStrategy afterMatch = scenario.matchesMayOverlap() ? AfterMatchSkipStrategy.noSkip()
                : AfterMatchSkipStrategy.skipPastLastEvent();
        OptionalInt markedStep = marked ? SequenceOrdering.markedStep(scenario) : OptionalInt.empty();
        Pattern<SequenceInput, SequenceInput> pattern = null;
        List<SequenceScenario.Step> steps = scenario.steps();
        for (int i = 0; i < steps.size(); i++) {
            SequenceScenario.Step step = steps.get(i);
            String name = "step-" + (i + 1);
            if (markedStep.isPresent() && markedStep.getAsInt() == i) {
                pattern = pattern.followedBy(name).where(new RepeatsAfter("step-" + i));
                continue;
            }
            // With sameProduct the first repetition must not be fixed to the first matching event (one p1
            // view, then three of p2 is a match): every matching event may start the step. The repetitions
            // then take the next events about that product (the loop's default), not every combination of
            // them: a match exists with a combination exactly when it exists with the next events, and is
            // complete no later, while combinations grow exponentially with times.
            boolean anyStart = step.sameProduct() && step.times() > 1;
            pattern = i == 0 ? Pattern.<SequenceInput>begin(name, afterMatch)
                    : anyStart ? pattern.followedByAny(name) : pattern.followedBy(name);
            pattern = pattern.where(new StepCondition(step, name));
            if (step.times() > 1) {
                pattern = pattern.times(step.times());
            }
        }
        return pattern.within(scenario.within());
    }

    /** One step's conditions; with {@code sameProduct}, every repetition is about the first one's product. */
    static final class StepCondition extends IterativeCondition<SequenceInput> {
        private static final long serialVersionUID = 1L;
        private final SequenceScenario.Step step;
        private final String name;

        StepCondition(SequenceScenario.Step step, String name) {
            this.step = step;
            this.name = name;
        }

        @Override
        public boolean filter(SequenceInput input, Context<SequenceInput> context) throws Exception {
            if (!SequenceSteps.matches(step, input.getEvent())) {
                return false;
            }
            if (!step.sameProduct()) {
                return true;
            }
            for (SequenceInput earlier : context.getEventsForPattern(name)) {
                return sameProduct(earlier.getEvent(), input.getEvent());
            }
            return true;
        }

        private static boolean sameProduct(Object first, Object next) {
            for (Product a : SequenceSteps.productsOf(first)) {
                for (Product b : SequenceSteps.productsOf(next)) {
                    if (a.getProductId().equals(b.getProductId())) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /**
     * The marked step: an event whose repetitions (the event {@code times - 1} earlier about its
     * product that the step counts) began after the last event of the previous step. Only events the
     * step counts carry the mark.
     */
    static final class RepeatsAfter extends IterativeCondition<SequenceInput> {
        private static final long serialVersionUID = 1L;
        private final String previous;

        RepeatsAfter(String previous) {
            this.previous = previous;
        }

        @Override
        public boolean filter(SequenceInput input, Context<SequenceInput> context) throws Exception {
            if (input.getRepeatStartTime() == null) {
                return false;
            }
            SequenceInput last = null;
            for (SequenceInput earlier : context.getEventsForPattern(previous)) {
                last = earlier;
            }
            return last != null && SequenceOrdering.after(input.getRepeatStartTime(), input.getRepeatStartIndex(),
                    SequenceOrdering.timeOf(last), last.getIndexAtInstant());
        }
    }

    /** Turns a match into the trigger the customer-keyed stage decides. */
    public static final class ToTrigger extends PatternProcessFunction<SequenceInput, ScenarioTrigger> {
        private static final long serialVersionUID = 1L;
        private final SequenceScenario scenario;
        private final int notListed;

        /** With {@code marked} as given to {@link #compile}. */
        public ToTrigger(SequenceScenario scenario, boolean marked) {
            this.scenario = scenario;
            OptionalInt markedStep = marked ? SequenceOrdering.markedStep(scenario) : OptionalInt.empty();
            // the marked step's match is its last event: the earlier repetitions are about the same product
            this.notListed = markedStep.isPresent() ? scenario.steps().get(markedStep.getAsInt()).times() - 1 : 0;
        }

        @Override
        public void processMatch(Map<String, List<SequenceInput>> match, Context context, Collector<ScenarioTrigger> out) {
            List<Object> events = new ArrayList<>();
            String customer = null;
            for (int i = 1; i <= scenario.steps().size(); i++) {
                for (SequenceInput input : match.getOrDefault("step-" + i, List.of())) {
                    events.add(input.getEvent());
                    customer = SequenceOrdering.customerOf(input);
                }
            }
            out.collect(SequenceWait.trigger(scenario, customer, events, events.size() + notListed, MAX_ITEMS));
        }
    }

    /**
     * Counts the events that came too late for a Sequence's pattern (metric {@code sequenceLateEvents},
     * accumulator {@code sequence-late-<id>}); emits nothing.
     */
    public static final class CountLate extends org.apache.flink.api.common.functions.RichFlatMapFunction<SequenceInput, ScenarioTrigger> {
        private static final long serialVersionUID = 1L;
        private final String scenarioId;
        private transient org.apache.flink.metrics.Counter lateEvents;
        private transient org.apache.flink.api.common.accumulators.LongCounter total;

        public CountLate(String scenarioId) {
            this.scenarioId = scenarioId;
        }

        public static String accumulator(String scenarioId) {
            return "sequence-late-" + scenarioId;
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
            lateEvents = getRuntimeContext().getMetricGroup().counter("sequenceLateEvents");
            total = new org.apache.flink.api.common.accumulators.LongCounter();
            getRuntimeContext().addAccumulator(accumulator(scenarioId), total);
        }

        @Override
        public void flatMap(SequenceInput input, Collector<ScenarioTrigger> out) {
            lateEvents.inc();
            total.add(1);
        }
    }
}
