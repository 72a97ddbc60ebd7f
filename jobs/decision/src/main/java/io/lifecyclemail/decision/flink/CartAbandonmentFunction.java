package io.lifecyclemail.decision.flink;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.cart.CartAbandonment;
import io.lifecyclemail.decision.cart.Reminder;
import io.lifecyclemail.decision.cart.ReminderDecision;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.CartState;
import io.lifecyclemail.state.CustomerInput;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per customer: holds inputs until event time (the watermark of every input) reaches them, applies
 * them in event-time order to the cart, and decides each reminder once the watermark has passed its
 * deadline, so no purchase or cart change at or before the deadline can still arrive. Emits a decision
 * for every reminder and a send command for those that may be sent. The rules are in
 * {@link CartAbandonment}; this class only loads and stores state and sets timers.
 */
public final class CartAbandonmentFunction extends KeyedProcessFunction<String, CustomerInput, Decision> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<SendCommand> SEND_COMMANDS =
            new OutputTag<>("send-commands", new AvroTypeInfo<>(SendCommand.class));

    private final CartAbandonment rules;

    private transient ValueState<CartState> cart;
    private transient ValueState<Boolean> marketingConsent;
    private transient ListState<CustomerInput> pending;
    private transient Counter lateEvents;
    private transient Counter reminders;
    private transient Counter duplicateEvents;

    public CartAbandonmentFunction(CartAbandonment rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        cart = getRuntimeContext().getState(new ValueStateDescriptor<>("cart", new AvroTypeInfo<>(CartState.class)));
        marketingConsent = getRuntimeContext().getState(new ValueStateDescriptor<>("marketing-consent", Types.BOOLEAN));
        pending = getRuntimeContext().getListState(
                new ListStateDescriptor<>("pending-inputs", new AvroTypeInfo<>(CustomerInput.class)));
        lateEvents = getRuntimeContext().getMetricGroup().counter("lateEvents");
        reminders = getRuntimeContext().getMetricGroup().counter("cartReminders");
        duplicateEvents = getRuntimeContext().getMetricGroup().counter("duplicateEvents");
    }

    @Override
    public void processElement(CustomerInput input, Context context, Collector<Decision> out) throws Exception {
        long time = CustomerInputs.eventTime(input);
        if (time <= context.timerService().currentWatermark()) {
            // Late: apply now rather than lose it; a deadline it sets that is already past fires at the next watermark.
            lateEvents.inc();
            apply(input, context);
            return;
        }
        pending.add(input);
        context.timerService().registerEventTimeTimer(time);
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<Decision> out) throws Exception {
        List<CustomerInput> reached = new ArrayList<>();
        List<CustomerInput> waiting = new ArrayList<>();
        for (CustomerInput input : pending.get()) {
            (CustomerInputs.eventTime(input) <= time ? reached : waiting).add(input);
        }
        if (!reached.isEmpty()) {
            reached.sort(CustomerInputs.EVENT_TIME_ORDER);
            pending.update(waiting);
            String previousId = null;
            for (CustomerInput input : reached) {
                // a producer retry writes the same event twice; sorted, the copies are neighbours
                String id = CustomerInputs.eventId(input);
                if (id.equals(previousId)) {
                    duplicateEvents.inc();
                    continue;
                }
                previousId = id;
                apply(input, context);
            }
        }
        CartState current = cart.value();
        if (current == null) {
            return;
        }
        List<Reminder> due = rules.due(context.getCurrentKey(), current, time);
        boolean consent = Boolean.TRUE.equals(marketingConsent.value());
        for (Reminder reminder : due) {
            ReminderDecision.Outcome outcome = ReminderDecision.decide(reminder, consent);
            reminders.inc();
            out.collect(outcome.decision());
            if (outcome.command() != null) {
                context.output(SEND_COMMANDS, outcome.command());
            }
        }
        CartState after = rules.expire(current, time);
        store(after, context);
    }

    private void apply(CustomerInput input, Context context) throws Exception {
        Object event = input.getEvent();
        if (event instanceof CustomerProfile profile) {
            boolean consent = profile.getMarketingConsent() && !profile.getErased();
            if (consent) {
                marketingConsent.update(true);
            } else {
                marketingConsent.clear();
            }
            return;
        }
        CartState before = cart.value();
        OptionalLong wakeUpBefore = rules.nextWakeUp(before);
        CartState after = event instanceof ClickstreamEvent click ? rules.apply(before, click)
                : rules.apply(before, (OrderEvent) event);
        if (after != before) {
            if (wakeUpBefore.isPresent()) {
                deleteTimerUnlessPending(wakeUpBefore.getAsLong(), context);
            }
            store(after, context);
        }
    }

    /** Stores the cart and sets the timer for its next wake-up; an absent cart leaves no state behind. */
    private void store(CartState after, Context context) throws Exception {
        if (after == null) {
            cart.clear();
            return;
        }
        cart.update(after);
        rules.nextWakeUp(after).ifPresent(context.timerService()::registerEventTimeTimer);
    }

    /** A timer at the same instant as a pending input also releases that input, so it must stay. */
    private void deleteTimerUnlessPending(long time, Context context) throws Exception {
        for (CustomerInput input : pending.get()) {
            if (CustomerInputs.eventTime(input) == time) {
                return;
            }
        }
        context.timerService().deleteEventTimeTimer(time);
    }
}
