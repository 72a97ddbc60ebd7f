package io.lifecyclemail.common.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.common.kafka.KafkaOptions;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.schema.DeadLetter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Either;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

class IngestTest {
    /** What a partition's watermark generator reports while its partition stays silent for an hour. */
    private static List<String> silentHour(String... args) {
        ManualClock clock = new ManualClock();
        WatermarkGenerator<Either<DeadLetter, Instant>> generator = Ingest.<Instant>eventTime(
                Settings.parse(KafkaOptions.all(), args), time -> time)
                .createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return new UnregisteredMetricsGroup();
                    }

                    @Override
                    public RelativeClock getInputActivityClock() {
                        return clock;
                    }
                });
        List<String> reported = new ArrayList<>();
        WatermarkOutput output = new WatermarkOutput() {
            @Override
            public void emitWatermark(Watermark watermark) {
                reported.add("watermark " + watermark.getTimestamp());
            }

            @Override
            public void markIdle() {
                reported.add("idle");
            }

            @Override
            public void markActive() {
                reported.add("active");
            }
        };
        generator.onEvent(Either.Right(Instant.ofEpochMilli(10_000)), 10_000, output); // the timestamp as assigned
        for (int minute = 0; minute < 60; minute++) {
            clock.advanceTime(java.time.Duration.ofMinutes(1));
            generator.onPeriodicEmit(output);
        }
        return reported;
    }

    @Test
    void aSilentPartitionStopsHoldingEventTimeBackAfterTheIdleness() {
        assertThat(silentHour("--source.idleness", "10m")).contains("idle");
    }

    @Test
    void withIdlenessZeroASilentPartitionHoldsEventTimeBackForever() {
        assertThat(silentHour("--source.idleness", "0s")).doesNotContain("idle")
                .containsOnly("watermark " + (10_000 - 5_000 - 1)); // bounded out-of-orderness: 5 s
    }
}
