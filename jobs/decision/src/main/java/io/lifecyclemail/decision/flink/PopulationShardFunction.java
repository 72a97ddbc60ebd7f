package io.lifecyclemail.decision.flink;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.decision.rfm.RfmPopulation;
import io.lifecyclemail.decision.rfm.RfmSettings;
import io.lifecyclemail.state.PopulationCounts;
import io.lifecyclemail.state.PopulationShard;
import io.lifecyclemail.state.RfmChange;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One shard of the buyers: collects its customers' RFM changes (an append per change, cheap on
 * RocksDB) and at every summary time folds those before it into the shard's counts and sends them on
 * to be merged. A shard with buyers reports at every summary time, so the merged counts are whole.
 */
public final class PopulationShardFunction extends KeyedProcessFunction<Integer, RfmChange, PopulationShard> {
    private static final long serialVersionUID = 1L;

    private final RfmSettings settings;
    private final long endOfInputCutoff;
    private transient ListState<RfmChange> changes;
    private transient ValueState<PopulationCounts> counts;

    /** @param endOfInputCutoff when a bounded input ends, summarise only up to this time (epoch ms) */
    public PopulationShardFunction(RfmSettings settings, long endOfInputCutoff) {
        this.settings = settings;
        this.endOfInputCutoff = endOfInputCutoff;
    }

    @Override
    public void open(OpenContext openContext) {
        changes = getRuntimeContext().getListState(
                new ListStateDescriptor<>("rfm-changes", new AvroBinaryTypeInfo<>(RfmChange.class)));
        counts = getRuntimeContext().getState(
                new ValueStateDescriptor<>("population-counts", new AvroBinaryTypeInfo<>(PopulationCounts.class)));
    }

    @Override
    public void processElement(RfmChange change, Context context, Collector<PopulationShard> out) throws Exception {
        changes.add(change);
        context.timerService().registerEventTimeTimer(settings.nextSummaryAfter(change.getTime()));
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<PopulationShard> out) throws Exception {
        PopulationCounts folded = counts.value();
        if (folded == null) {
            folded = RfmPopulation.empty();
        }
        List<RfmChange> later = new ArrayList<>();
        List<RfmChange> before = new ArrayList<>();
        for (RfmChange change : changes.get()) {
            (change.getTime() < time ? before : later).add(change);
        }
        if (!before.isEmpty()) {
            // in event-time order: a customer's later change takes back what the earlier one added
            before.sort(java.util.Comparator.comparingLong(RfmChange::getTime));
            for (RfmChange change : before) {
                RfmPopulation.apply(folded, change, settings);
            }
            changes.update(later);
        }
        boolean empty = folded.getFrequencies().isEmpty() && folded.getReached().isEmpty() && folded.getGaps().isEmpty();
        if (empty) {
            counts.clear();
        } else {
            counts.update(folded);
        }
        out.collect(new PopulationShard(time, context.getCurrentKey(), folded));
        long next = time + settings.interval().toMillis();
        boolean endOfInput = context.timerService().currentWatermark() == Long.MAX_VALUE;
        // at the end of a bounded input every timer fires at once: stop at the cutoff, or there is no end
        if ((!empty || !later.isEmpty()) && (!endOfInput || next <= endOfInputCutoff)) {
            context.timerService().registerEventTimeTimer(next);
        }
    }
}
