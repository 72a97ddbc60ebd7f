package io.lifecyclemail.quickstart;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.DecisionJob;
import io.lifecyclemail.decision.DecisionOptions;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.state.CustomerInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * W3: the decision job as deployed ({@link DecisionJob#wire}: Kafka sources, dead-letter split,
 * every shipped scenario and the policy as in W2 ({@link DecisionLoadBenchmark#everyScenario}), RFM,
 * exactly-once Kafka sinks, RocksDB, checkpoints every second) reading generated traffic that was written to a real Kafka broker as Avro bytes first. Timed from
 * submission until the bounded job has read everything and finished; steady events/s from the
 * consumer group's committed offsets (they advance at each checkpoint), between 10 % and 90 %.
 *
 * <pre>mvn -q -Pbenchmark -DskipTests install -Dbenchmark.main=DecisionKafkaBenchmark -Dbenchmark.args="[events] [customers]"</pre>
 */
public final class DecisionKafkaBenchmark {
    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
        int customers = args.length > 1 ? Integer.parseInt(args[1]) : (int) (events / 10);
        ShopStream stream = new ShopStream(events, customers, 7, ShopStream.Mix.SHOP);
        Path work = Files.createTempDirectory("decision-kafka-benchmark");
        try (LocalServices services = LocalServices.start(work)) {
            List<LocalTopics.Raw> clicks = new ArrayList<>();
            List<LocalTopics.Raw> orders = new ArrayList<>();
            List<LocalTopics.Raw> profiles = new ArrayList<>();
            List<LocalTopics.Raw> inventory = new ArrayList<>();
            for (long position = 0; position < stream.events(); position++) {
                SpecificRecord event = stream.event(position);
                if (event instanceof InventoryChange change) { // keyed by product, as a shop's stock topic is
                    inventory.add(LocalTopics.encoded(change.getProductId(), change, change.getEventTime(),
                            InventoryChange.class));
                    continue;
                }
                CustomerInput input = new CustomerInput(event);
                String key = CustomerInputs.customerId(input);
                Instant time = Instant.ofEpochMilli(CustomerInputs.eventTime(input));
                if (input.getEvent() instanceof ClickstreamEvent click) {
                    clicks.add(LocalTopics.encoded(key, click, time, ClickstreamEvent.class));
                } else if (input.getEvent() instanceof OrderEvent order) {
                    orders.add(LocalTopics.encoded(key, order, time, OrderEvent.class));
                } else {
                    profiles.add(LocalTopics.encoded(key, (CustomerProfile) input.getEvent(), time, CustomerProfile.class));
                }
            }
            services.topics.produce(LocalTopics.CLICKSTREAM, clicks);
            services.topics.produce(LocalTopics.ORDERS, orders);
            services.topics.produce(LocalTopics.PROFILES, profiles);
            services.topics.produce(LocalTopics.INVENTORY, inventory);
            System.out.printf("W3: %,d events (%,d clicks, %,d orders, %,d profiles, %,d stock changes) in Kafka, %,d customers%n",
                    stream.events(), clicks.size(), orders.size(), profiles.size(), inventory.size(), customers);

            String group = "w3-bench";
            var settings = Quickstart.Run.decisionSettings(services.kafka.bootstrapServers(),
                            ShopStream.START.plusMillis(stream.events() * ShopStream.STEP_MILLIS))
                    .with(DecisionOptions.GROUP_ID, group);
            var configuration = DecisionLoadBenchmark.everyScenario(); // the same as W2's
            long start = System.nanoTime();
            JobID job = services.flink.submit(DecisionJob.NAME, env -> DecisionJob.wire(env, settings, configuration), null);
            Properties admin = new Properties();
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka.bootstrapServers());
            long at10 = 0;
            long at90 = 0;
            try (Admin kafka = Admin.create(admin)) {
                while (!services.flink.status(job).isGloballyTerminalState()) {
                    long committed = 0;
                    for (Map.Entry<?, OffsetAndMetadata> offset : kafka.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get().entrySet()) {
                        committed += offset.getValue() == null ? 0 : offset.getValue().offset();
                    }
                    long now = System.nanoTime();
                    if (at10 == 0 && committed >= stream.events() / 10) {
                        at10 = now;
                    }
                    if (at90 == 0 && committed >= stream.events() * 9 / 10) {
                        at90 = now;
                    }
                    Thread.sleep(100);
                }
            }
            double wall = (System.nanoTime() - start) / 1e9;
            var result = services.flink.awaitResult(job);
            long commands = services.topics.readCommitted(LocalTopics.SEND_COMMANDS).size();
            System.out.printf("| state | steady events/s (committed offsets) | wall time from submission | send commands (read_committed) | job |%n");
            System.out.printf("|---|---|---|---|---|%n");
            System.out.printf("| RocksDB | %s | %.1f s | %,d | %s |%n",
                    at90 > at10 && at10 > 0 ? String.format("%,.0f", 0.8 * stream.events() / ((at90 - at10) / 1e9)) : "n/a",
                    wall, commands, result.isSuccess() ? "finished" : "FAILED");
        }
    }
}
