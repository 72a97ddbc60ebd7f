package io.lifecyclemail.decision.flink;

import io.lifecyclemail.decision.sequence.SequenceOrdering;
import io.lifecyclemail.state.SequenceInput;
import io.lifecyclemail.state.SequenceOrder;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Releases a customer's events for a Sequence when the watermark passes their instant, in the order
 * its CEP pattern takes them, placed and marked by {@link SequenceOrdering}. Events at or behind the
 * watermark go to {@code late}, as CEP sends them: no match could use them. One timer per instant
 * waiting, and one to forget what was counted once no match can use it.
 */
public final class SequenceOrderFunction extends KeyedProcessFunction<String, SequenceInput, SequenceInput> {
    private static final long serialVersionUID = 1L;
    private final SequenceOrdering ordering;
    private final OutputTag<SequenceInput> late;
    private transient ValueState<SequenceOrder> order;

    public SequenceOrderFunction(SequenceOrdering ordering, OutputTag<SequenceInput> late) {
        this.ordering = ordering;
        this.late = late;
    }

    @Override
    public void open(OpenContext openContext) {
        order = getRuntimeContext().getState(new ValueStateDescriptor<>("sequence-order",
                new AvroTypeInfo<>(SequenceOrder.class)));
    }

    @Override
    public void processElement(SequenceInput input, Context ctx, Collector<SequenceInput> out) throws Exception {
        long time = SequenceOrdering.timeOf(input);
        if (time <= ctx.timerService().currentWatermark()) {
            ctx.output(late, input);
            return;
        }
        order.update(SequenceOrdering.hold(order.value(), input));
        ctx.timerService().registerEventTimeTimer(time);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<SequenceInput> out) throws Exception {
        SequenceOrder held = order.value();
        if (held == null) {
            return; // a forget timer of state already cleared
        }
        SequenceOrdering.Released released = ordering.release(held, time);
        released.events().forEach(out::collect);
        SequenceOrder kept = released.state();
        if (kept == null) {
            order.clear();
            return;
        }
        // one forget timer at a time: when it fires early (more was counted since), it sets the next
        long forgetAt = held.getForgetAt() > time ? held.getForgetAt() : ordering.forgetAt(kept);
        if (forgetAt != held.getForgetAt() && forgetAt != 0) {
            ctx.timerService().registerEventTimeTimer(forgetAt);
        }
        kept.setForgetAt(forgetAt);
        order.update(kept);
    }
}
