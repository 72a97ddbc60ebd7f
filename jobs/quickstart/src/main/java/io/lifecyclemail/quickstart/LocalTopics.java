package io.lifecyclemail.quickstart;

import io.lifecyclemail.common.kafka.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The engine's topics on a local broker: create them, write shop events, read what the jobs committed. */
public final class LocalTopics {
    public static final String CLICKSTREAM = "clickstream";
    public static final String ORDERS = "orders";
    public static final String PROFILES = "profiles";
    public static final String INVENTORY = "inventory";
    public static final String SEND_COMMANDS = "send-commands";
    public static final String DECISIONS = "decisions";
    public static final String RFM = "rfm";
    public static final String RFM_SUMMARY = "rfm-summary";
    public static final String DELIVERY_RESULTS = "delivery-results";
    public static final String DEAD_LETTERS = "dead-letters";
    public static final String ENGAGEMENT = "engagement";
    public static final String CONVERSIONS = "conversions";

    private final String bootstrapServers;

    public LocalTopics(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Every topic of docs/topics.md, profiles compacted. */
    public void createAll(EmbeddedKafka kafka, int partitions) throws Exception {
        Map<String, Map<String, String>> topics = new LinkedHashMap<>();
        for (String topic : List.of(CLICKSTREAM, ORDERS, INVENTORY, ENGAGEMENT, SEND_COMMANDS, DECISIONS, CONVERSIONS,
                DELIVERY_RESULTS, DEAD_LETTERS, RFM_SUMMARY)) {
            topics.put(topic, Map.of());
        }
        topics.put(PROFILES, Map.of("cleanup.policy", "compact"));
        topics.put(RFM, Map.of("cleanup.policy", "compact"));
        kafka.createTopics(partitions, topics);
    }

    /** A record to write: key, value bytes, the record timestamp, and a partition (null: by key). */
    public record Raw(String key, byte[] value, Instant timestamp, Integer partition) {
        public Raw(String key, byte[] value, Instant timestamp) {
            this(key, value, timestamp, null);
        }
    }

    public static <T extends SpecificRecord> Raw encoded(String key, T record, Instant time, Class<T> type) {
        return new Raw(key, AvroCodec.of(type).encode(record), time);
    }

    public void produce(String topic, List<Raw> records) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (Raw record : records) {
                producer.send(new ProducerRecord<>(topic, record.partition(), record.timestamp().toEpochMilli(),
                        record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value()));
            }
            producer.flush();
        }
    }

    public <T extends SpecificRecord> void produce(String topic, List<T> records, Class<T> type,
                                                   java.util.function.Function<T, String> key,
                                                   java.util.function.Function<T, Instant> time) throws Exception {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<Raw> raw = new ArrayList<>(records.size());
        for (T record : records) {
            raw.add(new Raw(key.apply(record), codec.encode(record), time.apply(record)));
        }
        produce(topic, raw);
    }

    /** Everything committed to a topic so far (read_committed), as raw records. */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Decoded values of everything committed to a topic. */
    public <T extends SpecificRecord> List<T> read(String topic, Class<T> type) throws Exception {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : readCommitted(topic)) {
            values.add(codec.decode(record.value()));
        }
        return values;
    }
}
