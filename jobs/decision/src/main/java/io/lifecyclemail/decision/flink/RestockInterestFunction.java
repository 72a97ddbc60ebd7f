package io.lifecyclemail.decision.flink;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.decision.restock.RestockInterest;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.state.ProductInterest;
import io.lifecyclemail.state.ProductSignal;
import io.lifecyclemail.state.ProductSignalKind;
import io.lifecyclemail.state.ProductSignals;
import io.lifecyclemail.state.ScenarioTrigger;
import io.lifecyclemail.state.StockOut;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.util.OutputTag;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Restock interest, keyed by product and bucket of customers. Signals wait until the watermark
 * passes their time, then are applied in order; a restock fans out to the bucket's interested
 * customers. Run by an {@link ArrivalsOperator}: signals wait in memory; only a checkpoint puts them in
 * state, stored by time with a timer per instant (so a timer reads only its own instant, however many
 * signals a hot product gets). Interest is kept in a map state per customer, so a view touches one entry; expired
 * interest is swept once a day in event time. The customers told of a restock are remembered for a
 * while: if the product runs out again meanwhile, each gets a {@link StockOut} (side output), so that a
 * restock mail still waiting in the governor goes stale. The rules are in {@link RestockInterest}.
 */
public final class RestockInterestFunction extends ArrivalsFunction<ProductSignal, ScenarioTrigger> {
    private static final long serialVersionUID = 1L;

    /** Customers told of a restock whose product is out of stock again. */
    public static final OutputTag<StockOut> STOCK_OUTS = new OutputTag<>("stock-outs", new AvroBinaryTypeInfo<>(StockOut.class));

    /** The state name of {@link #pending}. */
    static final String PENDING = "pending-signals";

    private final RestockInterest rules;

    private transient MapState<Long, ProductSignals> pending;
    private transient MapState<String, ProductInterest> interest;
    private transient ValueState<Integer> stockLevel;
    /** The event time of {@link #stockLevel}: a late stock change no later than it is stale (unset in older versions' state). */
    private transient ValueState<Long> stockLevelTime;
    private transient ValueState<Product> product;
    private transient ListState<String> notified;
    private transient ValueState<Long> notifiedUntil;
    private transient Counter restocks;
    private transient Counter notices;
    private transient Counter lateSignals;
    private transient Counter staleStockChanges;
    /** Keys with signals in {@link #pending} (put there at a checkpoint): only these need it read. */
    private transient Set<String> keysWithPending;

    public RestockInterestFunction(RestockInterest rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>(PENDING, Types.LONG,
                new AvroBinaryTypeInfo<>(ProductSignals.class)));
        interest = getRuntimeContext().getMapState(new MapStateDescriptor<>("interest", Types.STRING,
                new AvroBinaryTypeInfo<>(ProductInterest.class)));
        stockLevel = getRuntimeContext().getState(new ValueStateDescriptor<>("stock-level", Types.INT));
        stockLevelTime = getRuntimeContext().getState(new ValueStateDescriptor<>("stock-level-time", Types.LONG));
        product = getRuntimeContext().getState(new ValueStateDescriptor<>("product", new AvroBinaryTypeInfo<>(Product.class)));
        notified = getRuntimeContext().getListState(new ListStateDescriptor<>("notified-customers", Types.STRING));
        notifiedUntil = getRuntimeContext().getState(new ValueStateDescriptor<>("notified-until", Types.LONG));
        restocks = getRuntimeContext().getMetricGroup().counter("restocks");
        notices = getRuntimeContext().getMetricGroup().counter("restockNotices");
        lateSignals = getRuntimeContext().getMetricGroup().counter("lateSignals");
        staleStockChanges = getRuntimeContext().getMetricGroup().counter("staleStockChanges");
        keysWithPending = new HashSet<>();
    }

    @Override
    public void processElement(ProductSignal signal, Context context, Collector<ScenarioTrigger> out) throws Exception {
        long time = signal.getEventTime();
        if (time <= context.timerService().currentWatermark()) {
            // interest is a fact with a time: applying it late is right; a late stock change newer than the
            // level known compares with it, an older one (or a copy) is stale
            lateSignals.inc();
            if (signal.getKind() == ProductSignalKind.STOCK
                    && RestockInterest.isStaleWhenLate(stockLevelTime.value(), time)) {
                staleStockChanges.inc();
                return;
            }
            apply(signal, context, out);
            return;
        }
        arrive(context, time, signal);
    }

    @Override
    long timeOf(ProductSignal signal) {
        return signal.getEventTime();
    }

    @Override
    long outputTime(ScenarioTrigger trigger, long firstArrived) {
        return trigger.getEventTime();
    }

    /** With the key's signals in state up to the watermark (their timers then find nothing), in order. */
    @Override
    void handleArrived(List<ProductSignal> arrived, long watermark, Context context, Collector<ScenarioTrigger> out)
            throws Exception {
        List<ProductSignal> signals = new ArrayList<>(arrived);
        String key = context.getCurrentKey();
        if (keysWithPending.contains(key)) {
            boolean left = false;
            Iterator<Map.Entry<Long, ProductSignals>> entries = pending.iterator();
            while (entries.hasNext()) {
                Map.Entry<Long, ProductSignals> entry = entries.next();
                if (entry.getKey() <= watermark) {
                    signals.addAll(entry.getValue().getSignals());
                    entries.remove();
                } else {
                    left = true;
                }
            }
            if (!left) {
                pending.clear(); // removing the last entry through the iterator leaves an empty map behind on heap state
                keysWithPending.remove(key);
            }
        }
        applyInOrder(signals, context, out);
    }

    /** Sorts {@code signals} (a list of the caller's) in {@link RestockInterest#ORDER} and applies them. */
    private void applyInOrder(List<ProductSignal> signals, Context context, Collector<ScenarioTrigger> out)
            throws Exception {
        signals.sort(RestockInterest.ORDER);
        for (ProductSignal signal : signals) {
            apply(signal, context, out);
        }
    }

    @Override
    void holdArrived(List<ProductSignal> arrived, Context context) throws Exception {
        keysWithPending.add(context.getCurrentKey());
        for (ProductSignal signal : arrived) {
            long time = signal.getEventTime();
            ProductSignals atTime = pending.get(time);
            if (atTime == null) {
                atTime = new ProductSignals(new ArrayList<>());
                context.timerService().registerEventTimeTimer(time);
            }
            atTime.getSignals().add(signal);
            pending.put(time, atTime);
        }
    }

    @Override
    List<String> statesToVisitAtStart() {
        return List.of(PENDING);
    }

    @Override
    void visitAtStart(String key) {
        keysWithPending.add(key);
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<ScenarioTrigger> out) throws Exception {
        ProductSignals atTime = pending.get(time);
        if (atTime != null) {
            pending.remove(time);
            applyInOrder(new ArrayList<>(atTime.getSignals()), context, out);
        }
        if (RestockInterest.isSweepTime(time)) {
            sweep(time, context);
        }
        Long until = notifiedUntil.value();
        if (until != null && until <= time) {
            forgetNotified();
        }
    }

    /**
     * Whether customers told of the last restock are still within the horizon at {@code time}: the
     * timer that forgets them may not have fired yet, as signals that waited in memory are applied
     * before the timers at the same watermark.
     */
    private boolean stillNotified(long time) throws Exception {
        Long until = notifiedUntil.value();
        return until != null && until > time;
    }

    private void forgetNotified() {
        notified.clear();
        notifiedUntil.clear();
    }

    private void apply(ProductSignal signal, Context context, Collector<ScenarioTrigger> out) throws Exception {
        if (signal.getProduct() != null) {
            Product known = product.value();
            Product next = RestockInterest.knownProduct(known, signal);
            if (next != known) {
                product.update(next);
            }
        }
        if (signal.getKind() == ProductSignalKind.STOCK) {
            Integer previous = stockLevel.value();
            stockLevel.update(signal.getStockLevel());
            stockLevelTime.update(signal.getEventTime());
            if (RestockInterest.isRestock(previous, signal.getStockLevel())) {
                restocks.inc();
                forgetNotified();
                List<String> told = fanOut(signal, out);
                if (!told.isEmpty()) {
                    notified.update(told);
                    long until = signal.getEventTime() + rules.staleHorizonMillis();
                    notifiedUntil.update(until);
                    context.timerService().registerEventTimeTimer(until);
                }
            } else if (signal.getStockLevel() == 0 && stillNotified(signal.getEventTime())) {
                for (String customer : notified.get()) {
                    context.output(STOCK_OUTS, new StockOut(customer, signal.getProductId(), signal.getEventId(),
                            signal.getEventTime()));
                }
                forgetNotified();
            }
            return;
        }
        String customer = signal.getCustomerId();
        ProductInterest before = interest.get(customer);
        ProductInterest after = rules.apply(before, signal);
        if (after == null) {
            if (before != null) {
                interest.remove(customer);
            }
            return;
        }
        interest.put(customer, after);
        context.timerService().registerEventTimeTimer(rules.sweepAfter(signal.getEventTime()));
    }

    /** Tells every interested customer; returns who was told. */
    private List<String> fanOut(ProductSignal stock, Collector<ScenarioTrigger> out) throws Exception {
        List<String> told = new ArrayList<>();
        Product shown = product.value();
        Iterator<Map.Entry<String, ProductInterest>> entries = interest.iterator();
        boolean left = false;
        while (entries.hasNext()) {
            Map.Entry<String, ProductInterest> entry = entries.next();
            List<ScenarioTrigger> triggers = rules.onRestock(entry.getKey(), entry.getValue(), stock, shown);
            if (triggers.isEmpty()) {
                left = true;
                continue;
            }
            for (ScenarioTrigger trigger : triggers) {
                notices.inc();
                out.collect(trigger);
            }
            told.add(entry.getKey());
            ProductInterest kept = rules.afterNotice(entry.getValue());
            if (kept == null) {
                entries.remove();
            } else {
                entry.setValue(kept);
                left = true;
            }
        }
        if (!left) {
            interest.clear(); // removing the last entry through the iterator leaves an empty map behind on heap state
        }
        return told;
    }

    /** Forgets interest no look-back reaches any more; keeps a daily sweep while any is left. */
    private void sweep(long time, Context context) throws Exception {
        Iterator<Map.Entry<String, ProductInterest>> entries = interest.iterator();
        boolean left = false;
        while (entries.hasNext()) {
            if (rules.expired(entries.next().getValue(), time)) {
                entries.remove();
            } else {
                left = true;
            }
        }
        if (left) {
            context.timerService().registerEventTimeTimer(time + java.time.Duration.ofDays(1).toMillis());
        } else {
            interest.clear();
        }
    }
}
