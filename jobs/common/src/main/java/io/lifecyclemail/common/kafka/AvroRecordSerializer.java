package io.lifecyclemail.common.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a record in Avro single-object encoding, keyed by a string taken from the record, stamped with the time of writing. */
public final class AvroRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final Class<T> type;
    private final SerializableFunction<T, String> key;
    private transient AvroCodec<T> codec;

    public AvroRecordSerializer(String topic, Class<T> type, SerializableFunction<T, String> key) {
        this.topic = topic;
        this.type = type;
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = AvroCodec.of(type);
        }
        // No record timestamp: Kafka stamps the time of writing. The event time is in the record
        // (trigger_time, result_time); as the record timestamp it would make time-based retention
        // delete the output of a replay of old events before anyone reads it.
        return new ProducerRecord<>(topic, null, null,
                key.apply(element).getBytes(StandardCharsets.UTF_8), codec.encode(element));
    }
}
