package io.lifecyclemail.decision.flink;

import java.util.List;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A keyed function run by {@link ArrivalsOperator}: inputs ahead of the watermark wait in memory
 * ({@link #arrive}) and reach the function, per key, once the watermark has reached them
 * ({@link #handleArrived}) or a checkpoint comes ({@link #holdArrived}: then they go to state, with a
 * timer, as if they had never waited in memory).
 */
public abstract class ArrivalsFunction<IN, OUT> extends KeyedProcessFunction<String, IN, OUT> {
    private static final long serialVersionUID = 1L;

    private transient Arrivals<IN> arrivals;

    /** Where inputs that arrive ahead of the watermark wait, not yet in state: the operator's. */
    final void waitIn(Arrivals<IN> arrivals) {
        this.arrivals = arrivals;
    }

    /** Lets an input of the current key wait in memory until the watermark reaches {@code time}. */
    protected final void arrive(Context context, long time, IN input) {
        if (arrivals == null) {
            throw new IllegalStateException(getClass().getSimpleName()
                    + "'s inputs wait for the watermark in an ArrivalsOperator: run the function with it");
        }
        arrivals.add(context.getCurrentKey(), time, input);
    }

    /** The event time of an input (what it waits for). */
    abstract long timeOf(IN input);

    /**
     * The event time an output emitted by {@link #handleArrived} is stamped with; by default that of the
     * key's first arrived input, as a timer there would have stamped it.
     */
    long outputTime(OUT output, long firstArrived) {
        return firstArrived;
    }

    /**
     * The current key's inputs that arrived ahead of the watermark, which has now reached them, before
     * any timer at this watermark fires.
     *
     * @param arrived in event-time order (arrival order within an instant), none after {@code watermark}
     */
    abstract void handleArrived(List<IN> arrived, long watermark, Context context, Collector<OUT> out) throws Exception;

    /** Puts the current key's arrived inputs into state, with a timer, so that a checkpoint holds them. */
    abstract void holdArrived(List<IN> arrived, Context context) throws Exception;

    /** The states whose keys are visited once at start ({@link #visitAtStart}): none by default. */
    List<String> statesToVisitAtStart() {
        return List.of();
    }

    /** Called once at start, as the current key, for each key with an entry in {@link #statesToVisitAtStart}. */
    void visitAtStart(String key) throws Exception {
    }
}
