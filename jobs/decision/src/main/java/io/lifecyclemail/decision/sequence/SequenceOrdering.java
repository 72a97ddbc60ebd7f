package io.lifecyclemail.decision.sequence;

import io.lifecyclemail.decision.scenario.SequenceScenario;
import io.lifecyclemail.decision.scenario.SequenceScenario.Step;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.SequenceInput;
import io.lifecyclemail.state.SequenceOrder;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Takes one customer's events for a Sequence in the order its CEP pattern does (by instant, those of
 * one instant in the order they came) and marks, on each event the repeated last step counts, where
 * the repetitions that end at it began, free of Flink.
 *
 * <p>Why: a last step such as "the same product 3 times" is, as a CEP loop, one partial match per
 * matching event since the previous step (any of them may be the first of the three), and CEP's work
 * per event grows with the square of them. With the mark the step is one event: "an event whose
 * repetitions began after the previous step", and a customer has one partial match per start of the
 * pattern. The repetitions ending at event e began at the {@code times - 1}-th earlier event about
 * e's product, because a loop started at an event takes the next events about its product.
 *
 * <p>Only events the step before the repeated one took within {@code within} before are counted: a
 * match's repetitions all follow that step's event, within {@code within} of the match's first event,
 * so an event without one can be none of them. Most customers never take the earlier step (a pricing
 * page), and keep nothing here. Where a match exists, its repetitions all pass this test, so the
 * mark, and what CEP matches, is what counting every event gives.
 */
public final class SequenceOrdering implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Step repeated;
    private final List<Step> earlierSteps;
    /** The step just before {@link #repeated}: only after its event can repetitions begin a match. */
    private final Step stepBefore;
    private final long withinMillis;

    private SequenceOrdering(Step repeated, List<Step> earlierSteps, long withinMillis) {
        this.repeated = repeated;
        this.earlierSteps = List.copyOf(earlierSteps);
        this.stepBefore = earlierSteps.get(earlierSteps.size() - 1);
        this.withinMillis = withinMillis;
    }

    /**
     * The step that is marked rather than looped: the last one, when it repeats about one product
     * ({@code sameProduct}, {@code times} above 1), is about clicks (one product each; an order's lines
     * are several), follows another step and no other step repeats about one product. Other patterns
     * keep CEP's loop: the mark would not describe them exactly.
     */
    public static OptionalInt markedStep(SequenceScenario scenario) {
        List<Step> steps = scenario.steps();
        int last = steps.size() - 1;
        for (int i = 0; i < last; i++) {
            if (repeatsAboutOneProduct(steps.get(i))) {
                return OptionalInt.empty();
            }
        }
        Step step = steps.get(last);
        return last > 0 && repeatsAboutOneProduct(step) && !step.event().isOrder() ? OptionalInt.of(last)
                : OptionalInt.empty();
    }

    private static boolean repeatsAboutOneProduct(Step step) {
        return step.sameProduct() && step.times() > 1;
    }

    /** The ordering of a scenario that has a marked step. */
    public static SequenceOrdering of(SequenceScenario scenario) {
        int step = markedStep(scenario).orElseThrow(() -> new IllegalArgumentException(
                "sequence " + scenario.id() + " has no step to mark"));
        return new SequenceOrdering(scenario.steps().get(step), scenario.steps().subList(0, step),
                scenario.within().toMillis());
    }

    /** The pattern's time: how far apart a match's first and last events may be (ms). */
    public long withinMillis() {
        return withinMillis;
    }

    /** An event as the pattern reads it, not yet placed. */
    public static SequenceInput input(Object event) {
        return new SequenceInput(event, 0, null, 0);
    }

    public static String customerOf(SequenceInput input) {
        return SequenceSteps.customerOf(input.getEvent());
    }

    public static long timeOf(SequenceInput input) {
        return SequenceSteps.timeOf(input.getEvent());
    }

    /** The state with more events waiting for the watermark (a new value: state is not changed in place). */
    public static SequenceOrder hold(SequenceOrder state, List<SequenceInput> inputs) {
        if (state == null) {
            return new SequenceOrder(List.copyOf(inputs), Map.of(), 0L, 0L);
        }
        List<SequenceInput> waiting = new ArrayList<>(state.getWaiting().size() + inputs.size());
        waiting.addAll(state.getWaiting());
        waiting.addAll(inputs);
        return new SequenceOrder(waiting, state.getCounted(), state.getForgetAt(), state.getEarlierStepAt());
    }

    /** What {@link #release} hands on, and the state to keep ({@code null}: nothing left). */
    public record Released(List<SequenceInput> events, SequenceOrder state) {}

    /**
     * The waiting events of instants up to {@code time}, placed and marked, in the pattern's order,
     * without those no step of the pattern can take (an event only the marked step describes, with no
     * mark: too few repetitions yet); the counted events no match ending at {@code time} or later can
     * use are forgotten.
     *
     * @param state null: nothing waiting or counted
     * @param arrived events that waited elsewhere (in memory), all up to {@code time}, which came after
     *     those waiting in {@code state}
     */
    public Released release(SequenceOrder state, List<SequenceInput> arrived, long time) {
        return release(state, arrived, time, Long.MIN_VALUE);
    }

    /**
     * As {@link #release(SequenceOrder, List, long)}, counting every event the repeated step takes up to
     * {@code countEveryEventUpTo}, whether the step before it took one or not: after a restore from a
     * version that kept no record of that step, any customer may have taken it.
     */
    public Released release(SequenceOrder state, List<SequenceInput> arrived, long time, long countEveryEventUpTo) {
        List<SequenceInput> due = new ArrayList<>();
        List<SequenceInput> stillWaiting = new ArrayList<>();
        if (state != null) {
            for (SequenceInput input : state.getWaiting()) {
                (timeOf(input) <= time ? due : stillWaiting).add(input);
            }
        }
        due.addAll(arrived);
        due.sort(java.util.Comparator.comparingLong(SequenceOrdering::timeOf)); // stable: one instant keeps its order
        Map<String, List<Long>> counted = state == null ? new HashMap<>() : new HashMap<>(state.getCounted());
        long earlierStepAt = state == null ? 0 : state.getEarlierStepAt();
        long instant = Long.MIN_VALUE;
        int index = 0;
        List<SequenceInput> placed = new ArrayList<>(due.size());
        for (SequenceInput input : due) {
            long at = timeOf(input);
            index = at == instant ? index + 1 : 0;
            instant = at;
            SequenceInput event = new SequenceInput(input.getEvent(), index, null, 0);
            if (SequenceSteps.matches(repeated, event.getEvent())
                    && (at <= countEveryEventUpTo || (earlierStepAt != 0 && at - earlierStepAt <= withinMillis))) {
                count(counted, event, at - withinMillis);
            }
            // after the test above: the repetitions of a match follow the earlier step's event
            if (SequenceSteps.matches(stepBefore, event.getEvent())) {
                earlierStepAt = at;
            }
            // CEP skips events no step takes (every step follows "followedBy"): they need not reach it
            if (event.getRepeatStartTime() != null || SequenceSteps.matchesAny(earlierSteps, event.getEvent())) {
                placed.add(event);
            }
        }
        // later events come after the watermark, so after time. Once the earlier step's event is more than
        // within before it, no later event is counted, and what was counted cannot begin a match either:
        // its repetitions would follow that event (or an earlier one) by more than within
        if (earlierStepAt + withinMillis <= time) {
            earlierStepAt = 0;
            if (time >= countEveryEventUpTo) {
                counted.clear();
            }
        }
        counted.values().removeIf(pairs -> pairs.get(pairs.size() - 2) < time - withinMillis);
        if (stillWaiting.isEmpty() && counted.isEmpty() && earlierStepAt == 0) {
            return new Released(placed, null);
        }
        return new Released(placed, new SequenceOrder(stillWaiting, counted, state == null ? 0L : state.getForgetAt(),
                earlierStepAt));
    }

    /**
     * Marks the event with the start of the repetitions ending at it and counts it. Entries before
     * {@code notBefore} are dropped: a match holds its events within {@code within} of its first.
     */
    private void count(Map<String, List<Long>> counted, SequenceInput input, long notBefore) {
        List<Product> products = SequenceSteps.productsOf(input.getEvent());
        if (products.isEmpty()) {
            return; // about no product: never repeated "about the same product"
        }
        String product = products.get(0).getProductId();
        List<Long> earlier = counted.get(product);
        List<Long> kept = new ArrayList<>(2 * repeated.times());
        if (earlier != null) {
            for (int i = 0; i < earlier.size(); i += 2) {
                if (earlier.get(i) >= notBefore) {
                    kept.add(earlier.get(i));
                    kept.add(earlier.get(i + 1));
                }
            }
        }
        int pairs = repeated.times() - 1;
        if (kept.size() == 2 * pairs) {
            input.setRepeatStartTime(kept.get(0));
            input.setRepeatStartIndex(kept.get(1).intValue());
            kept.subList(0, 2).clear();
        }
        kept.add(timeOf(input));
        kept.add((long) input.getIndexAtInstant());
        counted.put(product, kept);
    }

    /**
     * When {@code state} is of no more use unless new events come: once the earlier step's event is
     * {@code within} old; without one (counted after a restore from an older version), after every
     * entry's time by {@code within} (0: now).
     */
    public long forgetAt(SequenceOrder state) {
        if (state.getEarlierStepAt() != 0) {
            return state.getEarlierStepAt() + withinMillis;
        }
        long latest = Long.MIN_VALUE;
        for (List<Long> pairs : state.getCounted().values()) {
            latest = Math.max(latest, pairs.get(pairs.size() - 2));
        }
        return latest == Long.MIN_VALUE ? 0 : latest + withinMillis + 1;
    }

    /** Whether the (instant, index) place {@code a} comes after {@code b}. */
    public static boolean after(long aTime, int aIndex, long bTime, int bIndex) {
        return aTime > bTime || (aTime == bTime && aIndex > bIndex);
    }
}
