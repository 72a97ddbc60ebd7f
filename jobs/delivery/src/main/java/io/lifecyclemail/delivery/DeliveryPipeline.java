package io.lifecyclemail.delivery;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.common.suppression.SuppressionRules;
import io.lifecyclemail.delivery.flink.ContactJoinFunction;
import io.lifecyclemail.delivery.flink.SendOnceFunction;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.AddressedCommand;
import io.lifecyclemail.state.ContactUpdate;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** The delivery job as a pure function from send commands and profiles to delivery results. */
public final class DeliveryPipeline {
    private DeliveryPipeline() {}

    /**
     * @param engagement unsubscribes, complaints and bounces since the decision (the tracking service
     *     writes the first); other engagement types are ignored
     */
    public static DataStream<DeliveryResult> build(DataStream<SendCommand> commands, DataStream<CustomerProfile> profiles,
                                                   DataStream<EngagementEvent> engagement, ContactJoinFunction join,
                                                   SendOnceFunction send) {
        AvroBinaryTypeInfo<ContactUpdate> updateType = new AvroBinaryTypeInfo<>(ContactUpdate.class);
        DataStream<ContactUpdate> updates = profiles
                .map(profile -> new ContactUpdate(profile), updateType).name("profile-updates").uid("profile-updates")
                .union(engagement
                        .filter(event -> SuppressionRules.reasonOf(event) != null).name("suppressing-engagement").uid("suppressing-engagement")
                        .map(event -> new ContactUpdate(event), updateType).name("engagement-updates").uid("engagement-updates"));
        SingleOutputStreamOperator<AddressedCommand> addressed = commands
                .keyBy(SendCommand::getCustomerId)
                .connect(updates.keyBy(DeliveryPipeline::customerOf))
                .process(join, new AvroBinaryTypeInfo<>(AddressedCommand.class))
                .name("join-contact").uid("join-contact");
        SingleOutputStreamOperator<DeliveryResult> sent = addressed
                .keyBy(command -> command.getCommand().getSendId())
                .process(send, new AvroBinaryTypeInfo<>(DeliveryResult.class))
                .name("send-once").uid("send-once");
        return sent.union(addressed.getSideOutput(ContactJoinFunction.RESULTS));
    }

    /** The customer a contact update is about: the key of the contact join. */
    public static String customerOf(ContactUpdate update) {
        return update.getUpdate() instanceof CustomerProfile profile ? profile.getCustomerId()
                : ((EngagementEvent) update.getUpdate()).getCustomerId();
    }
}
