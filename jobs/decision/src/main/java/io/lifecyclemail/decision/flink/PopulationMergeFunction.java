package io.lifecyclemail.decision.flink;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.decision.rfm.RfmPopulation;
import io.lifecyclemail.decision.rfm.RfmSettings;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.PopulationCounts;
import io.lifecyclemail.state.PopulationShard;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Adds up the shards' counts for each summary time and, once the watermark has passed it (every
 * shard has reported: a shard sends before it forwards the watermark), summarises the population.
 * Runs on one key: the counts are small (days, purchase counts, log buckets), not one per customer.
 */
public final class PopulationMergeFunction extends KeyedProcessFunction<String, PopulationShard, RfmSummary> {
    private static final long serialVersionUID = 1L;

    private final RfmSettings settings;
    private transient MapState<Long, PopulationCounts> merged;

    public PopulationMergeFunction(RfmSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        merged = getRuntimeContext().getMapState(new MapStateDescriptor<>("merged-counts", Types.LONG,
                new AvroBinaryTypeInfo<>(PopulationCounts.class)));
    }

    @Override
    public void processElement(PopulationShard shard, Context context, Collector<RfmSummary> out) throws Exception {
        PopulationCounts sum = merged.get(shard.getAsOf());
        if (sum == null) {
            sum = RfmPopulation.empty();
            context.timerService().registerEventTimeTimer(shard.getAsOf());
        }
        RfmPopulation.merge(sum, shard.getCounts());
        merged.put(shard.getAsOf(), sum);
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<RfmSummary> out) throws Exception {
        PopulationCounts sum = merged.get(time);
        if (sum != null) {
            merged.remove(time);
            out.collect(RfmPopulation.summary(sum, time, settings));
        }
    }
}
