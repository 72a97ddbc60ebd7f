package io.lifecyclemail.decision.flink;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.SimpleTimerService;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Runs an {@link ArrivalsFunction}, whose inputs wait in memory ({@link Arrivals}) until the
 * watermark reaches them: no state is read or written and no timer set per input on the way in. When
 * the watermark moves, each key with inputs it reached is handled first, then the timers it passed
 * fire, then it goes on: what is emitted is never behind it. Before a checkpoint, or when more than
 * {@link #DEFAULT_ARRIVALS_IN_MEMORY} inputs wait, the waiting inputs go into state with a timer each,
 * as if they had never waited in memory, so checkpoints and savepoints keep their shape.
 */
public class ArrivalsOperator<IN, OUT> extends KeyedProcessOperator<String, IN, OUT> {
    private static final long serialVersionUID = 1L;
    /** Per parallel instance: inputs of a few hundred bytes each, so tens of MB at most. */
    public static final int DEFAULT_ARRIVALS_IN_MEMORY = 50_000;

    private final int arrivalsInMemory;
    private transient ArrivalsFunction<IN, OUT> function;
    private transient Arrivals<IN> arrivals;
    private transient ArrivalsContext context;
    private transient StampingCollector collector;

    public ArrivalsOperator(ArrivalsFunction<IN, OUT> function) {
        this(function, DEFAULT_ARRIVALS_IN_MEMORY);
    }

    /** @param arrivalsInMemory how many inputs may wait in memory before they go to state */
    public ArrivalsOperator(ArrivalsFunction<IN, OUT> function, int arrivalsInMemory) {
        super(function);
        this.arrivalsInMemory = arrivalsInMemory;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        super.open(); // the function registers its states
        function = (ArrivalsFunction<IN, OUT>) userFunction;
        arrivals = new Arrivals<>();
        function.waitIn(arrivals);
        collector = new StampingCollector();
        context = new ArrivalsContext(function, new SimpleTimerService(
                getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this)));
        Set<String> keys = new LinkedHashSet<>(); // read before any is changed
        for (String state : function.statesToVisitAtStart()) {
            try (Stream<String> stateKeys = this.<String>getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
                stateKeys.forEach(keys::add);
            }
        }
        for (String key : keys) {
            setCurrentKey(key);
            function.visitAtStart(key);
        }
    }

    @Override
    public void processElement(StreamRecord<IN> element) throws Exception {
        super.processElement(element);
        if (arrivals.size() > arrivalsInMemory) {
            holdArrivalsInState();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long watermark = mark.getTimestamp();
        for (Map.Entry<String, List<IN>> key : arrivals.takeUpTo(watermark).entrySet()) {
            setCurrentKey(key.getKey());
            context.at(function.timeOf(key.getValue().get(0)));
            function.handleArrived(key.getValue(), watermark, context, collector);
        }
        super.processWatermark(mark); // timers, then the watermark goes on
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        holdArrivalsInState();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    private void holdArrivalsInState() throws Exception {
        for (Map.Entry<String, List<IN>> key : arrivals.takeUpTo(Long.MAX_VALUE).entrySet()) {
            setCurrentKey(key.getKey());
            context.at(function.timeOf(key.getValue().get(0)));
            function.holdArrived(key.getValue(), context);
        }
    }

    /** Emits what the function makes of arrived inputs, each stamped as the function says. */
    private final class StampingCollector implements Collector<OUT> {
        private final StreamRecord<OUT> reuse = new StreamRecord<>(null);

        @Override
        public void collect(OUT value) {
            output.collect(reuse.replace(value, function.outputTime(value, context.timestamp())));
        }

        @Override
        public void close() {
            output.close();
        }
    }

    /** The function's context while the operator hands it inputs outside an element or a timer. */
    private final class ArrivalsContext extends KeyedProcessFunction<String, IN, OUT>.Context {
        private final TimerService timers;
        private long timestamp;

        ArrivalsContext(ArrivalsFunction<IN, OUT> function, TimerService timers) {
            function.super();
            this.timers = timers;
        }

        void at(long time) {
            timestamp = time;
        }

        @Override
        public Long timestamp() {
            return timestamp;
        }

        @Override
        public TimerService timerService() {
            return timers;
        }

        @Override
        public <X> void output(OutputTag<X> outputTag, X value) {
            output.collect(outputTag, new StreamRecord<>(value, timestamp));
        }

        @Override
        @SuppressWarnings("unchecked")
        public String getCurrentKey() {
            return (String) ArrivalsOperator.this.getCurrentKey();
        }
    }
}
