package io.lifecyclemail.delivery.flink;

import io.lifecyclemail.delivery.Delivery;
import io.lifecyclemail.delivery.RetryPolicy;
import io.lifecyclemail.delivery.mail.SendOutcome;
import io.lifecyclemail.delivery.mail.ShopIdentity;
import io.lifecyclemail.delivery.mail.SmtpMailer;
import io.lifecyclemail.delivery.mail.SmtpSettings;
import io.lifecyclemail.delivery.mail.Templates;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.state.AddressedCommand;
import io.lifecyclemail.state.DeliveryState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by send id: sends each mail at most once per send id within the retention, however often
 * the command is replayed, and retries temporary failures on timers (never by sleeping). The
 * de-duplication record is in checkpointed state; the one window where a mail can go twice (the
 * server accepted it, then the job failed before the next checkpoint) is documented in
 * docs/architecture.md.
 */
public final class SendOnceFunction extends KeyedProcessFunction<String, AddressedCommand, DeliveryResult> {
    private static final long serialVersionUID = 1L;

    private final SmtpSettings smtp;
    private final ShopIdentity shop;
    private final String templatesDir;
    private final String defaultLocale;
    private final RetryPolicy retries;
    private final long retentionMillis;

    private transient ValueState<DeliveryState> delivery;
    private transient Delivery sender;
    private transient Counter repeatsDropped;
    private transient Counter mailsAccepted;

    public SendOnceFunction(SmtpSettings smtp, ShopIdentity shop, String templatesDir, String defaultLocale,
                            RetryPolicy retries, Duration retention) {
        this.smtp = smtp;
        this.shop = shop;
        this.templatesDir = templatesDir;
        this.defaultLocale = defaultLocale;
        this.retries = retries;
        this.retentionMillis = retention.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        delivery = getRuntimeContext().getState(new ValueStateDescriptor<>("delivery", new AvroTypeInfo<>(DeliveryState.class)));
        Templates templates = new Templates(templatesDir.isBlank() ? null : Path.of(templatesDir), defaultLocale);
        sender = new Delivery(templates, new SmtpMailer(smtp), shop);
        repeatsDropped = getRuntimeContext().getMetricGroup().counter("repeatedSendIdsDropped");
        mailsAccepted = getRuntimeContext().getMetricGroup().counter("mailsAccepted");
    }

    @Override
    public void processElement(AddressedCommand command, Context context, Collector<DeliveryResult> out) throws Exception {
        if (delivery.value() != null) {
            repeatsDropped.inc();
            return;
        }
        attempt(command, 0, context.timerService().currentProcessingTime(), context, out);
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<DeliveryResult> out) throws Exception {
        DeliveryState state = delivery.value();
        if (state == null) {
            return;
        }
        if (state.getDone() && time >= state.getForgetAt()) {
            delivery.clear();
        } else if (!state.getDone() && state.getRetry() != null && time >= state.getNextAttemptAt()) {
            attempt(state.getRetry(), state.getAttempts(), time, context, out);
        }
    }

    private void attempt(AddressedCommand command, int attemptsBefore, long now, Context context,
                         Collector<DeliveryResult> out) throws Exception {
        int attempts = attemptsBefore + 1;
        Delivery.Attempt attempt = sender.attempt(command, Instant.ofEpochMilli(now));
        SendOutcome outcome = attempt.outcome();
        if (outcome.kind() == SendOutcome.Kind.TEMPORARY_FAILURE && retries.mayRetry(attempts)) {
            long next = now + retries.backoffMillis(attempts, ThreadLocalRandom.current().nextDouble());
            delivery.update(new DeliveryState(false, attempts, command, next, 0L));
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
        long forgetAt = now + retentionMillis;
        delivery.update(new DeliveryState(true, attempts, null, 0L, forgetAt));
        context.timerService().registerProcessingTimeTimer(forgetAt);
        out.collect(Delivery.result(command.getCommand(), status, attempts, outcome.smtpCode(),
                truncate(outcome.detail()), attempt.messageId(), attempt.locale(), Instant.ofEpochMilli(now)));
    }

    private static String truncate(String detail) {
        return detail == null || detail.length() <= 500 ? detail : detail.substring(0, 500);
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.close();
        }
    }
}
