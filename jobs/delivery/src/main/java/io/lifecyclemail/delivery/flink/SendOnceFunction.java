package io.lifecyclemail.delivery.flink;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.common.tokens.TrackedLinks;
import io.lifecyclemail.delivery.Delivery;
import io.lifecyclemail.delivery.RetryPolicy;
import io.lifecyclemail.delivery.SendingSetup;
import io.lifecyclemail.delivery.mail.SendOutcome;
import io.lifecyclemail.delivery.mail.Templates;
import io.lifecyclemail.delivery.send.Dispatcher;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.state.AddressedCommand;
import io.lifecyclemail.state.DeliveryState;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by send id: sends each mail at most once per send id within the retention, however often the
 * command is replayed. The mail is handed to a {@link Dispatcher} (worker threads with their own SMTP
 * connections, rate limits per domain) and its outcome picked up on a timer, so this thread never
 * waits for a mail server; temporary failures are retried on timers with backoff.
 *
 * <p>The mail stays in keyed state until it has an outcome. After a restore from a checkpoint taken
 * while it was being sent, the dispatcher no longer knows it and it is sent again: the one window in
 * which a mail can go twice (accepted by the server, the job failed before the next checkpoint). Both
 * copies carry the same Message-ID. docs/delivery.md explains and measures it.
 */
public final class SendOnceFunction extends KeyedProcessFunction<String, AddressedCommand, DeliveryResult> {
    private static final long serialVersionUID = 1L;
    /** The first look for an outcome; the wait doubles with every look, up to {@link #MAX_POLL_MILLIS}. */
    static final long FIRST_POLL_MILLIS = 10;
    static final long MAX_POLL_MILLIS = 1_000;
    /** How long a mail whose domain queue is full waits before it is offered again (plus jitter). */
    static final long FULL_QUEUE_WAIT_MILLIS = 500;

    private final SendingSetup setup;

    private transient ValueState<DeliveryState> delivery;
    private transient Dispatcher<AddressedCommand, Delivery.Attempt> dispatcher;
    private transient Counter repeatsDropped;
    private transient Counter mailsAccepted;
    private transient Counter resentAfterRestore;

    public SendOnceFunction(SendingSetup setup) {
        this.setup = setup;
    }

    @Override
    public void open(OpenContext openContext) {
        delivery = getRuntimeContext().getState(new ValueStateDescriptor<>("delivery", new AvroBinaryTypeInfo<>(DeliveryState.class)));
        Templates templates = setup.templates();
        TrackedLinks links = setup.links();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        dispatcher = new Dispatcher<>(setup.connections(), () -> setup.worker(templates, links), Delivery::crashed,
                setup.limits().shareOf(parallelism), "smtp-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        repeatsDropped = getRuntimeContext().getMetricGroup().counter("repeatedSendIdsDropped");
        mailsAccepted = getRuntimeContext().getMetricGroup().counter("mailsAccepted");
        resentAfterRestore = getRuntimeContext().getMetricGroup().counter("mailsResentAfterRestore");
        getRuntimeContext().getMetricGroup().gauge("mailsInFlight", () -> dispatcher.backlog());
    }

    @Override
    public void processElement(AddressedCommand command, Context context, Collector<DeliveryResult> out) throws Exception {
        if (delivery.value() != null) {
            repeatsDropped.inc();
            return;
        }
        offer(command, 0, context.timerService().currentProcessingTime(), context);
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<DeliveryResult> out) throws Exception {
        DeliveryState state = delivery.value();
        if (state == null) {
            return;
        }
        if (state.getDone()) {
            if (time >= state.getForgetAt()) {
                delivery.clear();
            }
            return;
        }
        if (time < state.getNextAttemptAt()) {
            return; // an earlier timer of this send id; the state has moved on
        }
        AddressedCommand mail = state.getRetry();
        if (!state.getInFlight()) {
            offer(mail, state.getAttempts(), time, context);
            return;
        }
        String sendId = context.getCurrentKey();
        Optional<Delivery.Attempt> attempt = dispatcher.take(sendId);
        if (attempt.isPresent()) {
            finish(mail, state.getAttempts() + 1, attempt.get(), time, context, out);
        } else if (dispatcher.holds(sendId)) {
            int polls = state.getPolls() + 1;
            long next = time + Math.min(MAX_POLL_MILLIS, FIRST_POLL_MILLIS << Math.min(polls, 20));
            delivery.update(new DeliveryState(false, state.getAttempts(), mail, next, 0L, true, polls));
            context.timerService().registerProcessingTimeTimer(next);
        } else {
            // restored from a checkpoint taken while the mail was with the sender: it may or may not have gone
            resentAfterRestore.inc();
            offer(mail, state.getAttempts(), time, context);
        }
    }

    /** Hands the mail to the sender, or keeps it for later when its domain's queue is full. */
    private void offer(AddressedCommand mail, int attempts, long now, Context context) throws Exception {
        String sendId = mail.getCommand().getSendId();
        Dispatcher.Admission admission = dispatcher.submit(sendId, domainOf(mail.getContact().getEmail()), mail);
        long next = admission == Dispatcher.Admission.QUEUED
                ? now + Math.max(FIRST_POLL_MILLIS, Math.min(MAX_POLL_MILLIS, dispatcher.expectedWaitMillis()))
                : now + FULL_QUEUE_WAIT_MILLIS + ThreadLocalRandom.current().nextLong(FULL_QUEUE_WAIT_MILLIS);
        delivery.update(new DeliveryState(false, attempts, mail, next, 0L, admission == Dispatcher.Admission.QUEUED, 0));
        context.timerService().registerProcessingTimeTimer(next);
    }

    private void finish(AddressedCommand mail, int attempts, Delivery.Attempt attempt, long now, Context context,
                        Collector<DeliveryResult> out) throws Exception {
        SendOutcome outcome = attempt.outcome();
        RetryPolicy retries = setup.retries();
        if (outcome.kind() == SendOutcome.Kind.TEMPORARY_FAILURE && retries.mayRetry(attempts)) {
            long next = now + retries.backoffMillis(attempts, ThreadLocalRandom.current().nextDouble());
            delivery.update(new DeliveryState(false, attempts, mail, next, 0L, false, 0));
            context.timerService().registerProcessingTimeTimer(next);
            return;
        }
        DeliveryStatus status = switch (outcome.kind()) {
            case ACCEPTED -> DeliveryStatus.DELIVERED;
            case PERMANENT_FAILURE -> outcome.smtpCode() != null ? DeliveryStatus.BOUNCED : DeliveryStatus.FAILED;
            case TEMPORARY_FAILURE -> DeliveryStatus.FAILED;
        };
        if (status == DeliveryStatus.DELIVERED) {
            mailsAccepted.inc();
        }
        long forgetAt = now + setup.retention().toMillis();
        delivery.update(new DeliveryState(true, attempts, null, 0L, forgetAt, false, 0));
        context.timerService().registerProcessingTimeTimer(forgetAt);
        out.collect(Delivery.result(mail.getCommand(), status, attempts, outcome.smtpCode(),
                truncate(outcome.detail()), attempt.messageId(), attempt.locale(), Instant.ofEpochMilli(now)));
    }

    static String domainOf(String email) {
        int at = email == null ? -1 : email.lastIndexOf('@');
        return at < 0 ? "" : email.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    private static String truncate(String detail) {
        return detail == null || detail.length() <= 500 ? detail : detail.substring(0, 500);
    }

    @Override
    public void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }
}
