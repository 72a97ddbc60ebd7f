package io.lifecyclemail.common.kafka;

import io.lifecyclemail.common.options.Option;
import java.time.Duration;
import java.util.List;

/** Kafka settings every job has. Topic names are declared by each job for the topics it uses. */
public final class KafkaOptions {
    private KafkaOptions() {}

    public static final Option<String> BOOTSTRAP_SERVERS = Option.string("kafka.bootstrap-servers",
            "localhost:9092", "Kafka brokers to connect to.");
    public static final Option<StartingOffsets> STARTING_OFFSETS = Option.choice("kafka.starting-offsets",
            StartingOffsets.class, StartingOffsets.COMMITTED_OR_EARLIEST,
            "Where a job without a checkpoint starts reading: committed-or-earliest, earliest or latest. "
                    + "A job restored from a checkpoint or savepoint always continues where it was.");
    public static final Option<Boolean> BOUNDED = Option.bool("kafka.bounded", false,
            "Read only up to the offsets that exist at start, then finish (replays, demos, tests).");
    public static final Option<Duration> TRANSACTION_TIMEOUT = Option.duration("kafka.transaction-timeout",
            Duration.ofMinutes(10), "Transaction timeout of the exactly-once sinks; must stay below the broker's "
                    + "transaction.max.timeout.ms (15m by default) and above the longest checkpoint gap plus restart.");
    public static final Option<Duration> SOURCE_IDLENESS = Option.duration("source.idleness",
            Duration.ofMinutes(1), "A partition with no records for this long stops holding back event time; 0: never (every partition "
                    + "holds it back until its next record, so decisions are the same however fast each partition is read).");
    public static final Option<Duration> MAX_OUT_OF_ORDERNESS = Option.duration("source.max-out-of-orderness",
            Duration.ofSeconds(5), "How far behind the newest event of a partition an event may arrive and still be on time.");

    public static List<Option<?>> all() {
        return List.of(BOOTSTRAP_SERVERS, STARTING_OFFSETS, BOUNDED, TRANSACTION_TIMEOUT, SOURCE_IDLENESS,
                MAX_OUT_OF_ORDERNESS);
    }

    public enum StartingOffsets { COMMITTED_OR_EARLIEST, EARLIEST, LATEST }
}
