package io.lifecyclemail.delivery;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.common.flink.Ingest;
import io.lifecyclemail.common.kafka.DecodeOrDeadLetter;
import io.lifecyclemail.common.kafka.InputRules;
import io.lifecyclemail.common.kafka.KafkaIO;
import io.lifecyclemail.common.kafka.Topics;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.delivery.flink.ContactJoinFunction;
import io.lifecyclemail.delivery.flink.SendOnceFunction;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeadLetter;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.SendCommand;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/** The delivery job: send commands and profiles from Kafka, mail out over SMTP, results to Kafka. */
public final class DeliveryJob {
    public static final String NAME = "lifecycle-mail delivery";
    public static final String JOB = "delivery";

    private DeliveryJob() {}

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parseOrHelp(NAME, DeliveryOptions.all(), args).orElse(null);
        if (settings == null) {
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        wire(env, settings);
        env.execute(NAME);
    }

    public static void wire(StreamExecutionEnvironment env, Settings settings) {
        // Chained operators hand records on without a deep copy: no function of ours changes a record it
        // received or one it has emitted, and records from the network are always new objects. Avro deep
        // copies between chained operators were half of the decision job's time (docs/benchmarks.md, W1).
        env.getConfig().enableObjectReuse();
        String group = settings.get(DeliveryOptions.GROUP_ID);
        // Delivery works in processing time: it sends as soon as a command is committed upstream.
        Ingest.Split<SendCommand> commands = Ingest.split(env.fromSource(
                        KafkaIO.source(settings, settings.get(Topics.SEND_COMMANDS), group,
                                new DecodeOrDeadLetter<>(SendCommand.class, InputRules.SEND_COMMANDS, JOB)),
                        WatermarkStrategy.<Either<DeadLetter, SendCommand>>noWatermarks(), "send-commands-source")
                .uid("send-commands-source"), new AvroBinaryTypeInfo<>(SendCommand.class), "send-commands");
        Ingest.Split<CustomerProfile> profiles = Ingest.split(env.fromSource(
                        KafkaIO.source(settings, settings.get(Topics.PROFILES), group,
                                new DecodeOrDeadLetter<>(CustomerProfile.class, InputRules.PROFILES, JOB)),
                        WatermarkStrategy.<Either<DeadLetter, CustomerProfile>>noWatermarks(), "profiles-source")
                .uid("profiles-source"), new AvroBinaryTypeInfo<>(CustomerProfile.class), "profiles");

        Ingest.Split<EngagementEvent> engagement = Ingest.split(env.fromSource(
                        KafkaIO.source(settings, settings.get(Topics.ENGAGEMENT), group,
                                new DecodeOrDeadLetter<>(EngagementEvent.class, InputRules.ENGAGEMENT, JOB)),
                        WatermarkStrategy.<Either<DeadLetter, EngagementEvent>>noWatermarks(), "engagement-source")
                .uid("engagement-source"), new AvroBinaryTypeInfo<>(EngagementEvent.class), "engagement");

        ContactJoinFunction join = new ContactJoinFunction(settings.get(DeliveryOptions.CONTACT_WAIT));
        SendOnceFunction send = new SendOnceFunction(DeliveryOptions.sending(settings));

        String transactions = settings.get(DeliveryOptions.TRANSACTIONAL_ID_PREFIX);
        DeliveryPipeline.build(commands.events(), profiles.events(), engagement.events(), join, send)
                .sinkTo(KafkaIO.exactlyOnceSink(settings, settings.get(Topics.DELIVERY_RESULTS), DeliveryResult.class,
                        DeliveryResult::getCustomerId, transactions))
                .name("delivery-results-sink").uid("delivery-results-sink");
        commands.deadLetters().union(profiles.deadLetters(), engagement.deadLetters())
                .sinkTo(KafkaIO.exactlyOnceSink(settings, settings.get(Topics.DEAD_LETTERS), DeadLetter.class,
                        DeadLetter::getSourceTopic, transactions))
                .name("dead-letters-sink").uid("dead-letters-sink");
    }
}
