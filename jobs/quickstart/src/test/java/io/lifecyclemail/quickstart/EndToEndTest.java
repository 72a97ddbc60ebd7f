package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.lifecyclemail.common.kafka.AvroCodec;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.decision.DecisionJob;
import io.lifecyclemail.delivery.DeliveryJob;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.DeadLetter;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import io.lifecyclemail.schema.SendCommand;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events into a real Kafka broker, both jobs on a Flink mini cluster with RocksDB and checkpoints,
 * mail read back from a real SMTP server; then the delivery job is stopped with a savepoint,
 * restored, and fed the same send commands again: no mail goes out twice.
 */
class EndToEndTest {
    static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

    @TempDir
    static Path work;
    static LocalServices services;
    static EmbeddedKafka kafka;
    static GreenMail smtp;
    static LocalTopics topics;
    static LocalFlink flink;

    @BeforeAll
    static void start() throws Exception {
        services = LocalServices.start(work);
        kafka = services.kafka;
        topics = services.topics;
        flink = services.flink;
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (smtp != null) {
            smtp.stop();
        }
        if (services != null) {
            services.close();
        }
    }

    static Instant at(Duration offset) {
        return T0.plus(offset);
    }

    static CustomerProfile profile(String customer, String name, String locale, boolean consent) {
        return CustomerProfile.newBuilder().setEventId("p-" + customer).setEventTime(T0.minus(Duration.ofDays(1)))
                .setCustomerId(customer).setEmail(customer + "@example.com").setName(name).setLocale(locale)
                .setTimezone("Asia/Tokyo").setMarketingConsent(consent).build();
    }

    static ClickstreamEvent cart(String customer, int n, Duration offset, ClickType type, String product, String name,
                                 long yen) {
        return ClickstreamEvent.newBuilder().setEventId(customer + "-" + n).setEventTime(at(offset))
                .setCustomerId(customer).setType(type).setQuantity(1)
                .setProduct(io.lifecyclemail.schema.Product.newBuilder().setProductId(product).setName(name)
                        .setUnitPriceMinor(yen).setCurrency("JPY").build())
                .build();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    @Test
    void cartLeftInKafkaBecomesOneMailInTheRightLanguageEvenAfterARestart() throws Exception {
        topics.produce(LocalTopics.PROFILES, List.of(
                        profile("hanako", "佐藤 花子", "ja-JP", true),
                        profile("emma", "Emma Smith", "en-US", true),
                        profile("bob", "Bob", "en-US", true),
                        profile("carol", "Carol", "en-US", false)),
                CustomerProfile.class, CustomerProfile::getCustomerId, CustomerProfile::getEventTime);
        topics.produce(LocalTopics.CLICKSTREAM, List.of(
                        cart("hanako", 1, Duration.ofMinutes(1), ClickType.CART_ADD, "tea", "Sencha", 1280),
                        cart("hanako", 2, Duration.ofMinutes(2), ClickType.CART_ADD, "cup", "Arita Cup", 3300),
                        cart("hanako", 3, Duration.ofMinutes(3), ClickType.CART_REMOVE, "cup", "Arita Cup", 3300),
                        cart("emma", 1, Duration.ofMinutes(5), ClickType.CART_ADD, "whisk", "Bamboo Whisk", 1650),
                        cart("bob", 1, Duration.ofMinutes(5), ClickType.CART_ADD, "pot", "Teapot", 7480),
                        cart("carol", 1, Duration.ofMinutes(5), ClickType.CART_ADD, "pot", "Teapot", 7480)),
                ClickstreamEvent.class, ClickstreamEvent::getCustomerId, ClickstreamEvent::getEventTime);
        topics.produce(LocalTopics.ORDERS, List.of(OrderEvent.newBuilder().setEventId("bob-o1")
                        .setEventTime(at(Duration.ofMinutes(20))).setCustomerId("bob").setOrderId("o1")
                        .setType(OrderEventType.PLACED).build()),
                OrderEvent.class, OrderEvent::getCustomerId, OrderEvent::getEventTime);
        byte[] noise = {0x13, 0x37, 0x00, (byte) 0xff, 0x42};
        topics.produce(LocalTopics.CLICKSTREAM, List.of(new LocalTopics.Raw("noise", noise, at(Duration.ZERO))));

        Settings decision = Quickstart.Run.decisionSettings(kafka.bootstrapServers(), T0.plus(Duration.ofDays(1)));
        JobID decisionJob = flink.submit(DecisionJob.NAME,
                env -> DecisionJob.wire(env, decision, DecisionJob.loadConfiguration(decision)), null);
        Settings delivery = Quickstart.Run.deliverySettings(kafka.bootstrapServers(), smtp.getSmtp().getPort(),
                Quickstart.Run.newTokenKey(work), "https://t.example.com");
        JobID deliveryJob = flink.submit(DeliveryJob.NAME, env -> DeliveryJob.wire(env, delivery), null);

        assertThat(flink.awaitResult(decisionJob).isSuccess()).isTrue();
        await("three mails", () -> smtp.getReceivedMessages().length >= 3);
        await("three delivery results", () -> topics.readCommitted(LocalTopics.DELIVERY_RESULTS).size() >= 3);

        // exactly one cart reminder per abandoned cart with consent, none for the buyer's cart, who is
        // thanked for the order instead
        List<SendCommand> commands = topics.read(LocalTopics.SEND_COMMANDS, SendCommand.class);
        assertThat(commands).extracting(SendCommand::getCustomerId, SendCommand::getScenarioId, SendCommand::getStep)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("hanako", "cart-abandonment", "reminder"),
                        org.assertj.core.groups.Tuple.tuple("emma", "cart-abandonment", "reminder"),
                        org.assertj.core.groups.Tuple.tuple("bob", "post-purchase", "thanks"));
        List<Decision> decisions = topics.read(LocalTopics.DECISIONS, Decision.class);
        assertThat(decisions).extracting(Decision::getCustomerId, Decision::getOutcome).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("hanako", DecisionOutcome.SENT),
                org.assertj.core.groups.Tuple.tuple("emma", DecisionOutcome.SENT),
                org.assertj.core.groups.Tuple.tuple("bob", DecisionOutcome.SENT),
                org.assertj.core.groups.Tuple.tuple("carol", DecisionOutcome.NO_CONSENT));

        // the malformed record is in the dead letters with where it came from
        List<ConsumerRecord<byte[], byte[]>> dead = topics.readCommitted(LocalTopics.DEAD_LETTERS);
        assertThat(dead).hasSize(1);
        DeadLetter letter = AvroCodec.of(DeadLetter.class).decode(dead.get(0).value());
        assertThat(letter.getSourceTopic()).isEqualTo("clickstream");
        assertThat(letter.getSourceOffset()).isGreaterThanOrEqualTo(0);
        byte[] raw = new byte[letter.getValue().remaining()];
        letter.getValue().get(raw);
        assertThat(raw).isEqualTo(noise);

        MimeMessage japanese = mailTo("hanako@example.com");
        assertThat(japanese.getSubject()).isEqualTo("佐藤 花子様、カートに商品が残っています（Example Shop）");
        assertThat(((InternetAddress) japanese.getRecipients(Message.RecipientType.TO)[0]).getPersonal())
                .isEqualTo("佐藤 花子");
        String japaneseText = textPart(japanese);
        assertThat(japaneseText).contains("佐藤 花子様", "Sencha × 1  ￥1,280").doesNotContain("Arita Cup");
        MimeMessage english = mailTo("emma@example.com");
        assertThat(english.getSubject()).startsWith("Emma Smith, you left 1 item(s)");
        assertThat(textPart(english)).contains("Bamboo Whisk x 1  ¥1,650");
        assertThat(english.getMessageID()).isEqualTo("<" + commandFor(commands, "emma").getSendId() + "@example.com>");

        // stop delivery with a savepoint, restore it, and replay every command: nothing is sent twice
        String savepoint = flink.stopWithSavepoint(deliveryJob, work.resolve("savepoints"));
        JobID restored = flink.submit(DeliveryJob.NAME, env -> DeliveryJob.wire(env, delivery), savepoint);
        List<LocalTopics.Raw> replay = new ArrayList<>();
        for (SendCommand command : commands) {
            replay.add(LocalTopics.encoded(command.getCustomerId(), command, T0, SendCommand.class));
        }
        // one fresh command per partition, behind the replayed ones: when both arrive, the replays were read
        topics.produce(LocalTopics.PROFILES, List.of(profile("sentinel", "Sentinel", "en", true)),
                CustomerProfile.class, CustomerProfile::getCustomerId, CustomerProfile::getEventTime);
        for (int partition = 0; partition < 2; partition++) {
            for (SendCommand command : commands) {
                replay.add(new LocalTopics.Raw(command.getCustomerId(),
                        AvroCodec.of(SendCommand.class).encode(command), T0, partition));
            }
            SendCommand sentinel = SendCommand.newBuilder(commands.get(0)).setSendId("sentinel-" + partition)
                    .setCustomerId("sentinel").build();
            replay.add(new LocalTopics.Raw("sentinel", AvroCodec.of(SendCommand.class).encode(sentinel), T0, partition));
        }
        topics.produce(LocalTopics.SEND_COMMANDS, replay);
        await("the sentinel mails", () -> smtp.getReceivedMessages().length >= 5);
        Thread.sleep(2000);
        assertThat(flink.status(restored)).isEqualTo(JobStatus.RUNNING);
        assertThat(Arrays.stream(smtp.getReceivedMessages()).map(EndToEndTest::recipient).toList())
                .containsExactlyInAnyOrder("hanako@example.com", "emma@example.com", "bob@example.com",
                        "sentinel@example.com", "sentinel@example.com");
        await("five delivery results", () -> topics.readCommitted(LocalTopics.DELIVERY_RESULTS).size() >= 5);
        assertThat(topics.read(LocalTopics.DELIVERY_RESULTS, DeliveryResult.class))
                .extracting(DeliveryResult::getStatus).containsOnly(DeliveryStatus.DELIVERED).hasSize(5);
        flink.cancel(restored);
    }

    static SendCommand commandFor(List<SendCommand> commands, String customer) {
        return commands.stream().filter(c -> c.getCustomerId().equals(customer)).findFirst().orElseThrow();
    }

    static MimeMessage mailTo(String address) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> recipient(m).equals(address)).findFirst()
                .orElseThrow(() -> new AssertionError("no mail to " + address));
    }

    static String recipient(MimeMessage message) {
        try {
            return ((InternetAddress) message.getRecipients(Message.RecipientType.TO)[0]).getAddress();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String textPart(MimeMessage message) throws Exception {
        return (String) ((Multipart) message.getContent()).getBodyPart(0).getContent();
    }
}
