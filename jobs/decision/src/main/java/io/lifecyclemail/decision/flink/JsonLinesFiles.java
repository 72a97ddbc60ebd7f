package io.lifecyclemail.decision.flink;

import io.lifecyclemail.common.flink.AvroBinaryTypeInfo;
import io.lifecyclemail.common.files.AvroJsonLines;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableFunction;

/** Bounded sources of Avro JSON lines files (the bootstrap's orders and seeds), with event time. */
public final class JsonLinesFiles {
    private JsonLinesFiles() {}

    /**
     * @param eventTime epoch ms of a record
     * @param name the source's name and the prefix of its operators' uids
     */
    public static <T extends SpecificRecordBase> DataStream<T> read(StreamExecutionEnvironment env, String file,
                                                                  Class<T> type, SerializableFunction<T, Long> eventTime,
                                                                  String name) {
        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(file)).build();
        AvroJsonLines<T> lines = AvroJsonLines.of(type);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), name).uid(name)
                .filter(line -> !line.isBlank()).name(name + "-lines").uid(name + "-lines")
                .map(line -> lines.decode(line), new AvroBinaryTypeInfo<>(type)).name(name + "-records").uid(name + "-records")
                .assignTimestampsAndWatermarks(WatermarkStrategy.<T>forBoundedOutOfOrderness(Duration.ZERO)
                        .withTimestampAssigner((record, previous) -> eventTime.apply(record)))
                .name(name + "-event-time").uid(name + "-event-time");
    }
}
