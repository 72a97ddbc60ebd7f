package io.lifecyclemail.quickstart;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.delivery.Commands;
import io.lifecyclemail.delivery.DeliveryJob;
import io.lifecyclemail.delivery.DeliveryOptions;
import io.lifecyclemail.delivery.mail.MailContent;
import io.lifecyclemail.delivery.mail.RenderedMail;
import io.lifecyclemail.delivery.mail.SmtpMailer;
import io.lifecyclemail.delivery.mail.SmtpSettings;
import io.lifecyclemail.delivery.mail.Templates;
import io.lifecyclemail.delivery.smtp.ScriptedSmtpServer;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.ContactState;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.JobID;

/**
 * W4, delivery: mails per second from the send-commands topic (a real Kafka broker) to accepted by a
 * local SMTP server, through the delivery job on a Flink mini cluster (parallelism 2, RocksDB,
 * exactly-once results, checkpoints every second). Side by side in one run, against two servers:
 * GreenMail (parses and stores every mail) and a sink that accepts and counts; and, for each, a plain
 * loop of SMTP clients sending the same mails pre-rendered, which shows what the server itself can take.
 *
 * <pre>mvn -q -Pbenchmark -DskipTests install -Dbenchmark.main=DeliveryBenchmark -Dbenchmark.args="20000 2 [sink]"</pre>
 * ({@code sink}: only the counting sink, e.g. to profile the job with {@code -Dbenchmark.jvm=-XX:StartFlightRecording=...}.)
 */
public final class DeliveryBenchmark {
    static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");
    static final int DOMAINS = 50;
    static final int CONNECTIONS = 4;

    private DeliveryBenchmark() {}

    public static void main(String[] args) throws Exception {
        int mails = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        boolean sinkOnly = args.length > 2 && args[2].equals("sink"); // e.g. to profile the job alone
        Path work = Files.createTempDirectory("delivery-benchmark");
        List<String> rows = new ArrayList<>();
        try (LocalServices services = LocalServices.start(work)) {
            System.out.printf("writing %,d profiles and %,d send commands to Kafka%n", mails, mails);
            List<CustomerProfile> profiles = new ArrayList<>();
            List<SendCommand> commands = new ArrayList<>();
            for (int i = 0; i < mails; i++) {
                String customer = "c" + i;
                String locale = List.of("ja-JP", "en-US", "zh-CN", "ko-KR").get(i % 4);
                profiles.add(CustomerProfile.newBuilder().setEventId("p" + i).setEventTime(T0).setCustomerId(customer)
                        .setEmail(customer + "@d" + (i % DOMAINS) + ".example").setName("Customer " + i).setLocale(locale)
                        .setMarketingConsent(true).build());
                commands.add(SendCommand.newBuilder().setSendId("s" + i).setCustomerId(customer)
                        .setScenarioId("cart-abandonment").setScenarioVersion(1).setScenarioKind("CartAbandonment")
                        .setStep("reminder").setTemplate("cart-abandonment").setTriggerEventId("e" + i).setTriggerTime(T0)
                        .setItems(List.of(new ItemLine(SampleShop.product(i % 40), 1), new ItemLine(SampleShop.product((i + 7) % 40), 2)))
                        .setAttributes(Map.of()).build());
            }
            services.topics.produce(LocalTopics.PROFILES, profiles, CustomerProfile.class, CustomerProfile::getCustomerId,
                    CustomerProfile::getEventTime);
            services.topics.produce(LocalTopics.SEND_COMMANDS, commands, SendCommand.class, SendCommand::getCustomerId,
                    SendCommand::getTriggerTime);
            Path key = Quickstart.Run.newTokenKey(work);

            for (int round = 1; round <= rounds; round++) {
                try (ScriptedSmtpServer sink = new ScriptedSmtpServer(false)) {
                    rows.add(row(round, "plain SMTP clients (" + CONNECTIONS * 2 + " connections) -> counting sink",
                            mails, rawSend(sink.port(), commands, profiles), null));
                }
                try (ScriptedSmtpServer sink = new ScriptedSmtpServer(false)) {
                    rows.add(row(round, "delivery job (p=2, " + CONNECTIONS + " connections each) -> counting sink", mails,
                            viaJob(services, key, sink.port(), "sink-" + round, sink::accepted, mails), null));
                }
                if (sinkOnly) {
                    continue;
                }
                int port = freePort();
                GreenMail greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
                greenMail.start();
                try {
                    rows.add(row(round, "plain SMTP clients (" + CONNECTIONS * 2 + " connections) -> GreenMail", mails,
                            rawSend(port, commands, profiles), null));
                    greenMail.purgeEmailFromAllMailboxes();
                    rows.add(row(round, "delivery job (p=2, " + CONNECTIONS + " connections each) -> GreenMail", mails,
                            viaJob(services, key, port, "greenmail-" + round, () -> greenMail.getReceivedMessages().length,
                                    mails), null));
                } finally {
                    greenMail.stop();
                }
            }
        }
        System.out.println();
        System.out.println("| round | path | mails | steady mails/s (10 %..90 % accepted) | wall time from job start |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    record Measured(double steadyPerSecond, Duration wall) {}

    static String row(int round, String path, int mails, Measured measured, String note) {
        String row = String.format("| %d | %s | %,d | %,.0f | %.1f s |", round, path, mails, measured.steadyPerSecond(),
                measured.wall().toMillis() / 1000.0);
        System.out.println(row);
        return row;
    }

    /** The delivery job from an empty consumer group; timed until the server has accepted every mail. */
    static Measured viaJob(LocalServices services, Path key, int smtpPort, String group, LongSupplier accepted,
                           int mails) throws Exception {
        Settings settings = Quickstart.Run.deliverySettings(services.kafka.bootstrapServers(), smtpPort, key,
                        "https://t.example.com")
                .with(DeliveryOptions.GROUP_ID, "bench-" + group)
                .with(DeliveryOptions.TRANSACTIONAL_ID_PREFIX, "bench-" + group)
                .with(DeliveryOptions.CONNECTIONS, CONNECTIONS);
        long start = System.nanoTime();
        JobID job = services.flink.submit(DeliveryJob.NAME, env -> DeliveryJob.wire(env, settings), null);
        Measured measured = watch(accepted, mails, start, Duration.ofMinutes(10));
        services.flink.cancel(job);
        return measured;
    }

    /** The same mails rendered up front, sent by plain Jakarta Mail clients as fast as they go. */
    static Measured rawSend(int smtpPort, List<SendCommand> commands, List<CustomerProfile> profiles) throws Exception {
        Templates templates = new Templates(null, "en");
        SmtpSettings smtp = new SmtpSettings("127.0.0.1", smtpPort, SmtpSettings.Security.NONE, "", "UNUSED",
                Duration.ofSeconds(30));
        List<MimeMessage> messages = new ArrayList<>();
        try (SmtpMailer composer = new SmtpMailer(smtp)) {
            for (int i = 0; i < commands.size(); i++) {
                CustomerProfile profile = profiles.get(i);
                ContactState contact = new ContactState(profile.getEmail(), profile.getName(), profile.getLocale(), null,
                        true, 1L, null, 0L, null);
                RenderedMail mail = templates.render("cart-abandonment", profile.getLocale(), MailContent.model(
                        commands.get(i), contact, templates.formattingLocale(profile.getLocale()), Commands.SHOP,
                        Commands.LINKS));
                messages.add(composer.compose(commands.get(i).getSendId(), Commands.SHOP, profile.getEmail(),
                        profile.getName(), mail, T0, "https://t.example.com/u/x"));
            }
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS * 2);
        long start = System.nanoTime();
        List<Future<?>> senders = new ArrayList<>();
        for (int t = 0; t < CONNECTIONS * 2; t++) {
            senders.add(pool.submit(() -> {
                try (SmtpMailer mailer = new SmtpMailer(smtp)) {
                    for (int i = next.getAndIncrement(); i < messages.size(); i = next.getAndIncrement()) {
                        mailer.send(messages.get(i));
                        done.incrementAndGet();
                    }
                }
            }));
        }
        Measured measured = watch(done::get, messages.size(), start, Duration.ofMinutes(10));
        for (Future<?> sender : senders) {
            sender.get();
        }
        pool.shutdown();
        return measured;
    }

    static Measured watch(LongSupplier accepted, int mails, long start, Duration limit) throws InterruptedException {
        long at10 = 0;
        long at90 = 0;
        long deadline = start + limit.toNanos();
        while (System.nanoTime() < deadline) {
            long count = accepted.getAsLong();
            long now = System.nanoTime();
            if (at10 == 0 && count >= mails / 10) {
                at10 = now;
            }
            if (at90 == 0 && count >= mails * 9L / 10) {
                at90 = now;
            }
            if (count >= mails) {
                double steady = (mails * 0.8) / ((at90 - at10) / 1e9);
                return new Measured(steady, Duration.ofNanos(now - start));
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("not all " + mails + " mails were accepted within " + limit);
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
