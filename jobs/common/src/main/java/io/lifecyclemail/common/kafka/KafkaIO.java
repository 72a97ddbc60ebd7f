package io.lifecyclemail.common.kafka;

import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.schema.DeadLetter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.types.Either;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Kafka sources and sinks as every job of this engine uses them. */
public final class KafkaIO {
    private KafkaIO() {}

    /**
     * A source that reads committed records only and turns each into an event or a dead letter.
     * Offsets live in Flink's checkpoints; committing them to Kafka is only for monitoring lag.
     */
    public static <T extends SpecificRecordBase> KafkaSource<Either<DeadLetter, T>> source(
            Settings settings, String topic, String groupId, DecodeOrDeadLetter<T> deserializer) {
        KafkaSourceBuilder<Either<DeadLetter, T>> builder = KafkaSource.<Either<DeadLetter, T>>builder()
                .setBootstrapServers(settings.get(KafkaOptions.BOOTSTRAP_SERVERS))
                .setTopics(topic)
                .setGroupId(groupId)
                .setClientIdPrefix(groupId + "-" + topic)
                .setProperty("isolation.level", "read_committed")
                .setProperty("partition.discovery.interval.ms", "60000")
                .setDeserializer(deserializer)
                .setStartingOffsets(switch (settings.get(KafkaOptions.STARTING_OFFSETS)) {
                    case EARLIEST -> OffsetsInitializer.earliest();
                    case LATEST -> OffsetsInitializer.latest();
                    case COMMITTED_OR_EARLIEST -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                });
        if (settings.get(KafkaOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * An exactly-once sink: records become visible to read_committed readers when the checkpoint
     * that contains them completes. Each job and topic gets its own transactional id prefix.
     */
    public static <T extends SpecificRecordBase> KafkaSink<T> exactlyOnceSink(
            Settings settings, String topic, Class<T> type, SerializableFunction<T, String> key,
            String transactionalIdPrefix) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(settings.get(KafkaOptions.BOOTSTRAP_SERVERS))
                .setRecordSerializer(new AvroRecordSerializer<>(topic, type, key))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix + "-" + topic)
                .setProperty("transaction.timeout.ms",
                        String.valueOf(settings.get(KafkaOptions.TRANSACTION_TIMEOUT).toMillis()))
                .setProperty("compression.type", "lz4")
                .build();
    }
}
