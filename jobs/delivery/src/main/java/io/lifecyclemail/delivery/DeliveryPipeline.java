package io.lifecyclemail.delivery;

import io.lifecyclemail.delivery.flink.ContactJoinFunction;
import io.lifecyclemail.delivery.flink.SendOnceFunction;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.AddressedCommand;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** The delivery job as a pure function from send commands and profiles to delivery results. */
public final class DeliveryPipeline {
    private DeliveryPipeline() {}

    public static DataStream<DeliveryResult> build(DataStream<SendCommand> commands, DataStream<CustomerProfile> profiles,
                                                   ContactJoinFunction join, SendOnceFunction send) {
        SingleOutputStreamOperator<AddressedCommand> addressed = commands
                .keyBy(SendCommand::getCustomerId)
                .connect(profiles.keyBy(CustomerProfile::getCustomerId))
                .process(join, new AvroTypeInfo<>(AddressedCommand.class))
                .name("join-contact").uid("join-contact");
        SingleOutputStreamOperator<DeliveryResult> sent = addressed
                .keyBy(command -> command.getCommand().getSendId())
                .process(send, new AvroTypeInfo<>(DeliveryResult.class))
                .name("send-once").uid("send-once");
        return sent.union(addressed.getSideOutput(ContactJoinFunction.RESULTS));
    }
}
