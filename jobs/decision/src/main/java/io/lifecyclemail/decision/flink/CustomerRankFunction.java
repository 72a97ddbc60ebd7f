package io.lifecyclemail.decision.flink;

import io.lifecyclemail.decision.rfm.CustomerRanks.Rank;
import io.lifecyclemail.decision.rfm.RfmRanking;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.RankReport;
import io.lifecyclemail.state.RankStanding;
import io.lifecyclemail.state.RankedCustomer;
import io.lifecyclemail.state.RfmChange;
import io.lifecyclemail.state.ScenarioTrigger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Scores and ranks customers against the latest population summary: a customer whose RFM changed
 * at once, and every customer again when a new summary arrives (recency grows with time, boundaries
 * move). Writes the rfm topic's record, and tells the customer stage the new standing and any rank
 * change a RankChange scenario waits for. The rules are in {@link RfmRanking}.
 */
public final class CustomerRankFunction
        extends KeyedBroadcastProcessFunction<String, RfmChange, RfmSummary, RfmRecord> {
    private static final long serialVersionUID = 1L;

    public static final MapStateDescriptor<String, RfmSummary> SUMMARY = new MapStateDescriptor<>("rfm-summary",
            Types.STRING, new AvroTypeInfo<>(RfmSummary.class));
    private static final String LATEST = "latest";
    public static final OutputTag<RankStanding> STANDINGS =
            new OutputTag<>("rank-standings", new AvroTypeInfo<>(RankStanding.class));
    public static final OutputTag<ScenarioTrigger> RANK_TRIGGERS =
            new OutputTag<>("rank-triggers", new AvroTypeInfo<>(ScenarioTrigger.class));
    public static final OutputTag<RankReport> REPORTS =
            new OutputTag<>("rank-reports", new AvroTypeInfo<>(RankReport.class));
    private static final ValueStateDescriptor<RankedCustomer> RANKED =
            new ValueStateDescriptor<>("ranked-customer", new AvroTypeInfo<>(RankedCustomer.class));

    private final RfmRanking ranking;
    private transient ValueState<RankedCustomer> ranked;

    public CustomerRankFunction(RfmRanking ranking) {
        this.ranking = ranking;
    }

    @Override
    public void open(OpenContext openContext) {
        ranked = getRuntimeContext().getState(RANKED);
    }

    @Override
    public void processElement(RfmChange change, ReadOnlyContext context, Collector<RfmRecord> out) throws Exception {
        RfmSummary summary = context.getBroadcastState(SUMMARY).get(LATEST);
        RfmRanking.Update update = ranking.onChange(ranked.value(), change, summary);
        store(ranked, update);
        emit(update, out, context::output);
    }

    @Override
    public void processBroadcastElement(RfmSummary summary, Context context, Collector<RfmRecord> out) throws Exception {
        BroadcastState<String, RfmSummary> latest = context.getBroadcastState(SUMMARY);
        RfmSummary before = latest.get(LATEST);
        if (before != null && before.getAsOf().isAfter(summary.getAsOf())) {
            return; // an older summary after a newer one (cannot happen in order; kept safe)
        }
        latest.put(LATEST, summary);
        RfmRanking.Tally tally = new RfmRanking.Tally();
        context.applyToKeyedState(RANKED, (customer, state) -> {
            RfmRanking.Update update = ranking.onSummary(customer, state.value(), summary);
            store(state, update);
            emit(update, out, context::output);
            tally.add(update.after());
        });
        context.output(REPORTS, tally.report(summary.getAsOf().toEpochMilli(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks()));
    }

    private static void store(ValueState<RankedCustomer> state, RfmRanking.Update update) throws Exception {
        if (update.after() == null) {
            state.clear();
        } else if (update.changed()) {
            state.update(update.after());
        }
    }

    private interface SideOutput {
        <T> void output(OutputTag<T> tag, T value);
    }

    private static void emit(RfmRanking.Update update, Collector<RfmRecord> out, SideOutput side) {
        if (update.record() != null) {
            out.collect(update.record());
        }
        if (update.standing() != null) {
            side.output(STANDINGS, update.standing());
        }
        update.triggers().forEach(trigger -> side.output(RANK_TRIGGERS, trigger));
    }
}
