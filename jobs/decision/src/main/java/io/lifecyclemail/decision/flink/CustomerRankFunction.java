package io.lifecyclemail.decision.flink;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.decision.rfm.RfmRanking;
import io.lifecyclemail.decision.rfm.RfmSettings;
import io.lifecyclemail.schema.RfmRecord;
import io.lifecyclemail.schema.RfmSummary;
import io.lifecyclemail.state.RankStanding;
import io.lifecyclemail.state.RankedCustomer;
import io.lifecyclemail.state.RfmChange;
import io.lifecyclemail.state.ScenarioTrigger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Scores and ranks customers against the population summaries, in event time: a customer's change
 * waits for the watermark and is scored against the summary in force at its time; at every summary
 * time each ranked customer is scored again as of that time (recency grows, boundaries move). So the
 * rank a change is measured from is the same however the two inputs interleave. Writes the rfm
 * topic's record, and tells the customer stage the new standing and any rank change a RankChange
 * scenario waits for. The rules are in {@link RfmRanking}.
 */
public final class CustomerRankFunction
        extends KeyedBroadcastProcessFunction<String, RfmChange, RfmSummary, RfmRecord> {
    private static final long serialVersionUID = 1L;

    /** Summaries by as-of time (epoch ms), the older ones dropped once no timer can need them. */
    public static final MapStateDescriptor<Long, RfmSummary> SUMMARIES = new MapStateDescriptor<>("rfm-summaries",
            Types.LONG, new AvroBinaryTypeInfo<>(RfmSummary.class));
    public static final OutputTag<RankStanding> STANDINGS =
            new OutputTag<>("rank-standings", new AvroBinaryTypeInfo<>(RankStanding.class));
    public static final OutputTag<ScenarioTrigger> RANK_TRIGGERS =
            new OutputTag<>("rank-triggers", new AvroBinaryTypeInfo<>(ScenarioTrigger.class));

    private final RfmRanking ranking;
    private final RfmSettings settings;
    private final long endOfInputCutoff;
    private transient ValueState<RankedCustomer> ranked;
    private transient ListState<RfmChange> pending;

    /** @param endOfInputCutoff when a bounded input ends, re-rank only up to this time (epoch ms) */
    public CustomerRankFunction(RfmRanking ranking, RfmSettings settings, long endOfInputCutoff) {
        this.ranking = ranking;
        this.settings = settings;
        this.endOfInputCutoff = endOfInputCutoff;
    }

    @Override
    public void open(OpenContext openContext) {
        ranked = getRuntimeContext().getState(
                new ValueStateDescriptor<>("ranked-customer", new AvroBinaryTypeInfo<>(RankedCustomer.class)));
        pending = getRuntimeContext().getListState(
                new ListStateDescriptor<>("pending-rfm-changes", new AvroBinaryTypeInfo<>(RfmChange.class)));
    }

    @Override
    public void processElement(RfmChange change, ReadOnlyContext context, Collector<RfmRecord> out) throws Exception {
        pending.add(change);
        context.timerService().registerEventTimeTimer(change.getTime());
    }

    /**
     * Keeps the summary; forgets those older than the latest one at or before the watermark (every
     * timer up to the watermark has fired, and later ones look for the latest summary at their time).
     */
    @Override
    public void processBroadcastElement(RfmSummary summary, Context context, Collector<RfmRecord> out) throws Exception {
        BroadcastState<Long, RfmSummary> summaries = context.getBroadcastState(SUMMARIES);
        summaries.put(summary.getAsOf().toEpochMilli(), summary);
        long watermark = context.currentWatermark();
        long inForce = Long.MIN_VALUE;
        for (Map.Entry<Long, RfmSummary> entry : summaries.entries()) {
            if (entry.getKey() <= watermark) {
                inForce = Math.max(inForce, entry.getKey());
            }
        }
        List<Long> old = new ArrayList<>();
        for (Map.Entry<Long, RfmSummary> entry : summaries.entries()) {
            if (entry.getKey() < inForce) {
                old.add(entry.getKey());
            }
        }
        for (Long time : old) {
            summaries.remove(time);
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<RfmRecord> out) throws Exception {
        ReadOnlyBroadcastState<Long, RfmSummary> summaries = context.getBroadcastState(SUMMARIES);
        RankedCustomer customer = ranked.value();
        // a summary time: score again as of it, before the changes at that instant (the summary counts
        // changes before it); the population sends a summary before the watermark passes it, so it is here
        RfmSummary summary = summaries.get(time);
        if (summary != null && customer != null) {
            RfmRanking.Update update = ranking.onSummary(context.getCurrentKey(), customer, summary);
            store(update);
            emit(update, out, context::output);
        }
        List<RfmChange> due = new ArrayList<>();
        List<RfmChange> waiting = new ArrayList<>();
        for (RfmChange change : pending.get()) {
            (change.getTime() <= time ? due : waiting).add(change);
        }
        if (!due.isEmpty()) {
            if (waiting.isEmpty()) {
                pending.clear();
            } else {
                pending.update(waiting);
            }
            due.sort(Comparator.comparingLong(RfmChange::getTime));
            RfmSummary inForce = latestAtOrBefore(summaries, time);
            for (RfmChange change : due) {
                RfmRanking.Update update = ranking.onChange(ranked.value(), change, inForce);
                store(update);
                emit(update, out, context::output);
            }
        }
        if (ranked.value() != null) {
            long next = settings.nextSummaryAfter(time);
            boolean endOfInput = context.timerService().currentWatermark() == Long.MAX_VALUE;
            // at the end of a bounded input every timer fires at once: stop at the cutoff, or there is no end
            if (!endOfInput || next <= endOfInputCutoff) {
                context.timerService().registerEventTimeTimer(next);
            }
        }
    }

    private static RfmSummary latestAtOrBefore(ReadOnlyBroadcastState<Long, RfmSummary> summaries, long time)
            throws Exception {
        RfmSummary latest = null;
        for (Map.Entry<Long, RfmSummary> entry : summaries.immutableEntries()) {
            if (entry.getKey() <= time && (latest == null || entry.getKey() > latest.getAsOf().toEpochMilli())) {
                latest = entry.getValue();
            }
        }
        return latest;
    }

    private void store(RfmRanking.Update update) throws Exception {
        if (update.after() == null) {
            ranked.clear();
        } else if (update.changed()) {
            ranked.update(update.after());
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
