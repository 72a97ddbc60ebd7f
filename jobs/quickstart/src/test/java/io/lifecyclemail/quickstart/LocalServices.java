package io.lifecyclemail.quickstart;

import java.nio.file.Path;
import java.time.Duration;

/** A Kafka broker with every topic (2 partitions each) and a Flink mini cluster, for end-to-end tests. */
final class LocalServices implements AutoCloseable {
    final EmbeddedKafka kafka;
    final LocalTopics topics;
    final LocalFlink flink;

    private LocalServices(EmbeddedKafka kafka, LocalTopics topics, LocalFlink flink) {
        this.kafka = kafka;
        this.topics = topics;
        this.flink = flink;
    }

    /** Checkpoints every second, four slots, everything under {@code work}. */
    static LocalServices start(Path work) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
        try {
            LocalTopics topics = new LocalTopics(kafka.bootstrapServers());
            topics.createAll(kafka, 2);
            return new LocalServices(kafka, topics,
                    LocalFlink.start(LocalFlink.configuration(work.resolve("flink"), Duration.ofSeconds(1)), 4));
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            flink.close();
        } finally {
            kafka.close();
        }
    }
}
