package io.lifecyclemail.quickstart;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.lifecyclemail.common.flink.Ingest;
import io.lifecyclemail.common.kafka.KafkaOptions;
import io.lifecyclemail.common.options.Option;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.common.tokens.TokenOptions;
import io.lifecyclemail.decision.DecisionJob;
import io.lifecyclemail.decision.DecisionOptions;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.delivery.DeliveryJob;
import io.lifecyclemail.delivery.DeliveryOptions;
import io.lifecyclemail.delivery.mail.SmtpSettings;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.EngagementType;
import io.lifecyclemail.schema.InventoryChange;
import io.lifecyclemail.schema.OrderEvent;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import io.lifecyclemail.tracking.TrackingService;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.jobmaster.JobResult;

/**
 * Runs the whole engine on this machine with nothing installed: an in-process Kafka broker, an
 * in-process SMTP server, a Flink mini cluster with RocksDB and checkpoints, both jobs, and a
 * day and a half of a small shop's traffic. Prints what happened and where the mails are.
 */
public final class Quickstart {
    static final Instant TRAFFIC_START = Instant.parse("2026-11-02T00:00:00Z");
    static final Duration TRAFFIC_SPAN = Duration.ofDays(4);

    private Quickstart() {}

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(OPTIONS, args);
        if (!settings.get(PRODUCE_TO).isBlank()) { // feed a running cluster (deploy/local) instead
            SampleShop.Traffic traffic = SampleShop.generate(settings.get(CUSTOMERS), settings.get(SEED),
                    TRAFFIC_START, TRAFFIC_SPAN);
            produce(new LocalTopics(settings.get(PRODUCE_TO)), traffic);
            System.out.printf("wrote %d events of %d customers (%s to %s) to %s%n", traffic.size(),
                    settings.get(CUSTOMERS), TRAFFIC_START, TRAFFIC_START.plus(TRAFFIC_SPAN), settings.get(PRODUCE_TO));
            System.exit(0);
        }
        Path work = Path.of(settings.get(WORK_DIR)).toAbsolutePath();
        int exit = new Run(work, settings.get(CUSTOMERS), settings.get(SEED)).call();
        System.exit(exit);
    }

    static final Option<String> WORK_DIR = Option.string("work-dir", "target/quickstart",
            "Where the broker, checkpoints and the delivered mails (.eml) go; emptied first.");
    static final Option<Integer> CUSTOMERS = Option.integer("customers", 3000, "Customers in the sample shop.");
    static final Option<Integer> SEED = Option.integer("seed", 42, "Seed of the sample traffic.");
    static final Option<String> PRODUCE_TO = Option.string("produce-to", "",
            "Only write the sample traffic to the Kafka at these bootstrap servers (a running cluster) and stop.");
    static final List<Option<?>> OPTIONS = List.of(WORK_DIR, CUSTOMERS, SEED, PRODUCE_TO);

    /** One quickstart run. */
    static final class Run {
        private final Path work;
        private final int customers;
        private final long seed;

        Run(Path work, int customers, long seed) {
            this.work = work;
            this.customers = customers;
            this.seed = seed;
        }

        int call() throws Exception {
            deleteRecursively(work);
            Files.createDirectories(work);
            step("Starting an in-process Kafka broker (KRaft) and SMTP server (GreenMail)");
            long started = System.nanoTime();
            int smtpPort = freePort();
            GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            smtp.start();
            Path tokenKey = newTokenKey(work);
            try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                 TrackingService tracking = tracking(kafka.bootstrapServers(), tokenKey)) {
                LocalTopics topics = new LocalTopics(kafka.bootstrapServers());
                topics.createAll(kafka, 2);
                String trackingUrl = "http://127.0.0.1:" + tracking.port();
                say("Kafka at %s, SMTP at 127.0.0.1:%d, tracking service (unsubscribe, opens, clicks) at %s",
                        kafka.bootstrapServers(), smtpPort, trackingUrl);

                SampleShop.Traffic traffic = SampleShop.generate(customers, seed, TRAFFIC_START, TRAFFIC_SPAN);
                step("Writing %d events of %d customers (%s to %s) to Kafka", traffic.size(), customers,
                        TRAFFIC_START, TRAFFIC_START.plus(TRAFFIC_SPAN));
                produce(topics, traffic);
                List<LocalTopics.Raw> bad = malformedRecords(seed);
                topics.produce(LocalTopics.CLICKSTREAM, bad);
                say("%d profiles, %d clickstream events, %d order events, %d stock changes, plus %d malformed records",
                        traffic.profiles().size(), traffic.clickstream().size(), traffic.orders().size(),
                        traffic.inventory().size(), bad.size());

                step("Starting a Flink mini cluster (RocksDB state, checkpoints every 2s) and submitting both jobs");
                try (LocalFlink flink = LocalFlink.start(LocalFlink.configuration(work, Duration.ofSeconds(2)), 4)) {
                    Settings decision = decisionSettings(kafka.bootstrapServers(), TRAFFIC_START.plus(TRAFFIC_SPAN));
                    ScenarioLoader.Configuration configuration = DecisionJob.loadConfiguration(decision);
                    say("Scenarios: %s", configuration.scenarios().stream().map(s -> s.kind() + " '" + s.id() + "'"
                            + (s.enabled() ? "" : " (disabled)")).toList());
                    say("Governor policy: %s", configuration.policy());
                    JobID decisionJob = flink.submit(DecisionJob.NAME,
                            env -> DecisionJob.wire(env, decision, configuration), null);
                    JobID deliveryJob = flink.submit(DeliveryJob.NAME,
                            env -> DeliveryJob.wire(env, deliverySettings(kafka.bootstrapServers(), smtpPort, tokenKey, trackingUrl)), null);
                    Summary summary = watch(flink, decisionJob, deliveryJob, topics, smtp);
                    if (summary == null) {
                        return 1;
                    }
                    Path mails = saveMails(smtp);
                    report(summary, topics, mails, smtp, Duration.ofNanos(System.nanoTime() - started));
                    unsubscribeOnce(smtp, topics);
                }
            } finally {
                smtp.stop();
            }
            return 0;
        }

        /** A bounded replay that decides what is due up to {@code until}, not what falls due later. */
        /** A fresh random key for link tokens, in a file only this user can read. */
        static Path newTokenKey(Path folder) throws IOException {
            byte[] key = new byte[48];
            new java.security.SecureRandom().nextBytes(key);
            Path file = folder.resolve("token-key");
            Files.writeString(file, java.util.Base64.getEncoder().encodeToString(key));
            try {
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the folder's permissions apply
            }
            return file;
        }

        /** The tracking service on a free port, writing to the local engagement topic. */
        static TrackingService tracking(String bootstrap, Path tokenKeyFile) throws IOException {
            Settings settings = Settings.parse(TrackingService.options())
                    .with(KafkaOptions.BOOTSTRAP_SERVERS, bootstrap)
                    .with(TrackingService.BIND, "127.0.0.1")
                    .with(TrackingService.PORT, 0)
                    .with(TokenOptions.SECRET_FILE, tokenKeyFile.toString());
            return TrackingService.start(settings, TokenOptions.tokens(settings));
        }

        static Settings decisionSettings(String bootstrap, Instant until) {
            return Settings.parse(DecisionOptions.all())
                    .with(KafkaOptions.BOOTSTRAP_SERVERS, bootstrap)
                    .with(DecisionOptions.DECIDE_UNTIL, until.toString())
                    .with(KafkaOptions.BOUNDED, true)
                    .with(KafkaOptions.STARTING_OFFSETS, KafkaOptions.StartingOffsets.EARLIEST);
        }

        /**
         * @param tokenKeyFile the key that signs unsubscribe, open and click links
         * @param trackingBaseUrl where the tracking service listens
         */
        static Settings deliverySettings(String bootstrap, int smtpPort, Path tokenKeyFile, String trackingBaseUrl) {
            return Settings.parse(DeliveryOptions.all())
                    .with(TokenOptions.SECRET_FILE, tokenKeyFile.toString())
                    .with(TokenOptions.TRACKING_BASE_URL, trackingBaseUrl)
                    .with(KafkaOptions.BOOTSTRAP_SERVERS, bootstrap)
                    .with(KafkaOptions.STARTING_OFFSETS, KafkaOptions.StartingOffsets.EARLIEST)
                    .with(DeliveryOptions.SMTP_HOST, "127.0.0.1")
                    .with(DeliveryOptions.SMTP_PORT, smtpPort)
                    .with(DeliveryOptions.SMTP_SECURITY, SmtpSettings.Security.NONE)
                    .with(DeliveryOptions.FIRST_BACKOFF, Duration.ofSeconds(1))
                    .with(DeliveryOptions.CONTACT_WAIT, Duration.ofSeconds(30));
        }

        record Summary(long eventsRead, long deadLetters, JobResult decisionResult) {}

        private Summary watch(LocalFlink flink, JobID decisionJob, JobID deliveryJob, LocalTopics topics, GreenMail smtp)
                throws Exception {
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            long settledSince = -1;
            while (System.nanoTime() < deadline) {
                Thread.sleep(2000);
                JobStatus decisionStatus = flink.status(decisionJob);
                JobStatus deliveryStatus = flink.status(deliveryJob);
                int commands = topics.readCommitted(LocalTopics.SEND_COMMANDS).size();
                int results = topics.readCommitted(LocalTopics.DELIVERY_RESULTS).size();
                int inbox = smtp.getReceivedMessages().length;
                say("decision job %-9s | send commands %5d | delivery job %-9s | mails accepted by SMTP %5d | results %5d",
                        decisionStatus, commands, deliveryStatus, inbox, results);
                if (decisionStatus.isGloballyTerminalState() && decisionStatus != JobStatus.FINISHED
                        || deliveryStatus.isGloballyTerminalState()) {
                    say("A job stopped unexpectedly: decision %s, delivery %s", decisionStatus, deliveryStatus);
                    failure(flink, decisionJob);
                    failure(flink, deliveryJob);
                    return null;
                }
                if (decisionStatus == JobStatus.FINISHED && results >= commands) {
                    // results are committed with the next checkpoint; one more look makes sure nothing trails
                    if (settledSince > 0) {
                        flink.cancel(deliveryJob);
                        JobResult decisionResult = flink.awaitResult(decisionJob);
                        Map<String, Object> accumulators = decisionResult.getAccumulatorResults().isEmpty()
                                ? Map.of() : accumulatorValues(decisionResult);
                        long read = 0;
                        long rejected = 0;
                        for (String input : List.of("clickstream", "orders", "profiles", "inventory")) {
                            read += ((Number) accumulators.getOrDefault(Ingest.recordsCounter(input), 0L)).longValue();
                            rejected += ((Number) accumulators.getOrDefault(Ingest.deadLettersCounter(input), 0L)).longValue();
                        }
                        return new Summary(read, rejected, decisionResult);
                    }
                    settledSince = System.nanoTime();
                }
            }
            say("Gave up after 10 minutes.");
            return null;
        }

        private static Map<String, Object> accumulatorValues(JobResult result) throws Exception {
            Map<String, Object> values = new java.util.HashMap<>();
            for (var entry : result.getAccumulatorResults().entrySet()) {
                values.put(entry.getKey(), entry.getValue().deserializeValue(Quickstart.class.getClassLoader())
                        .getUnchecked());
            }
            return values;
        }

        private static void failure(LocalFlink flink, JobID job) throws Exception {
            if (!flink.status(job).isGloballyTerminalState()) {
                flink.cancel(job);
                return;
            }
            flink.awaitResult(job).getSerializedThrowable().ifPresent(error ->
                    say("  %s failed: %s", job, error.getFullStringifiedStackTrace()));
        }

        /** Outcomes counted once per candidate: a DEFERRED record is followed by the final one. */
        private static Map<DecisionOutcome, Long> latestOutcomes(List<Decision> decisions) {
            Map<String, DecisionOutcome> latest = new java.util.LinkedHashMap<>();
            decisions.forEach(d -> latest.put(d.getDecisionId(), d.getOutcome()));
            Map<DecisionOutcome, Long> counts = new java.util.EnumMap<>(DecisionOutcome.class);
            latest.values().forEach(outcome -> counts.merge(outcome, 1L, Long::sum));
            return counts;
        }

        /** The decisions and conversions as Avro JSON lines, the exports docs/governance.md computes uplift from. */
        private Path exportForAnalysts(List<Decision> decisions, List<io.lifecyclemail.schema.Conversion> conversions)
                throws Exception {
            Path folder = Files.createDirectories(work.resolve("exports"));
            var decisionLines = io.lifecyclemail.common.files.AvroJsonLines.of(Decision.class);
            var conversionLines = io.lifecyclemail.common.files.AvroJsonLines.of(io.lifecyclemail.schema.Conversion.class);
            Files.write(folder.resolve("decisions.jsonl"), decisions.stream().map(decisionLines::encode).toList());
            Files.write(folder.resolve("conversions.jsonl"), conversions.stream().map(conversionLines::encode).toList());
            return folder;
        }

        private Path saveMails(GreenMail smtp) throws Exception {
            Path folder = work.resolve("mails");
            Files.createDirectories(folder);
            for (MimeMessage message : smtp.getReceivedMessages()) {
                String id = message.getMessageID().replaceAll("[<>]", "").replaceAll("@.*", "");
                try (OutputStream out = Files.newOutputStream(folder.resolve(id + ".eml"))) {
                    message.writeTo(out);
                }
            }
            return folder;
        }

        private void report(Summary summary, LocalTopics topics, Path mails, GreenMail smtp, Duration took)
                throws Exception {
            List<Decision> decisions = topics.read(LocalTopics.DECISIONS, Decision.class);
            List<DeliveryResult> results = topics.read(LocalTopics.DELIVERY_RESULTS, DeliveryResult.class);
            long commands = topics.readCommitted(LocalTopics.SEND_COMMANDS).size();
            long deadLetters = topics.readCommitted(LocalTopics.DEAD_LETTERS).size();
            Map<String, Long> byScenario = new java.util.TreeMap<>();
            decisions.stream().filter(d -> d.getOutcome() != DecisionOutcome.DEFERRED)
                    .forEach(d -> byScenario.merge(d.getScenarioId(), 1L, Long::sum));
            long delivered = results.stream().filter(r -> r.getStatus() == DeliveryStatus.DELIVERED).count();
            MimeMessage[] inbox = smtp.getReceivedMessages();
            step("Summary (%ds)", took.toSeconds());
            say("events read:        %d", summary.eventsRead());
            say("dead letters:       %d (topic dead-letters: %d, with topic/partition/offset and the error)",
                    summary.deadLetters(), deadLetters);
            long candidates = decisions.stream().map(Decision::getDecisionId).distinct().count();
            say("triggers:           %d candidates (%d decision records; a DEFERRED one is followed by the final one) %s",
                    candidates, decisions.size(), byScenario);
            say("outcomes:           %s (latest record per candidate: docs/topics.md; the rules: docs/governance.md)",
                    latestOutcomes(decisions));
            say("send commands:      %d", commands);
            List<io.lifecyclemail.schema.RfmRecord> rfm = topics.read(LocalTopics.RFM, io.lifecyclemail.schema.RfmRecord.class);
            say("rfm:                %d records for %d customers (topic rfm: recency, frequency, monetary, scores, rank, LTV)",
                    rfm.size(), rfm.stream().map(io.lifecyclemail.schema.RfmRecord::getCustomerId).distinct().count());
            List<io.lifecyclemail.schema.RfmSummary> summaries =
                    topics.read(LocalTopics.RFM_SUMMARY, io.lifecyclemail.schema.RfmSummary.class);
            if (!summaries.isEmpty()) {
                io.lifecyclemail.schema.RfmSummary last = summaries.get(summaries.size() - 1);
                say("rfm-summary:        %d summaries; as of %s: %d buyers, repeat rate %.2f, boundaries R %s F %s M %s, "
                                + "branching point %d", summaries.size(), last.getAsOf(), last.getBuyers(), last.getRepeatRate(),
                        last.getRecencyBoundaries(), last.getFrequencyBoundaries(), last.getMonetaryBoundaries(),
                        last.getBranchingPoint());
                say("ranks:              %s", last.getRanks().stream()
                        .map(rank -> rank.getRank() + " " + rank.getCustomers() + " (LTV " + rank.getLtvMinor() + ")").toList());
            }
            List<io.lifecyclemail.schema.Conversion> conversions =
                    topics.read(LocalTopics.CONVERSIONS, io.lifecyclemail.schema.Conversion.class);
            say("conversions:        %d orders credited to a mail or holdout (topic conversions)", conversions.size());
            Path exports = exportForAnalysts(decisions, conversions);
            say("uplift (UpliftReport over %s):", Path.of("").toAbsolutePath().relativize(exports.toAbsolutePath()));
            io.lifecyclemail.decision.govern.UpliftReport.run(exports.resolve("decisions.jsonl"),
                    exports.resolve("conversions.jsonl"), System.out);
            say("delivery results:   %d DELIVERED of %d", delivered, results.size());
            say("mails delivered: %d", inbox.length);
            say("");
            say("The mails as the SMTP server received them: %s (%d .eml files; open one in any mail program)",
                    mails, countFiles(mails));
            for (String language : List.of("ja", "en")) {
                for (MimeMessage message : inbox) {
                    String[] contentLanguage = message.getHeader("Content-Language");
                    if (contentLanguage != null && contentLanguage[0].startsWith(language)) {
                        say("  e.g. [%s] To: %s  Subject: %s", language,
                                ((jakarta.mail.internet.InternetAddress) message.getRecipients(Message.RecipientType.TO)[0]).toUnicodeString(),
                                message.getSubject());
                        break;
                    }
                }
            }
        }

        /** What a reader's mail program does with the List-Unsubscribe-Post header, and what comes of it. */
        private void unsubscribeOnce(GreenMail smtp, LocalTopics topics) throws Exception {
            for (MimeMessage message : smtp.getReceivedMessages()) {
                String[] header = message.getHeader("List-Unsubscribe");
                if (header == null) {
                    continue;
                }
                String url = header[0].substring(1, header[0].length() - 1);
                var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
                List<EngagementEvent> recorded = topics.read(LocalTopics.ENGAGEMENT, EngagementEvent.class).stream()
                        .filter(event -> event.getType() == EngagementType.UNSUBSCRIBED).toList();
                step("One-click unsubscribe (RFC 8058), as a mail program does it");
                say("POST %s... -> HTTP %d", url.substring(0, Math.min(url.length(), 60)), response.statusCode());
                for (EngagementEvent event : recorded) {
                    say("engagement topic: %s customer %s scenario %s (send %s); the governor and the delivery job "
                            + "suppress this customer's marketing mail from now on", event.getType(), event.getCustomerId(),
                            event.getScenarioId(), event.getSendId());
                }
                return;
            }
        }

        private static long countFiles(Path folder) throws IOException {
            try (Stream<Path> files = Files.list(folder)) {
                return files.count();
            }
        }
    }

    /** Records a real shop's pipeline can produce by mistake: noise, and valid Avro of another type. */
    static List<LocalTopics.Raw> malformedRecords(long seed) {
        Random random = new Random(seed);
        List<LocalTopics.Raw> bad = new ArrayList<>();
        Instant time = TRAFFIC_START.plus(Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            byte[] noise = new byte[16 + random.nextInt(64)];
            random.nextBytes(noise);
            bad.add(new LocalTopics.Raw("noise-" + i, noise, time));
        }
        OrderEvent order = OrderEvent.newBuilder().setEventId("wrong-topic-1").setEventTime(time)
                .setCustomerId(SampleShop.customerId(0)).setOrderId("o-wrong").setType(io.lifecyclemail.schema.OrderEventType.PLACED)
                .build();
        bad.add(LocalTopics.encoded(order.getCustomerId(), order, time, OrderEvent.class));
        ClickstreamEvent noCustomer = ClickstreamEvent.newBuilder().setEventId("no-customer-1").setEventTime(time)
                .setCustomerId("").setType(io.lifecyclemail.schema.ClickType.PAGE_VIEW).build();
        bad.add(LocalTopics.encoded("", noCustomer, time, ClickstreamEvent.class));
        return bad;
    }

    static void produce(LocalTopics topics, SampleShop.Traffic traffic) throws Exception {
        topics.produce(LocalTopics.PROFILES, traffic.profiles(), CustomerProfile.class,
                CustomerProfile::getCustomerId, CustomerProfile::getEventTime);
        topics.produce(LocalTopics.CLICKSTREAM, traffic.clickstream(), ClickstreamEvent.class,
                ClickstreamEvent::getCustomerId, ClickstreamEvent::getEventTime);
        topics.produce(LocalTopics.ORDERS, traffic.orders(), OrderEvent.class,
                OrderEvent::getCustomerId, OrderEvent::getEventTime);
        topics.produce(LocalTopics.INVENTORY, traffic.inventory(), InventoryChange.class,
                InventoryChange::getProductId, InventoryChange::getEventTime);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static void step(String format, Object... args) {
        System.out.printf("%n==> " + format + "%n", args);
    }

    private static void say(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }
}
