package io.lifecyclemail.decision.flink;

import io.lifecyclemail.decision.rfm.RfmRanking;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.RankReport;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Completes a population summary with the rank sizes once every instance of the rank stage has
 * re-ranked its customers with it (each reports once per summary, and says how many instances there are).
 */
public final class RfmSummaryFunction extends KeyedCoProcessFunction<Long, RfmSummary, RankReport, RfmSummary> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<RfmSummary> summary;
    private transient ListState<RankReport> reports;

    @Override
    public void open(OpenContext openContext) {
        summary = getRuntimeContext().getState(new ValueStateDescriptor<>("summary", new AvroTypeInfo<>(RfmSummary.class)));
        reports = getRuntimeContext().getListState(
                new ListStateDescriptor<>("rank-reports", new AvroTypeInfo<>(RankReport.class)));
    }

    @Override
    public void processElement1(RfmSummary population, Context context, Collector<RfmSummary> out) throws Exception {
        summary.update(population);
        completeIfReported(out);
    }

    @Override
    public void processElement2(RankReport report, Context context, Collector<RfmSummary> out) throws Exception {
        reports.add(report);
        completeIfReported(out);
    }

    private void completeIfReported(Collector<RfmSummary> out) throws Exception {
        RfmSummary population = summary.value();
        List<RankReport> all = new ArrayList<>();
        reports.get().forEach(all::add);
        if (population == null || all.isEmpty() || all.size() < all.get(0).getSubtasks()) {
            return;
        }
        population.setRanks(RfmRanking.rankSizes(all));
        out.collect(population);
        summary.clear();
        reports.clear();
    }
}
