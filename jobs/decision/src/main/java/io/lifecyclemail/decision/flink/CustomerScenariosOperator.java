package io.lifecyclemail.decision.flink;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.state.CustomerInput;
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
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Runs a {@link CustomerScenariosFunction}, whose inputs wait in memory ({@link Arrivals}) until the
 * watermark reaches them. When the watermark moves, each customer with inputs it reached is handled
 * first, then the timers it passed fire, then it goes on: what is emitted is never behind it. Before
 * a checkpoint, or when more than {@link #DEFAULT_ARRIVALS_IN_MEMORY} inputs wait, the waiting inputs
 * go into the customers' agendas in state, with a timer each, as if they had never waited in memory.
 *
 * <p>Once at start, it also has the function take waiting inputs of the restored state that its
 * customers' agendas do not list yet (as versions before the agenda kept them) into the agendas. Only
 * the keys with inputs in the map by instant or the older list are visited: customers with more waiting
 * inputs than an agenda holds, and after an upgrade those with inputs ahead of the watermark.
 */
public final class CustomerScenariosOperator extends KeyedProcessOperator<String, CustomerInput, Decision> {
    private static final long serialVersionUID = 1L;
    /** Per parallel instance: inputs of a few hundred bytes each, so tens of MB at most. */
    public static final int DEFAULT_ARRIVALS_IN_MEMORY = 50_000;

    private final int arrivalsInMemory;
    private transient CustomerScenariosFunction function;
    private transient Arrivals arrivals;
    private transient ArrivalsContext context;
    private transient TimestampedCollector<Decision> collector;

    public CustomerScenariosOperator(CustomerScenariosFunction function) {
        this(function, DEFAULT_ARRIVALS_IN_MEMORY);
    }

    /** @param arrivalsInMemory how many inputs may wait in memory before they go to state */
    public CustomerScenariosOperator(CustomerScenariosFunction function, int arrivalsInMemory) {
        super(function);
        this.arrivalsInMemory = arrivalsInMemory;
    }

    @Override
    public void open() throws Exception {
        super.open(); // the function registers its states
        function = (CustomerScenariosFunction) userFunction;
        arrivals = new Arrivals();
        function.waitIn(arrivals);
        collector = new TimestampedCollector<>(output);
        context = new ArrivalsContext(function, new SimpleTimerService(
                getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this)));
        Set<String> keys = new LinkedHashSet<>(); // read before any is changed
        for (String state : new String[] {CustomerScenariosFunction.PENDING_AS_LIST,
                CustomerScenariosFunction.PENDING_BY_INSTANT}) {
            try (Stream<String> stateKeys = this.<String>getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
                stateKeys.forEach(keys::add);
            }
        }
        for (String key : keys) {
            setCurrentKey(key);
            function.adoptWaitingInputs();
        }
    }

    @Override
    public void processElement(StreamRecord<CustomerInput> element) throws Exception {
        super.processElement(element);
        if (arrivals.size() > arrivalsInMemory) {
            holdArrivalsInState();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long watermark = mark.getTimestamp();
        for (Map.Entry<String, List<CustomerInput>> customer : arrivals.takeUpTo(watermark).entrySet()) {
            setCurrentKey(customer.getKey());
            // stamped like a timer at the customer's earliest input would have been
            context.at(CustomerInputs.eventTime(customer.getValue().get(0)));
            collector.setAbsoluteTimestamp(context.timestamp());
            function.handleArrived(customer.getValue(), watermark, context, collector);
        }
        super.processWatermark(mark); // timers, then the watermark goes on
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        holdArrivalsInState();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    private void holdArrivalsInState() throws Exception {
        for (Map.Entry<String, List<CustomerInput>> customer : arrivals.takeUpTo(Long.MAX_VALUE).entrySet()) {
            setCurrentKey(customer.getKey());
            context.at(CustomerInputs.eventTime(customer.getValue().get(0)));
            function.holdArrived(customer.getValue(), context);
        }
    }

    /** The function's context while the operator hands it inputs outside an element or a timer. */
    private final class ArrivalsContext extends KeyedProcessFunction<String, CustomerInput, Decision>.Context {
        private final TimerService timers;
        private long timestamp;

        ArrivalsContext(CustomerScenariosFunction function, TimerService timers) {
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
        public String getCurrentKey() {
            return (String) CustomerScenariosOperator.this.getCurrentKey();
        }
    }
}
