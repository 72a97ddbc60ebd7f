package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.delivery.DeliveryJob;
import io.lifecyclemail.delivery.DeliveryOptions;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.EngagementType;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.tracking.TrackingService;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery job as a sender runs it: send commands from a real Kafka broker, mail to a real SMTP
 * server (GreenMail), the tracking service over real HTTP writing to the engagement topic the job
 * reads. One job serves every test; each test uses its own customers.
 */
class DeliveryEndToEndTest {
    static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    static Path work;
    static LocalServices services;
    static LocalTopics topics;
    static TrackingService tracking;
    static int smtpPort;
    static GreenMail smtp;
    static JobID job;

    @BeforeAll
    static void start() throws Exception {
        services = LocalServices.start(work);
        topics = services.topics;
        try (ServerSocket socket = new ServerSocket(0)) {
            smtpPort = socket.getLocalPort();
        }
        smtp = startSmtp();
        Path key = Quickstart.Run.newTokenKey(work);
        tracking = Quickstart.Run.tracking(services.kafka.bootstrapServers(), key);
        Settings delivery = Quickstart.Run.deliverySettings(services.kafka.bootstrapServers(), smtpPort, key,
                        "http://127.0.0.1:" + tracking.port())
                .with(DeliveryOptions.FIRST_BACKOFF, Duration.ofMillis(500))
                .with(DeliveryOptions.MAX_BACKOFF, Duration.ofSeconds(2))
                .with(DeliveryOptions.MAX_ATTEMPTS, 100);
        job = services.flink.submit(DeliveryJob.NAME, env -> DeliveryJob.wire(env, delivery), null);
    }

    static GreenMail startSmtp() {
        GreenMail server = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        server.start();
        return server;
    }

    @AfterAll
    static void stop() throws Exception {
        if (tracking != null) {
            tracking.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
        if (services != null) {
            services.close();
        }
    }

    static CustomerProfile profile(String customer, String name, String locale) {
        return CustomerProfile.newBuilder().setEventId("p-" + customer).setEventTime(T0.minus(Duration.ofDays(1)))
                .setCustomerId(customer).setEmail(customer + "@example.com").setName(name).setLocale(locale)
                .setTimezone("Asia/Tokyo").setMarketingConsent(true).setConsentTime(T0.minus(Duration.ofDays(30))).build();
    }

    static SendCommand command(String sendId, String customer) {
        return SendCommand.newBuilder().setSendId(sendId).setCustomerId(customer).setScenarioId("cart-abandonment")
                .setScenarioVersion(1).setScenarioKind("CartAbandonment").setStep("reminder")
                .setTemplate("cart-abandonment").setTriggerEventId("e-" + sendId).setTriggerTime(T0)
                .setItems(List.of(new ItemLine(SampleShop.product(0), 1))).setAttributes(Map.of()).build();
    }

    static void profiles(CustomerProfile... profiles) throws Exception {
        topics.produce(LocalTopics.PROFILES, List.of(profiles), CustomerProfile.class, CustomerProfile::getCustomerId,
                CustomerProfile::getEventTime);
    }

    static void commands(SendCommand... commands) throws Exception {
        topics.produce(LocalTopics.SEND_COMMANDS, List.of(commands), SendCommand.class, SendCommand::getCustomerId,
                SendCommand::getTriggerTime);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    static List<MimeMessage> mailsTo(String address) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> recipient(m).equals(address)).toList();
    }

    static String recipient(MimeMessage message) {
        try {
            return ((InternetAddress) message.getRecipients(Message.RecipientType.TO)[0]).getAddress();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static DeliveryResult resultOf(String sendId) throws Exception {
        await("the result of " + sendId, () -> results().stream().anyMatch(r -> r.getSendId().equals(sendId)));
        List<DeliveryResult> of = results().stream().filter(r -> r.getSendId().equals(sendId)).toList();
        assertThat(of).as("one result per send id").hasSize(1);
        return of.get(0);
    }

    static List<DeliveryResult> results() {
        try {
            return topics.read(LocalTopics.DELIVERY_RESULTS, DeliveryResult.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> post(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMailHasBothPartsTheSenderIdentityAndTheOneClickHeaders() throws Exception {
        profiles(profile("ana", "Ana", "en-US"));
        commands(command("ana-1", "ana"));
        assertThat(resultOf("ana-1").getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
        MimeMessage mail = mailsTo("ana@example.com").get(0);
        assertThat(mail.getHeader("List-Unsubscribe")[0]).startsWith("<http://127.0.0.1:" + tracking.port() + "/u/");
        assertThat(mail.getHeader("List-Unsubscribe-Post")).containsExactly("List-Unsubscribe=One-Click");
        assertThat(mail.getMessageID()).isEqualTo("<ana-1@example.com>");
        Multipart parts = (Multipart) mail.getContent();
        String text = (String) parts.getBodyPart(0).getContent();
        String html = (String) parts.getBodyPart(1).getContent();
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
        for (String body : List.of(text, html)) {
            assertThat(body).contains("Ana", SampleShop.product(0).getName(), "1-2-3 Example-cho",
                    "support@example.com", "/u/");
        }
        assertThat(html).contains("/o/", "/c/", "name=\"viewport\"");
    }

    @Test
    void theCustomersLocaleFallsBackAlongTheChain() throws Exception {
        profiles(profile("li", "李娜", "zh"), profile("minjun", "민준", "ko-KR"), profile("jean", "Jean", "fr-FR"));
        commands(command("li-1", "li"), command("minjun-1", "minjun"), command("jean-1", "jean"));
        assertThat(resultOf("li-1").getLocale()).isEqualTo("zh-CN");
        assertThat(resultOf("minjun-1").getLocale()).isEqualTo("ko");
        assertThat(resultOf("jean-1").getLocale()).isEqualTo("en");
        assertThat(mailsTo("li@example.com").get(0).getSubject()).contains("李娜", "购物车");
        assertThat(mailsTo("minjun@example.com").get(0).getSubject()).contains("민준", "장바구니");
        assertThat(mailsTo("minjun@example.com").get(0).getHeader("Content-Language")).containsExactly("ko");
    }

    @Test
    void aLineBreakInANameNeverBecomesAHeader() throws Exception {
        profiles(profile("eve", "Eve\r\nBcc: everyone@example.net", "en"));
        commands(command("eve-1", "eve"));
        DeliveryResult result = resultOf("eve-1");
        assertThat(result.getStatus()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(result.getDetail()).contains("line break");
        assertThat(mailsTo("eve@example.com")).isEmpty();
        assertThat(mailsTo("everyone@example.net")).isEmpty();
    }

    @Test
    void oneClickUnsubscribeOverHttpSuppressesTheNextCommand() throws Exception {
        profiles(profile("uma", "Uma", "en"));
        commands(command("uma-1", "uma"));
        assertThat(resultOf("uma-1").getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
        String header = mailsTo("uma@example.com").get(0).getHeader("List-Unsubscribe")[0];
        String url = header.substring(1, header.length() - 1);

        // a tampered token is refused and writes nothing
        String tampered = url.substring(0, url.length() - 3) + (url.endsWith("AAA") ? "BBB" : "AAA");
        assertThat(post(tampered).statusCode()).isEqualTo(404);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString())
                .body()).as("the page asks; a GET alone unsubscribes nobody").contains("method=\"post\"");
        HttpResponse<String> unsubscribed = post(url);
        assertThat(unsubscribed.statusCode()).isEqualTo(200);
        List<EngagementEvent> engagement = topics.read(LocalTopics.ENGAGEMENT, EngagementEvent.class).stream()
                .filter(event -> event.getCustomerId().equals("uma")).toList();
        assertThat(engagement).singleElement().satisfies(event -> {
            assertThat(event.getType()).isEqualTo(EngagementType.UNSUBSCRIBED);
            assertThat(event.getScenarioId()).isEqualTo("cart-abandonment");
            assertThat(event.getSendId()).isEqualTo("uma-1");
        });

        // the unsubscribe travels through Kafka to the job; the next command for uma is suppressed
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int n = 2;
        DeliveryResult next;
        do {
            String sendId = "uma-" + n++;
            commands(command(sendId, "uma"));
            next = resultOf(sendId);
        } while (next.getStatus() == DeliveryStatus.DELIVERED && System.nanoTime() < deadline);
        assertThat(next.getStatus()).isEqualTo(DeliveryStatus.SUPPRESSED);
        assertThat(next.getDetail()).contains("unsubscribed");
        int mailsBefore = mailsTo("uma@example.com").size();
        commands(command("uma-after", "uma"));
        assertThat(resultOf("uma-after").getStatus()).isEqualTo(DeliveryStatus.SUPPRESSED);
        assertThat(mailsTo("uma@example.com")).hasSize(mailsBefore);
    }

    @Test
    void aClickRedirectsToTheProductAndIsRecorded() throws Exception {
        profiles(profile("cleo", "Cleo", "en"));
        commands(command("cleo-1", "cleo"));
        resultOf("cleo-1");
        String html = (String) ((Multipart) mailsTo("cleo@example.com").get(0).getContent()).getBodyPart(1).getContent();
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("href=\"(http://127\\.0\\.0\\.1:\\d+/c/[^\"]+)\"")
                .matcher(html);
        assertThat(link.find()).isTrue();
        HttpResponse<String> redirect = HTTP.send(HttpRequest.newBuilder(URI.create(link.group(1).replace("&amp;", "&")))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Location")).hasValueSatisfying(location ->
                assertThat(location).startsWith("https://"));
        assertThat(topics.read(LocalTopics.ENGAGEMENT, EngagementEvent.class)).anySatisfy(event -> {
            assertThat(event.getCustomerId()).isEqualTo("cleo");
            assertThat(event.getType()).isEqualTo(EngagementType.CLICKED);
        });
    }

    @Test
    void anSmtpOutageDelaysMailButLosesAndDoublesNone() throws Exception {
        profiles(profile("olga", "Olga", "en"), profile("otto", "Otto", "en"), profile("omar", "Omar", "en"));
        // wait until the profiles are joined, so the outage is the only thing holding mail back
        commands(command("olga-0", "olga"));
        resultOf("olga-0");
        smtp.stop();
        try {
            commands(command("olga-1", "olga"), command("otto-1", "otto"), command("omar-1", "omar"),
                    command("otto-2", "otto"));
            Thread.sleep(3_000); // several attempts fail against the closed port
            assertThat(results().stream().filter(r -> r.getSendId().matches("o\\w+-[12]"))).isEmpty();
        } finally {
            smtp = startSmtp(); // a fresh server: only what is sent after the outage lands here
        }
        for (String sendId : List.of("olga-1", "otto-1", "omar-1", "otto-2")) {
            DeliveryResult result = resultOf(sendId);
            assertThat(result.getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
            assertThat(result.getAttempts()).as(sendId + " was retried").isGreaterThan(1);
        }
        Thread.sleep(1_000);
        assertThat(Arrays.stream(smtp.getReceivedMessages()).map(m -> {
            try {
                return m.getMessageID();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList()).containsExactlyInAnyOrder("<olga-1@example.com>", "<otto-1@example.com>", "<omar-1@example.com>",
                "<otto-2@example.com>");
    }
}
