package io.lifecyclemail.common.flink;

import io.lifecyclemail.common.kafka.KafkaOptions;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.schema.DeadLetter;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableFunction;

/** Reads a topic into a stream of good events and a stream of dead letters, in event time. */
public final class Ingest {
    private Ingest() {}

    /** The two halves of an input. */
    public record Split<T>(DataStream<T> events, DataStream<DeadLetter> deadLetters) {}

    /**
     * Event time from the record, with bounded out-of-orderness and idleness (none when
     * {@code source.idleness} is 0). Dead letters carry no trustworthy time, so they never move the watermark.
     */
    public static <T> WatermarkStrategy<Either<DeadLetter, T>> eventTime(
            Settings settings, SerializableFunction<T, Instant> eventTime) {
        WatermarkStrategy<Either<DeadLetter, T>> strategy = WatermarkStrategy.<Either<DeadLetter, T>>forBoundedOutOfOrderness(
                        settings.get(KafkaOptions.MAX_OUT_OF_ORDERNESS))
                .withTimestampAssigner((record, kafkaTimestamp) ->
                        record.isRight() ? eventTime.apply(record.right()).toEpochMilli() : Long.MIN_VALUE);
        Duration idleness = settings.get(KafkaOptions.SOURCE_IDLENESS);
        return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
    }

    /** Adds a Kafka source with event time, and splits off its dead letters. */
    public static <T extends SpecificRecordBase> Split<T> fromKafka(
            StreamExecutionEnvironment env, KafkaSource<Either<DeadLetter, T>> source, Class<T> type,
            WatermarkStrategy<Either<DeadLetter, T>> watermarks, String name) {
        DataStream<Either<DeadLetter, T>> raw = env.fromSource(source, watermarks, name + "-source")
                .uid(name + "-source");
        return split(raw, new AvroBinaryTypeInfo<>(type), name);
    }

    /** Splits decoded records from dead letters. Used on in-memory streams by the pipeline tests too. */
    public static <T> Split<T> split(DataStream<Either<DeadLetter, T>> raw, TypeInformation<T> type, String name) {
        OutputTag<DeadLetter> deadLetters = new OutputTag<>(name + "-dead-letters",
                new AvroBinaryTypeInfo<>(DeadLetter.class));
        SingleOutputStreamOperator<T> events = raw
                .process(new SplitDeadLetters<>(deadLetters, name), type)
                .name(name + "-split-dead-letters")
                .uid(name + "-split-dead-letters");
        return new Split<>(events, events.getSideOutput(deadLetters));
    }

    /** Accumulator names: {@code <input>.records} and {@code <input>.dead-letters}, also shown as metrics. */
    public static String recordsCounter(String name) {
        return name + ".records";
    }

    public static String deadLettersCounter(String name) {
        return name + ".dead-letters";
    }

    private static final class SplitDeadLetters<T> extends ProcessFunction<Either<DeadLetter, T>, T> {
        private static final long serialVersionUID = 1L;
        private final OutputTag<DeadLetter> deadLetters;
        private final String name;
        private transient LongCounter records;
        private transient LongCounter rejected;
        private transient Counter rejectedMetric;

        SplitDeadLetters(OutputTag<DeadLetter> deadLetters, String name) {
            this.deadLetters = deadLetters;
            this.name = name;
        }

        @Override
        public void open(OpenContext openContext) {
            records = getRuntimeContext().getLongCounter(recordsCounter(name));
            rejected = getRuntimeContext().getLongCounter(deadLettersCounter(name));
            rejectedMetric = getRuntimeContext().getMetricGroup().counter("deadLetters");
        }

        @Override
        public void processElement(Either<DeadLetter, T> record, Context context, Collector<T> out) {
            records.add(1L);
            if (record.isRight()) {
                out.collect(record.right());
            } else {
                rejected.add(1L);
                rejectedMetric.inc();
                context.output(deadLetters, record.left());
            }
        }
    }
}
