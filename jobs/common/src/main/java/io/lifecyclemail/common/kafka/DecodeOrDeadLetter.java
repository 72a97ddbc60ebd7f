package io.lifecyclemail.common.kafka;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.schema.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every Kafka record into either a usable event (right) or a dead letter (left). It never
 * throws: an exception here would fail the task and one poison record would restart the job forever.
 */
public final class DecodeOrDeadLetter<T extends SpecificRecordBase>
        implements KafkaRecordDeserializationSchema<Either<DeadLetter, T>> {
    private static final long serialVersionUID = 1L;

    public static final String UNDECODABLE = "UNDECODABLE";
    public static final String INVALID = "INVALID";

    private final Class<T> type;
    private final InputRule<T> rule;
    private final String job;
    private transient AvroCodec<T> codec;

    public DecodeOrDeadLetter(Class<T> type, InputRule<T> rule, String job) {
        this.type = type;
        this.rule = rule;
        this.job = job;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, T>> out) {
        if (record.value() == null) {
            out.collect(Either.Left(deadLetter(record, UNDECODABLE, "the record has no value")));
            return;
        }
        T value;
        try {
            value = codec().decode(record.value());
        } catch (Exception | StackOverflowError e) {
            out.collect(Either.Left(deadLetter(record, UNDECODABLE,
                    "not a " + type.getSimpleName() + " in Avro single-object encoding: " + e)));
            return;
        }
        String problem;
        try {
            problem = rule.problem(value);
        } catch (RuntimeException e) {
            problem = "check failed: " + e;
        }
        if (problem != null) {
            out.collect(Either.Left(deadLetter(record, INVALID, type.getSimpleName() + ": " + problem)));
        } else {
            out.collect(Either.Right(value));
        }
    }

    private AvroCodec<T> codec() {
        if (codec == null) {
            codec = AvroCodec.of(type);
        }
        return codec;
    }

    private DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, String errorType, String error) {
        return DeadLetter.newBuilder()
                .setJob(job)
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .setRecordTimestamp(record.timestamp() >= 0 ? Instant.ofEpochMilli(record.timestamp()) : null)
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setErrorType(errorType)
                .setError(error)
                .build();
    }

    @Override
    public TypeInformation<Either<DeadLetter, T>> getProducedType() {
        return new EitherTypeInfo<>(new AvroBinaryTypeInfo<>(DeadLetter.class), new AvroBinaryTypeInfo<>(type));
    }

    /** The Avro class this deserializer decodes, for error messages and tests. */
    public Class<T> type() {
        return type;
    }
}
