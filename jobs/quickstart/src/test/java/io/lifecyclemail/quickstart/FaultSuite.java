package io.lifecyclemail.quickstart;

import io.lifecyclemail.common.kafka.AvroCodec;
import io.lifecyclemail.schema.SendCommand;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Faults against the real processes of {@code deploy/local} (a Kafka broker, GreenMail, a Flink
 * JobManager and TaskManager, both jobs submitted as jars): the same sample traffic once without
 * faults (the reference) and once with them; then what was committed to {@code send-commands}
 * (read_committed) and what reached the SMTP server are compared by send id. A control job whose
 * sink never commits (no checkpoint completes) must show as lost, or the checker is blind.
 * Bad input and bad scenario files go in on the faulted run, with no restart allowed for them.
 *
 * <pre>mvn -q -Pbenchmark -DskipTests install -Dbenchmark.main=FaultSuite -Dbenchmark.args="[rounds] [customers]"</pre>
 * Each round injects one fault while the jobs work through the traffic, in turn: the TaskManager
 * killed (SIGKILL) and started again, the Kafka broker killed and started again, the SMTP server
 * frozen (SIGSTOP) for 20 s, the TaskManager killed while the delivery job sends (between a send and
 * its record). {@link FaultSuiteTest} runs a short version in CI.
 */
public final class FaultSuite {
    static final Duration QUIET = Duration.ofSeconds(8);

    /** What one run left behind, by send id. */
    record Outcome(Map<String, Integer> commands, Map<String, Integer> mails, Map<String, Integer> deadLetters) {}

    /** The report: faults injected, and what was lost or doubled against the reference. */
    record Report(int faults, int referenceCommands, int commandsLost, int commandsDuplicated, int referenceMails,
                  int mailsLost, int mailsDuplicated, Map<String, Long> badRecords, Map<String, Long> badRecordsDeadLettered,
                  int decisionRestartsFromBadInput, List<String> scenarioRejections, int controlCommandsLost,
                  java.util.Set<String> dashboardMetricsMissing) {
        String text() {
            return String.format("""
                    faults injected: %d, send commands lost: %d, duplicated: %d (reference: %d), \
                    mails lost: %d, duplicated: %d (reference: %d)
                    bad input: %s records (by the job that reads them), in dead letters: %s, decision job restarts caused: %d
                    bad scenario files rejected: %d of 3, the running job kept its configuration
                    control (a sink that never commits): send commands lost: %d of %d
                    metrics of the Grafana dashboard missing from the cluster's Prometheus endpoints: %s""",
                    faults, commandsLost, commandsDuplicated, referenceCommands, mailsLost, mailsDuplicated,
                    referenceMails, badRecords, badRecordsDeadLettered, decisionRestartsFromBadInput,
                    scenarioRejections.size(), controlCommandsLost, referenceCommands,
                    dashboardMetricsMissing.isEmpty() ? "none" : dashboardMetricsMissing);
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int customers = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        Report report = run(Path.of("jobs/quickstart/target/faults").toAbsolutePath(), rounds, customers, 0);
        System.out.println(report.text());
        boolean clean = report.referenceCommands() > 0 && report.commandsLost() == 0 && report.commandsDuplicated() == 0 && report.mailsLost() == 0
                && report.controlCommandsLost() > 0 && report.badRecordsDeadLettered().equals(report.badRecords())
                && report.scenarioRejections().size() == 3 && report.decisionRestartsFromBadInput() == 0
                && report.dashboardMetricsMissing().isEmpty();
        System.exit(clean ? 0 : 1);
    }

    static Report run(Path work, int rounds, int customers, int ports) throws Exception {
        SampleShop.Traffic traffic = SampleShop.generate(customers, 11, Quickstart.TRAFFIC_START, Quickstart.TRAFFIC_SPAN);

        Outcome reference;
        Map<String, String> referenceCommands = new HashMap<>(); // send id -> what it was, to explain a loss
        try (Cluster cluster = Cluster.up(work.resolve("reference"), traffic, ports)) {
            cluster.awaitQuiet();
            cluster.tick(2);
            cluster.awaitQuiet();
            reference = cluster.outcome();
            for (SendCommand command : cluster.topics.read(LocalTopics.SEND_COMMANDS, SendCommand.class)) {
                referenceCommands.put(command.getSendId(), command.getScenarioId() + "/" + command.getStep() + " "
                        + command.getCustomerId() + " trigger " + command.getTriggerTime());
            }
        }

        try (Cluster cluster = Cluster.up(work.resolve("faulted"), traffic, ports)) {
            for (int round = 0; round < rounds; round++) {
                cluster.inject(round);
                // what the fault met: how far the jobs were (duplicates show up as a restored job sends
                // again: those of one fault by the next fault's line)
                Map<String, Integer> mails = cluster.mails();
                System.out.printf("[faults] fault %d was injected with %d send commands committed and %d mails sent"
                        + " (%d sent twice so far)%n", round + 1, cluster.commands(LocalTopics.SEND_COMMANDS).size(),
                        mails.size(), duplicated(mails));
            }
            cluster.awaitQuiet();
            cluster.tick(2);
            // bad input: random and truncated records in every input topic, after a quiet moment
            cluster.awaitQuiet();
            double restartsBefore = cluster.decisionRestarts();
            Map<String, Integer> deadLettersBefore = cluster.outcome().deadLetters();
            Map<String, Long> bad = cluster.produceBadInput(500);
            List<String> rejections = cluster.submitBadScenarios(work.resolve("bad-scenarios"));
            cluster.awaitQuiet();
            Outcome faulted = cluster.outcome();
            int restartsFromBadInput = (int) (cluster.decisionRestarts() - restartsBefore);

            // while both jobs run, after faults and bad input: every metric the dashboard reads is there
            java.util.Set<String> missing = new java.util.TreeSet<>(GrafanaDashboard.read(GrafanaDashboard.file()).metrics());
            missing.removeAll(cluster.metricNames());

            // the control: the same input into a second decision job whose sink never commits
            System.out.printf("[faults] after the faults: send commands lost %d, duplicated %d (reference %d)%n",
                    lost(reference.commands(), faulted.commands()), duplicated(faulted.commands()), reference.commands().size());
            int controlLost = cluster.controlRun(referenceCommands);

            cluster.explainLost(referenceCommands, faulted.commands().keySet());
            return new Report(rounds, reference.commands().size(),
                    lost(reference.commands(), faulted.commands()), duplicated(faulted.commands()),
                    reference.mails().size(), lost(reference.mails(), faulted.mails()), duplicated(faulted.mails()),
                    bad, newDeadLetters(deadLettersBefore, faulted.deadLetters()), restartsFromBadInput, rejections,
                    controlLost, missing);
        }
    }

    /** Dead letters written since {@code before}, by job. */
    static Map<String, Long> newDeadLetters(Map<String, Integer> before, Map<String, Integer> after) {
        Map<String, Long> added = new java.util.TreeMap<>();
        after.forEach((job, count) -> added.put(job, (long) count - before.getOrDefault(job, 0)));
        return added;
    }

    /**
     * Records after the group's committed offsets, read as the jobs read them (read_committed).
     * Counted by reading, not by offsets: on a topic written in transactions the commit markers
     * take offsets too, so a group that has read everything still lags the log end.
     */
    static long unread(String bootstrap, String group, List<String> inputs) throws Exception {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Map<TopicPartition, OffsetAndMetadata> committed;
        try (Admin kafka = Admin.create(admin)) {
            committed = kafka.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        }
        Properties props = new Properties();
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long unread = 0;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(props,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : inputs) {
                for (int partition = 0; partition < 2; partition++) {
                    partitions.add(new TopicPartition(topic, partition));
                }
            }
            consumer.assign(partitions);
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata at = committed.get(partition);
                consumer.seek(partition, at == null ? 0 : at.offset());
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < until) {
                unread += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        return unread;
    }

    static int lost(Map<String, Integer> reference, Map<String, Integer> seen) {
        return (int) reference.keySet().stream().filter(id -> !seen.containsKey(id)).count();
    }

    static int duplicated(Map<String, Integer> seen) {
        return seen.values().stream().mapToInt(count -> count - 1).sum();
    }

    /** A deploy/local cluster on ports of its own, started by the scripts and stopped with its data. */
    static final class Cluster implements AutoCloseable {
        final int kafkaPort;
        final int smtpPort;
        final int smtpApiPort;
        final int flinkRestPort;
        final int prometheusPorts;
        private static final Path SCRIPTS = scripts();

        /** deploy/local of this checkout, from the repository root (benchmark profile) or a module (tests). */
        private static Path scripts() {
            return Checkout.file("deploy/local/up.sh").getParent();
        }

        final Path run;
        final LocalTopics topics;
        private final HttpClient http = HttpClient.newHttpClient();

        /**
         * @param ports 0 for the suite's ports (Kafka 19092-19093, SMTP 13025, its API 18083, Flink REST 18081,
         *     JobManager RPC 16081, Prometheus 19249-19259); another offset for a cluster beside them
         */
        private Cluster(Path run, int ports) {
            this.run = run;
            this.kafkaPort = 19092 + ports;
            this.smtpPort = 13025 + ports;
            this.smtpApiPort = 18083 + ports;
            this.flinkRestPort = 18081 + ports;
            this.prometheusPorts = 19249 + ports;
            this.topics = new LocalTopics(bootstrap());
        }

        /** Traffic in slices of this much event time, one slice per {@link #PACE}: the faults meet a stream. */
        static final Duration SLICE = Duration.ofHours(4);
        static final Duration PACE = Duration.ofSeconds(2);

        /** The traffic writer while it writes; awaitQuiet waits for it. */
        private java.util.concurrent.Future<?> feeding;

        /**
         * A fresh cluster with both jobs running, fed the traffic in slices of event time while they
         * run (each partition gets its events in the same order in every run; with idleness off,
         * how fast each partition is written or read changes nothing), then tick 1.
         */
        static Cluster up(Path run, SampleShop.Traffic traffic, int ports) throws Exception {
            Cluster cluster = new Cluster(run, ports);
            cluster.script("down.sh", "--discard-state");
            cluster.script("up.sh", "--no-jobs");
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
            try (Admin admin = Admin.create(props)) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(UNUSED_RESULTS, 2, (short) 1)))
                        .all().get();
            }
            cluster.script("up.sh"); // submits the jobs
            var writer = java.util.concurrent.Executors.newSingleThreadExecutor();
            cluster.feeding = writer.submit(() -> {
                // In time order: an event behind the newest of its partition by more than the allowed
                // out-of-orderness is judged against a watermark that depends on how far the other
                // partitions were read, which is timing again.
                SampleShop.Traffic ordered = traffic.inTimeOrder();
                Instant end = Quickstart.TRAFFIC_START.plus(Quickstart.TRAFFIC_SPAN);
                int slice = 0;
                for (Instant from = Instant.MIN, to = Quickstart.TRAFFIC_START.plus(SLICE); from.isBefore(end);
                     from = to, to = to.plus(SLICE), slice++) {
                    Instant after = from;
                    Instant before = to.isBefore(end) ? to : Instant.MAX;
                    Quickstart.produce(cluster.topics, ordered.part(time -> !time.isBefore(after) && time.isBefore(before)));
                    if (before != Instant.MAX) { // the slice's end, in every partition (see mark)
                        cluster.mark(to.minusMillis(1), "beat-" + slice);
                    }
                    Thread.sleep(PACE.toMillis());
                }
                cluster.tick(1);
                return null;
            });
            writer.shutdown(); // ends with the task
            return cluster;
        }

        /**
         * The decision job reads delivery results (hard bounces) from an empty topic here: the real
         * ones carry today's wall-clock time, and the sample traffic is of 2026-11-02..06, so once the
         * traffic's partitions went idle their watermark would decide everything at once, by timing.
         */
        static final String UNUSED_RESULTS = "unused-delivery-results";

        String bootstrap() {
            return "localhost:" + kafkaPort;
        }

        String script(String name, String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of("bash", SCRIPTS.resolve(name).toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            Map<String, String> env = builder.environment();
            env.put("LCM_RUN", run.toString());
            env.put("LCM_LIB", run.resolveSibling("lib").toString()); // fetched once for all runs
            env.put("KAFKA_PORT", String.valueOf(kafkaPort));
            env.put("KAFKA_CONTROLLER_PORT", String.valueOf(kafkaPort + 1));
            env.put("SMTP_PORT", String.valueOf(smtpPort));
            env.put("SMTP_API_PORT", String.valueOf(smtpApiPort));
            env.put("FLINK_REST_PORT", String.valueOf(flinkRestPort));
            env.put("JOBMANAGER_RPC_PORT", String.valueOf(flinkRestPort - 2000)); // 16081: not Flink's default 6123
            env.put("PROMETHEUS_PORTS", prometheusPorts + "-" + (prometheusPorts + 10));
            env.put("CHECKPOINT_INTERVAL", "2 s");
            env.put("CHECKPOINT_MIN_PAUSE", "1 s");
            // no idleness: event time moves with the records alone (see tick)
            env.put("DECISION_OPTIONS", "--source.idleness 0s --topic.delivery-results " + UNUSED_RESULTS);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            System.out.print(output.lines().filter(line -> line.startsWith("[local]")).map(line -> line + "\n")
                    .reduce("", String::concat));
            if (exit != 0 && !name.equals("flink.sh")) {
                throw new IllegalStateException(name + " failed (" + exit + "):\n" + output);
            }
            return exit + "\n" + output;
        }

        long pid(String process) throws IOException {
            return Long.parseLong(Files.readString(run.resolve("pids/" + process + ".pid")).trim());
        }

        /** Fault {@code round}, in turn: TaskManager crash, broker crash, SMTP frozen, TaskManager crash while sending. */
        void inject(int round) throws Exception {
            switch (round % 4) {
                case 0 -> {
                    Thread.sleep(4_000); // mid-stream: the decision job is reading the traffic
                    script("restart.sh", "taskmanager", "--kill");
                }
                case 1 -> {
                    Thread.sleep(4_000);
                    script("restart.sh", "kafka", "--kill", "--down-for", "5");
                }
                case 2 -> {
                    long smtp = pid("smtp");
                    new ProcessBuilder("kill", "-STOP", String.valueOf(smtp)).start().waitFor();
                    System.out.println("[faults] SMTP server frozen for 20 s");
                    Thread.sleep(20_000);
                    new ProcessBuilder("kill", "-CONT", String.valueOf(smtp)).start().waitFor();
                }
                default -> { // once mails flow: the delivery job dies between sending and recording
                    boolean sending = awaitMailsGrowing();
                    script("restart.sh", "taskmanager", "--kill");
                    System.out.println("[faults] TaskManager killed " + (sending ? "while mails were being sent"
                            : "with no mail sent in the last 60 s (nothing left to send)"));
                }
            }
        }

        /** @return whether a mail arrived within 60 s */
        private boolean awaitMailsGrowing() throws Exception {
            int before = mails().values().stream().mapToInt(Integer::intValue).sum();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (mails().values().stream().mapToInt(Integer::intValue).sum() > before) {
                    return true;
                }
                Thread.sleep(200);
            }
            return false;
        }

        /**
         * Tick {@code n}: one event {@code n} minutes after the traffic's end in every partition of
         * every topic the decision job reads. The jobs run with {@code source.idleness} off, so every
         * partition holds event time back until it has a record: the watermark is the same function
         * of the input in every run, however fast each partition is read and whatever a fault
         * stalled. Tick 1 follows the traffic (the watermark passes its end); tick 2 the faults (in
         * the reference too), since watermarks are not in checkpoints: a job restored after it had
         * read a partition to its end has none until that partition gets a new record.
         */
        void tick(int n) throws Exception {
            mark(Quickstart.TRAFFIC_START.plus(Quickstart.TRAFFIC_SPAN).plus(Duration.ofMinutes(n)), "tick-" + n);
        }

        /**
         * One event at {@code at} in every partition of every topic the decision job reads (of two
         * customers of their own, without consent). Each slice of traffic ends with one: after a
         * restore, a partition whose events were all read before the checkpoint has no watermark
         * until its next record, and without idleness that would hold every decision back to tick 2.
         */
        void mark(Instant at, String name) throws Exception {
            for (int partition = 0; partition < 2; partition++) {
                String customer = "tick-" + partition;
                String id = name + "-" + partition;
                var click = io.lifecyclemail.schema.ClickstreamEvent.newBuilder().setEventId(id)
                        .setEventTime(at).setCustomerId(customer).setType(io.lifecyclemail.schema.ClickType.PAGE_VIEW)
                        .setPageType("home").build();
                var order = io.lifecyclemail.schema.OrderEvent.newBuilder().setEventId(id)
                        .setEventTime(at).setCustomerId(customer).setOrderId(id)
                        .setType(io.lifecyclemail.schema.OrderEventType.CANCELLED).build();
                var profile = io.lifecyclemail.schema.CustomerProfile.newBuilder().setEventId(id)
                        .setEventTime(at).setCustomerId(customer).setMarketingConsent(false).build();
                var stock = io.lifecyclemail.schema.InventoryChange.newBuilder().setEventId(id)
                        .setEventTime(at).setProductId(customer).setStockLevel(1).build();
                var opened = io.lifecyclemail.schema.EngagementEvent.newBuilder().setEventId(id)
                        .setEventTime(at).setCustomerId(customer).setType(io.lifecyclemail.schema.EngagementType.OPENED).build();
                var result = io.lifecyclemail.schema.DeliveryResult.newBuilder().setSendId(id).setCustomerId(customer)
                        .setScenarioId("tick").setStatus(io.lifecyclemail.schema.DeliveryStatus.DELIVERED).setAttempts(1)
                        .setResultTime(at).build();
                topics.produce(LocalTopics.CLICKSTREAM, List.of(raw(customer, click, partition)));
                topics.produce(LocalTopics.ORDERS, List.of(raw(customer, order, partition)));
                topics.produce(LocalTopics.PROFILES, List.of(raw(customer, profile, partition)));
                topics.produce(LocalTopics.INVENTORY, List.of(raw(customer, stock, partition)));
                topics.produce(LocalTopics.ENGAGEMENT, List.of(raw(customer, opened, partition)));
                topics.produce(UNUSED_RESULTS, List.of(raw(customer, result, partition)));
            }
        }

        @SuppressWarnings("unchecked")
        private static <T extends org.apache.avro.specific.SpecificRecord> LocalTopics.Raw raw(String key, T event,
                                                                                               int partition) {
            byte[] value = AvroCodec.of((Class<T>) event.getClass()).encode(event);
            return new LocalTopics.Raw(key, value, Instant.now(), partition);
        }

        /** Until both jobs have committed every input record and the outputs stop changing. */
        void awaitQuiet() throws Exception {
            feeding.get(); // the whole traffic written (a failure to write ends the suite here)
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            awaitCommitted("lifecycle-decision", List.of(LocalTopics.CLICKSTREAM, LocalTopics.ORDERS,
                    LocalTopics.PROFILES, LocalTopics.INVENTORY, LocalTopics.ENGAGEMENT, UNUSED_RESULTS), deadline);
            Outcome previous = null;
            while (true) {
                Thread.sleep(QUIET.toMillis());
                Outcome now = outcome();
                // every send command has its delivery result (a mail accepted, or why not), committed
                java.util.Set<String> answered = resultIds();
                long unanswered = now.commands().keySet().stream().filter(id -> !answered.contains(id)).count();
                if (now.equals(previous) && unanswered == 0) {
                    awaitCommitted("lifecycle-delivery", List.of(LocalTopics.SEND_COMMANDS), deadline);
                    if (outcome().equals(now)) {
                        return;
                    }
                }
                previous = now;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("outputs still changing after 5 minutes (send commands without "
                            + "a delivery result: " + unanswered + " of " + now.commands().size() + ")");
                }
            }
        }

        private void awaitCommitted(String group, List<String> inputs, long deadline) throws Exception {
            while (true) {
                long unread = unread(group, inputs);
                if (unread == 0) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(group + ": " + unread + " records not yet read");
                }
                Thread.sleep(500);
            }
        }

        long unread(String group, List<String> inputs) throws Exception {
            return FaultSuite.unread(bootstrap(), group, inputs);
        }

        Outcome outcome() throws Exception {
            Map<String, Integer> deadLetters = new HashMap<>(); // by job
            AvroCodec<io.lifecyclemail.schema.DeadLetter> codec = AvroCodec.of(io.lifecyclemail.schema.DeadLetter.class);
            for (ConsumerRecord<byte[], byte[]> record : topics.readCommitted(LocalTopics.DEAD_LETTERS)) {
                deadLetters.merge(codec.decode(record.value()).getJob(), 1, Integer::sum);
            }
            return new Outcome(commands(LocalTopics.SEND_COMMANDS), mails(), deadLetters);
        }

        Map<String, Integer> commands(String topic) throws Exception {
            AvroCodec<SendCommand> codec = AvroCodec.of(SendCommand.class);
            Map<String, Integer> counts = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : topics.readCommitted(topic)) {
                counts.merge(codec.decode(record.value()).getSendId(), 1, Integer::sum);
            }
            return counts;
        }

        /** Send ids with a delivery result committed (read_committed). */
        java.util.Set<String> resultIds() throws Exception {
            AvroCodec<io.lifecyclemail.schema.DeliveryResult> codec = AvroCodec.of(io.lifecyclemail.schema.DeliveryResult.class);
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (ConsumerRecord<byte[], byte[]> record : topics.readCommitted(LocalTopics.DELIVERY_RESULTS)) {
                ids.add(codec.decode(record.value()).getSendId());
            }
            return ids;
        }

        private static final Pattern USER_EMAIL = Pattern.compile("\"email\"\\s*:\\s*\"([^\"]+)\"");
        private static final Pattern MESSAGE_ID = Pattern.compile("\"Message-ID\"\\s*:\\s*\"<([^@\"]+)@");

        /** Every mail GreenMail holds, by the send id in its Message-ID. */
        Map<String, Integer> mails() throws Exception {
            Map<String, Integer> counts = new HashMap<>();
            Matcher users = USER_EMAIL.matcher(get("/api/user"));
            while (users.find()) {
                String inbox = get("/api/user/" + URLEncoder.encode(users.group(1), StandardCharsets.UTF_8)
                        + "/messages/INBOX");
                Matcher ids = MESSAGE_ID.matcher(inbox);
                while (ids.find()) {
                    counts.merge(ids.group(1), 1, Integer::sum);
                }
            }
            return counts;
        }

        private String get(String path) throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + smtpApiPort + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GreenMail " + path + ": " + response.statusCode() + " " + response.body());
            }
            return response.body();
        }

        /** What all Prometheus endpoints of the cluster (JobManager, TaskManager) show, one after another. */
        private String scrape() throws Exception {
            StringBuilder all = new StringBuilder();
            for (int port = prometheusPorts; port <= prometheusPorts + 10; port++) {
                try {
                    all.append(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body()).append('\n');
                } catch (IOException notThere) {
                    // the next port
                }
            }
            return all.toString();
        }

        /** The names of the metrics the cluster's Prometheus endpoints show. */
        java.util.Set<String> metricNames() throws Exception {
            java.util.Set<String> names = new java.util.TreeSet<>();
            scrape().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                    .map(line -> line.split("[{ ]", 2)[0]).forEach(names::add);
            return names;
        }

        /** numRestarts of the decision job, from the JobManager's Prometheus endpoint. */
        double decisionRestarts() throws Exception {
            Matcher restarts = Pattern.compile("(?m)^flink_jobmanager_job_numRestarts\\{[^}]*job_name=\"lifecycle_mail_decision\"[^}]*} ([0-9.E]+)")
                    .matcher(scrape());
            if (restarts.find()) {
                return Double.parseDouble(restarts.group(1));
            }
            throw new IllegalStateException("no JobManager metrics with the decision job's restarts");
        }

        /**
         * {@code perTopic} random and as many truncated records into each input topic of both jobs;
         * returns how many each job must turn into dead letters (profiles and engagement are read by both).
         */
        Map<String, Long> produceBadInput(int perTopic) throws Exception {
            Random random = new Random(5);
            Map<String, Long> expected = new java.util.TreeMap<>();
            byte[] valid = AvroCodec.of(io.lifecyclemail.schema.ClickstreamEvent.class).encode(
                    SampleShop.generate(1, 1, Quickstart.TRAFFIC_START, Duration.ofHours(1)).clickstream().get(0));
            // delivery results: the topic the decision job reads them from here (see UNUSED_RESULTS)
            for (String topic : List.of(LocalTopics.CLICKSTREAM, LocalTopics.ORDERS, LocalTopics.PROFILES,
                    LocalTopics.INVENTORY, LocalTopics.ENGAGEMENT, UNUSED_RESULTS)) {
                List<LocalTopics.Raw> bad = new ArrayList<>();
                for (int i = 0; i < perTopic; i++) {
                    byte[] noise = new byte[1 + random.nextInt(200)];
                    random.nextBytes(noise);
                    bad.add(new LocalTopics.Raw("bad-" + i, noise, Instant.now()));
                    bad.add(new LocalTopics.Raw("cut-" + i, java.util.Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 1)),
                            Instant.now()));
                }
                topics.produce(topic, bad);
                expected.merge(io.lifecyclemail.decision.DecisionJob.JOB, (long) bad.size(), Long::sum);
                if (topic.equals(LocalTopics.PROFILES) || topic.equals(LocalTopics.ENGAGEMENT)) {
                    expected.merge(io.lifecyclemail.delivery.DeliveryJob.JOB, (long) bad.size(), Long::sum);
                }
            }
            return expected;
        }

        /** Three bad scenario folders submitted as a new decision job: each must be refused. */
        List<String> submitBadScenarios(Path folder) throws Exception {
            Map<String, String> payloads = Map.of(
                    "invalid.yaml", "apiVersion: lifecyclemail.io/v1\nkind: CartAbandonment\nmetadata: {id: broken\nspec:\n  wait: 2h\n",
                    "alias-bomb.yaml", aliasBomb(),
                    "type-construction.yaml", "apiVersion: lifecyclemail.io/v1\nkind: CartAbandonment\nmetadata:\n  id: evil\n"
                            + "spec: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://127.0.0.1:1/\"]]]]\n");
            List<String> rejections = new ArrayList<>();
            String decisionBefore = script("flink.sh", "list", "-r");
            for (Map.Entry<String, String> payload : payloads.entrySet()) {
                Path dir = Files.createDirectories(folder.resolve(payload.getKey().replace(".yaml", "")));
                Files.writeString(dir.resolve(payload.getKey()), payload.getValue());
                String result = script("flink.sh", "run", "-d", jobJar("decision"), "--kafka.bootstrap-servers", bootstrap(),
                        "--kafka.group-id", "bad-" + rejections.size(), "--kafka.transactional-id-prefix", "bad",
                        "--scenarios.dir", dir.toString());
                if (!result.startsWith("0\n") && result.contains(payload.getKey())) {
                    rejections.add(payload.getKey() + ": " + result.lines().filter(line -> line.contains(payload.getKey()))
                            .findFirst().orElse("").trim());
                    System.out.println("[faults] rejected " + rejections.get(rejections.size() - 1));
                }
            }
            String decisionAfter = script("flink.sh", "list", "-r");
            if (!runningIds(decisionAfter).equals(runningIds(decisionBefore))) {
                throw new IllegalStateException("the running jobs changed after bad scenario files:\n" + decisionAfter);
            }
            return rejections;
        }

        private static List<String> runningIds(String list) {
            return list.lines().filter(line -> line.contains("(RUNNING)")).map(line -> line.split(" : ")[1]).sorted().toList();
        }

        private static String aliasBomb() {
            StringBuilder yaml = new StringBuilder("apiVersion: lifecyclemail.io/v1\nkind: CartAbandonment\n"
                    + "metadata:\n  id: bomb\nspec:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
            for (int i = 1; i < 9; i++) {
                yaml.append("  a").append(i).append(": &a").append(i).append(" [");
                for (int j = 0; j < 9; j++) {
                    yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
                }
                yaml.append("]\n");
            }
            return yaml.toString();
        }

        private String jobJar(String job) throws IOException {
            try (var files = Files.list(SCRIPTS.resolve("../../jobs/" + job + "/target").normalize())) {
                return files.filter(f -> f.getFileName().toString().endsWith("-job.jar")).findFirst().orElseThrow().toString();
            }
        }

        /**
         * A decision job over the same input whose sink never commits (no checkpoint completes in
         * its run), in place of the decision job (whose slots it takes): it must write its send
         * commands (read uncommitted) and the checker must count them all as lost.
         * @return how many of the reference's send commands are missing from its committed output
         */
        int controlRun(Map<String, String> reference) throws Exception {
            int referenceCommands = reference.size();
            for (String line : script("flink.sh", "list", "-r").lines().toList()) {
                if (line.contains(" : lifecycle-mail decision (RUNNING)")) {
                    script("flink.sh", "cancel", line.split(" : ")[1]);
                }
            }
            script("flink.sh", "run", "-d", "-Dexecution.checkpointing.interval=1 d", jobJar("decision"),
                    "--kafka.bootstrap-servers", bootstrap(), "--kafka.group-id", "control",
                    "--kafka.transactional-id-prefix", "control", "--topic.send-commands", "send-commands-control",
                    "--topic.decisions", "decisions-control", "--topic.conversions", "conversions-control",
                    "--topic.rfm", "rfm-control", "--topic.rfm-summary", "rfm-summary-control",
                    "--topic.dead-letters", "dead-letters-control", "--topic.delivery-results", UNUSED_RESULTS,
                    "--source.idleness", "0s");
            // until it wrote them all, or wrote nothing new for a minute (it reads everything at once: slow here)
            long written = 0;
            long grewAt = System.nanoTime();
            long deadline = grewAt + Duration.ofMinutes(10).toNanos();
            while (written < referenceCommands && System.nanoTime() < deadline
                    && System.nanoTime() - grewAt < Duration.ofMinutes(1).toNanos()) {
                Thread.sleep(2_000);
                long now = uncommitted("send-commands-control");
                if (now > written) {
                    written = now;
                    grewAt = System.nanoTime();
                }
            }
            System.out.printf("[faults] control: %d send commands written, never committed%n", written);
            if (written < referenceCommands) {
                explainControl(reference);
            }
            // The control must have run for its losses to mean something. It reads four days of input at
            // once, where the jobs above read it as it came, and then decides a few percent of the
            // sends differently (docs/reliability.md, "the control"): not all, but most of them.
            if (written < referenceCommands * 9L / 10) {
                throw new IllegalStateException("the control job wrote only " + written + " of " + referenceCommands
                        + " send commands: it did not run, so it shows nothing about the checker");
            }
            return referenceCommands - commands("send-commands-control").size();
        }

        /** Which of the reference's send commands the control did not write, and what it decided for them. */
        private void explainControl(Map<String, String> reference) throws Exception {
            AvroCodec<SendCommand> commandCodec = AvroCodec.of(SendCommand.class);
            java.util.Set<String> written = new java.util.HashSet<>();
            for (byte[] value : uncommittedValues("send-commands-control")) {
                written.add(commandCodec.decode(value).getSendId());
            }
            AvroCodec<io.lifecyclemail.schema.Decision> decisionCodec = AvroCodec.of(io.lifecyclemail.schema.Decision.class);
            Map<String, String> decided = new HashMap<>();
            Map<String, Integer> controlRules = new java.util.TreeMap<>();
            for (byte[] value : uncommittedValues("decisions-control")) {
                var decision = decisionCodec.decode(value);
                decided.merge(decision.getDecisionId(), decision.getOutcome() + " " + decision.getRule(), (a, b) -> a + ", " + b);
                controlRules.merge(decision.getOutcome() + " " + decision.getRule(), 1, Integer::sum);
            }
            Map<String, Integer> rules = new java.util.TreeMap<>();
            for (var decision : topics.read(LocalTopics.DECISIONS, io.lifecyclemail.schema.Decision.class)) {
                rules.merge(decision.getOutcome() + " " + decision.getRule(), 1, Integer::sum);
            }
            java.util.Set<String> all = new java.util.TreeSet<>(rules.keySet());
            all.addAll(controlRules.keySet());
            for (String rule : all) {
                if (!java.util.Objects.equals(rules.get(rule), controlRules.get(rule))) {
                    System.out.printf("[faults] decisions %s: %d in the faulted run, %d in the control%n", rule,
                            rules.getOrDefault(rule, 0), controlRules.getOrDefault(rule, 0));
                }
            }
            List<String> missing = reference.keySet().stream().filter(id -> !written.contains(id)).sorted().toList();
            Map<String, Long> byScenario = new java.util.TreeMap<>();
            missing.forEach(id -> byScenario.merge(reference.get(id).split(" ")[0], 1L, Long::sum));
            System.out.printf("[faults] control: %d of the reference's send commands not written, by scenario/step: %s;"
                    + " %d written that the reference has not%n", missing.size(), byScenario,
                    written.stream().filter(id -> !reference.containsKey(id)).count());
            missing.stream().limit(20).forEach(id -> System.out.println("[faults] control lacks " + id + " ("
                    + reference.get(id) + "): it decided " + decided.getOrDefault(id, "nothing")));
        }

        /** For each send id of the reference missing here: what this run decided for it, if anything. */
        void explainLost(Map<String, String> reference, java.util.Set<String> here) throws Exception {
            List<String> lost = reference.keySet().stream().filter(id -> !here.contains(id)).sorted().toList();
            if (lost.isEmpty()) {
                return;
            }
            Map<String, List<String>> decided = new HashMap<>();
            for (var decision : topics.read(LocalTopics.DECISIONS, io.lifecyclemail.schema.Decision.class)) {
                decided.computeIfAbsent(decision.getDecisionId(), id -> new ArrayList<>()).add(decision.getOutcome()
                        + " " + decision.getRule() + " " + decision.getScenarioId() + " " + decision.getCustomerId()
                        + " trigger " + decision.getTriggerTime());
            }
            for (String id : lost) {
                System.out.println("[faults] lost " + id + " (" + reference.get(id) + "): here "
                        + decided.getOrDefault(id, List.of("no decision")));
            }
        }

        /** Records in a topic as a read_uncommitted consumer sees them: open transactions included. */
        long uncommitted(String topic) {
            return uncommittedValues(topic).size();
        }

        /** Every record's value in a topic, committed or not (read_uncommitted). */
        List<byte[]> uncommittedValues(String topic) {
            Properties props = new Properties();
            props.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
            props.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
            List<byte[]> values = new ArrayList<>();
            try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(props,
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < until) {
                    consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
                }
            }
            return values;
        }

        @Override
        public void close() throws Exception {
            script("down.sh", "--discard-state");
        }
    }
}
