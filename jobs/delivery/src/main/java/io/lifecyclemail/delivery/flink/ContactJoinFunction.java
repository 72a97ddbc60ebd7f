package io.lifecyclemail.delivery.flink;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.common.suppression.SuppressionRules;
import io.lifecyclemail.delivery.Delivery;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.AddressedCommand;
import io.lifecyclemail.state.ContactState;
import io.lifecyclemail.state.ContactUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per customer: keeps the contact details of the latest profile and any suppression from the
 * engagement topic, and addresses each send command at send time. A command whose customer has no
 * profile yet waits for one; a customer without an address, without consent, erased or suppressed
 * (unsubscribed since the decision, say through a link in the previous mail) gets a result instead
 * of a mail.
 */
public final class ContactJoinFunction
        extends KeyedCoProcessFunction<String, SendCommand, ContactUpdate, AddressedCommand> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeliveryResult> RESULTS =
            new OutputTag<>("contact-results", new AvroBinaryTypeInfo<>(DeliveryResult.class));

    private final long contactWaitMillis;
    private transient ValueState<ContactState> contact;
    private transient ListState<AddressedCommand> waiting;

    public ContactJoinFunction(Duration contactWait) {
        this.contactWaitMillis = contactWait.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        contact = getRuntimeContext().getState(new ValueStateDescriptor<>("contact", new AvroBinaryTypeInfo<>(ContactState.class)));
        waiting = getRuntimeContext().getListState(
                new ListStateDescriptor<>("waiting-for-profile", new AvroBinaryTypeInfo<>(AddressedCommand.class)));
    }

    @Override
    public void processElement1(SendCommand command, Context context, Collector<AddressedCommand> out) throws Exception {
        ContactState known = contact.value();
        if (known != null && known.getProfileTime() > 0) {
            address(command, known, context, out);
            return;
        }
        long now = context.timerService().currentProcessingTime();
        waiting.add(new AddressedCommand(command, null, now));
        context.timerService().registerProcessingTimeTimer(now + contactWaitMillis);
    }

    @Override
    public void processElement2(ContactUpdate update, Context context, Collector<AddressedCommand> out) throws Exception {
        ContactState known = contact.value();
        if (update.getUpdate() instanceof EngagementEvent event) {
            String reason = SuppressionRules.reasonOf(event);
            long time = event.getEventTime().toEpochMilli();
            boolean stronger = known == null || known.getSuppression() == null
                    || (SuppressionRules.HARD_BOUNCE.equals(reason) && !SuppressionRules.HARD_BOUNCE.equals(known.getSuppression()));
            if (reason == null || !stronger) {
                return; // opens and clicks change nothing here; a suppression already there stands
            }
            ContactState next = known == null ? new ContactState() : ContactState.newBuilder(known).build();
            next.setSuppression(reason);
            next.setSuppressedAt(time);
            next.setSuppressedBy(event.getEventId());
            contact.update(next);
            return;
        }
        CustomerProfile profile = (CustomerProfile) update.getUpdate();
        if (known != null && profile.getEventTime().toEpochMilli() < known.getProfileTime()) {
            return; // an older profile arriving late does not overwrite a newer one
        }
        if (profile.getErased()) {
            contact.clear(); // right to erasure: nothing about the customer stays; waiting commands end NO_CONTACT
            return;
        }
        ContactState next = new ContactState(profile.getEmail(), profile.getName(), profile.getLocale(),
                profile.getTimezone(), profile.getMarketingConsent(), profile.getEventTime().toEpochMilli(), null, 0L, null);
        if (known != null && known.getSuppression() != null) {
            long consentAt = profile.getConsentTime() == null ? 0 : profile.getConsentTime().toEpochMilli();
            boolean lifted = profile.getMarketingConsent() && SuppressionRules.liftedBy(consentAt, known.getSuppressedAt());
            if (!lifted) {
                next.setSuppression(known.getSuppression());
                next.setSuppressedAt(known.getSuppressedAt());
                next.setSuppressedBy(known.getSuppressedBy());
            }
        }
        contact.update(next);
        List<AddressedCommand> queued = new ArrayList<>();
        waiting.get().forEach(queued::add);
        if (!queued.isEmpty()) {
            waiting.clear();
            for (AddressedCommand command : queued) {
                address(command.getCommand(), next, context, out);
            }
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<AddressedCommand> out) throws Exception {
        List<AddressedCommand> still = new ArrayList<>();
        for (AddressedCommand queued : waiting.get()) {
            if (queued.getQueuedAt() + contactWaitMillis <= time) {
                context.output(RESULTS, Delivery.result(queued.getCommand(), DeliveryStatus.NO_CONTACT, 0, null,
                        "no profile for the customer within " + Duration.ofMillis(contactWaitMillis),
                        null, null, Instant.ofEpochMilli(time)));
            } else {
                still.add(queued);
            }
        }
        waiting.update(still);
    }

    private void address(SendCommand command, ContactState known, Context context, Collector<AddressedCommand> out) {
        Instant now = Instant.ofEpochMilli(context.timerService().currentProcessingTime());
        if (SuppressionRules.stops(known.getSuppression(), command.getTransactional())) {
            context.output(RESULTS, Delivery.result(command, DeliveryStatus.SUPPRESSED, 0, null,
                    "the customer " + known.getSuppression() + " at " + Instant.ofEpochMilli(known.getSuppressedAt())
                            + " (" + known.getSuppressedBy() + ")", null, null, now));
        } else if (known.getEmail() == null || known.getEmail().isBlank()) {
            context.output(RESULTS, Delivery.result(command, DeliveryStatus.NO_CONTACT, 0, null,
                    "the profile has no e-mail address", null, null, now));
        } else if (!command.getTransactional() && !known.getMarketingConsent()) {
            // checked again at the last moment: consent may have been withdrawn since the decision
            context.output(RESULTS, Delivery.result(command, DeliveryStatus.SUPPRESSED, 0, null,
                    "no marketing consent on the profile at send time", null, null, now));
        } else {
            out.collect(new AddressedCommand(command, known, 0L));
        }
    }
}
