package io.lifecyclemail.decision.flink;

import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.decision.sequence.SequenceSteps;
import io.lifecyclemail.decision.sequence.SequenceWait;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.ScenarioTrigger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 */
public final class SequencePatterns {
    private SequencePatterns() {}

    /** Items a match lists at most. */
    static final int MAX_ITEMS = 10;

    public static Pattern<CustomerInput, CustomerInput> compile(SequenceScenario scenario) {
        AfterMatchSkipStrategy afterMatch = scenario.matchesMayOverlap() ? AfterMatchSkipStrategy.noSkip()
                : AfterMatchSkipStrategy.skipPastLastEvent();
        Pattern<CustomerInput, CustomerInput> pattern = null;
        List<SequenceScenario.Step> steps = scenario.steps();
        for (int i = 0; i < steps.size(); i++) {
            SequenceScenario.Step step = steps.get(i);
            String name = "step-" + (i + 1);
            // With sameProduct the first repetition must not be fixed to the first matching event (one p1
            // view, then three of p2 is a match): every matching event may start the step. The repetitions
            // then take the next events about that product (the loop's default), not every combination of
            // them: a match exists with a combination exactly when it exists with the next events, and is
            // complete no later, while combinations grow exponentially with times.
            boolean anyStart = step.sameProduct() && step.times() > 1;
            pattern = i == 0 ? Pattern.<CustomerInput>begin(name, afterMatch)
                    : anyStart ? pattern.followedByAny(name) : pattern.followedBy(name);
            pattern = pattern.where(new StepCondition(step, name));
            if (step.times() > 1) {
                pattern = pattern.times(step.times());
            }
        }
        return pattern.within(scenario.within());
    }

    /** One step's conditions; with {@code sameProduct}, every repetition is about the first one's product. */
    static final class StepCondition extends IterativeCondition<CustomerInput> {
        private static final long serialVersionUID = 1L;
        private final SequenceScenario.Step step;
        private final String name;

        StepCondition(SequenceScenario.Step step, String name) {
            this.step = step;
            this.name = name;
        }

        @Override
        public boolean filter(CustomerInput input, Context<CustomerInput> context) throws Exception {
            if (!SequenceSteps.matches(step, input.getEvent())) {
                return false;
            }
            if (!step.sameProduct()) {
                return true;
            }
            for (CustomerInput earlier : context.getEventsForPattern(name)) {
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

    /** Turns a match into the trigger the customer-keyed stage decides. */
    public static final class ToTrigger extends PatternProcessFunction<CustomerInput, ScenarioTrigger> {
        private static final long serialVersionUID = 1L;
        private final SequenceScenario scenario;

        public ToTrigger(SequenceScenario scenario) {
            this.scenario = scenario;
        }

        @Override
        public void processMatch(Map<String, List<CustomerInput>> match, Context context, Collector<ScenarioTrigger> out) {
            List<Object> events = new ArrayList<>();
            String customer = null;
            for (int i = 1; i <= scenario.steps().size(); i++) {
                for (CustomerInput input : match.getOrDefault("step-" + i, List.of())) {
                    events.add(input.getEvent());
                    customer = io.lifecyclemail.decision.CustomerInputs.customerId(input);
                }
            }
            out.collect(SequenceWait.trigger(scenario, customer, events, MAX_ITEMS));
        }
    }

    /**
     * Counts the events that came too late for a Sequence's pattern (metric {@code sequenceLateEvents},
     * accumulator {@code sequence-late-<id>}); emits nothing.
     */
    public static final class CountLate extends org.apache.flink.api.common.functions.RichFlatMapFunction<CustomerInput, ScenarioTrigger> {
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
        public void flatMap(CustomerInput input, Collector<ScenarioTrigger> out) {
            lateEvents.inc();
            total.add(1);
        }
    }
}
