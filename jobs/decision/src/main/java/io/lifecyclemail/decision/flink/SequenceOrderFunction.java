package io.lifecyclemail.decision.flink;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.decision.sequence.SequenceOrdering;
import io.lifecyclemail.state.SequenceInput;
import io.lifecyclemail.state.SequenceOrder;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Releases a customer's events for a Sequence when the watermark passes their instant, in the order
 * its CEP pattern takes them, placed and marked by {@link SequenceOrdering}, each stamped with its own
 * time. Run by an {@link ArrivalsOperator}: events wait in memory, and go to state with a timer per
 * instant only before a checkpoint. Events at or behind the watermark go to {@code late}, as CEP sends
 * them: no match could use them. One timer to forget what was counted once no match can use it.
 *
 * <p>Only a customer who took the step before the repeated one within the pattern's time keeps
 * anything ({@link SequenceOrdering}). Versions before kept no record of that step: restored from
 * their savepoint (told by an operator state they did not write), the stage counts every customer's
 * events for the pattern's time after its first release, as they did, so that no match whose earlier
 * step came before the restore is missed.
 */
public final class SequenceOrderFunction extends ArrivalsFunction<SequenceInput, SequenceInput>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    /** Operator state: written by every version that records the earlier step, so a restore tells an older one. */
    static final String EARLIER_STEP_RECORDED = "sequence-earlier-step-recorded";
    private final SequenceOrdering ordering;
    private final OutputTag<SequenceInput> late;
    private transient ValueState<SequenceOrder> order;
    private transient ListState<Boolean> earlierStepRecorded;
    /** Restored from a version that did not record the earlier step: count every event for a while. */
    private transient boolean restoredWithoutEarlierStep;
    /** Up to when every event is counted (set at the first release after such a restore). */
    private transient long countEveryEventUpTo = Long.MIN_VALUE;

    public SequenceOrderFunction(SequenceOrdering ordering, OutputTag<SequenceInput> late) {
        this.ordering = ordering;
        this.late = late;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // union: each instance reads every instance's entry, so a rescaled restore still finds one
        earlierStepRecorded = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(EARLIER_STEP_RECORDED, Types.BOOLEAN));
        restoredWithoutEarlierStep = context.isRestored() && !earlierStepRecorded.get().iterator().hasNext();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        earlierStepRecorded.update(List.of(true));
    }

    @Override
    public void open(OpenContext openContext) {
        order = getRuntimeContext().getState(new ValueStateDescriptor<>("sequence-order",
                new AvroBinaryTypeInfo<>(SequenceOrder.class)));
    }

    @Override
    public void processElement(SequenceInput input, Context ctx, Collector<SequenceInput> out) throws Exception {
        long time = timeOf(input);
        if (time <= ctx.timerService().currentWatermark()) {
            ctx.output(late, input);
            return;
        }
        arrive(ctx, time, input);
    }

    @Override
    long timeOf(SequenceInput input) {
        return SequenceOrdering.timeOf(input);
    }

    /** CEP reads an event's time from its record: each is stamped with its own. */
    @Override
    long outputTime(SequenceInput output, long firstArrived) {
        return timeOf(output);
    }

    @Override
    void handleArrived(List<SequenceInput> arrived, long watermark, Context ctx, Collector<SequenceInput> out)
            throws Exception {
        releaseUpTo(watermark, arrived, ctx.timerService(), out);
    }

    @Override
    void holdArrived(List<SequenceInput> arrived, Context ctx) throws Exception {
        order.update(SequenceOrdering.hold(order.value(), arrived));
        for (SequenceInput input : arrived) {
            ctx.timerService().registerEventTimeTimer(timeOf(input));
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<SequenceInput> out) throws Exception {
        releaseUpTo(time, List.of(), ctx.timerService(), out);
    }

    private void releaseUpTo(long time, List<SequenceInput> arrived, TimerService timers, Collector<SequenceInput> out)
            throws Exception {
        SequenceOrder held = order.value();
        if (held == null && arrived.isEmpty()) {
            return; // a timer of state already cleared
        }
        if (restoredWithoutEarlierStep && countEveryEventUpTo == Long.MIN_VALUE) {
            countEveryEventUpTo = time + ordering.withinMillis(); // after every earlier step the older version saw
        }
        SequenceOrdering.Released released = ordering.release(held, arrived, time, countEveryEventUpTo);
        released.events().forEach(out::collect);
        SequenceOrder kept = released.state();
        if (kept == null) {
            if (held != null) {
                order.clear();
            }
            return;
        }
        // one forget timer at a time: when it fires early (more was counted since), it sets the next
        long standing = held == null ? 0 : held.getForgetAt();
        long forgetAt = standing > time ? standing : ordering.forgetAt(kept);
        if (forgetAt != standing && forgetAt != 0) {
            timers.registerEventTimeTimer(forgetAt);
        }
        kept.setForgetAt(forgetAt);
        order.update(kept);
    }
}
