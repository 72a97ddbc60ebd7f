package io.lifecyclemail.delivery.flink;

import io.lifecyclemail.delivery.Delivery;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.AddressedCommand;
import io.lifecyclemail.state.ContactState;
import java.time.Duration;
import java.time.Instant;
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
import org.apache.flink.util.OutputTag;

/**
 * Per customer: keeps the contact details of the latest profile and addresses each send command at
 * send time. A command whose customer has no profile yet waits for one; a customer without an
 * address, without consent or erased gets a result instead of a mail.
 */
public final class ContactJoinFunction
        extends KeyedCoProcessFunction<String, SendCommand, CustomerProfile, AddressedCommand> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeliveryResult> RESULTS =
            new OutputTag<>("contact-results", new AvroTypeInfo<>(DeliveryResult.class));

    private final long contactWaitMillis;
    private transient ValueState<ContactState> contact;
    private transient ListState<AddressedCommand> waiting;

    public ContactJoinFunction(Duration contactWait) {
        this.contactWaitMillis = contactWait.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        contact = getRuntimeContext().getState(new ValueStateDescriptor<>("contact", new AvroTypeInfo<>(ContactState.class)));
        waiting = getRuntimeContext().getListState(
                new ListStateDescriptor<>("waiting-for-profile", new AvroTypeInfo<>(AddressedCommand.class)));
    }

    @Override
    public void processElement1(SendCommand command, Context context, Collector<AddressedCommand> out) throws Exception {
        ContactState known = contact.value();
        if (known != null) {
            address(command, known, context, out);
            return;
        }
        long now = context.timerService().currentProcessingTime();
        waiting.add(new AddressedCommand(command, null, now));
        context.timerService().registerProcessingTimeTimer(now + contactWaitMillis);
    }

    @Override
    public void processElement2(CustomerProfile profile, Context context, Collector<AddressedCommand> out) throws Exception {
        ContactState known = contact.value();
        if (known != null && profile.getEventTime().toEpochMilli() < known.getProfileTime()) {
            return; // an older profile arriving late does not overwrite a newer one
        }
        if (profile.getErased()) {
            contact.clear();
            known = null;
        } else {
            known = new ContactState(profile.getEmail(), profile.getName(), profile.getLocale(), profile.getTimezone(),
                    profile.getMarketingConsent(), profile.getEventTime().toEpochMilli());
            contact.update(known);
        }
        List<AddressedCommand> queued = new ArrayList<>();
        waiting.get().forEach(queued::add);
        if (!queued.isEmpty() && known != null) {
            waiting.clear();
            for (AddressedCommand command : queued) {
                address(command.getCommand(), known, context, out);
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
        if (known.getEmail() == null || known.getEmail().isBlank()) {
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
