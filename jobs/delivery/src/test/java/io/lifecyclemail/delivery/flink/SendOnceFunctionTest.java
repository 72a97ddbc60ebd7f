package io.lifecyclemail.delivery.flink;

import static io.lifecyclemail.delivery.Commands.SHOP;
import static io.lifecyclemail.delivery.Commands.addressed;
import static io.lifecyclemail.delivery.Commands.cartReminder;
import static io.lifecyclemail.delivery.Commands.contact;
import static io.lifecyclemail.delivery.Commands.line;
import static io.lifecyclemail.delivery.Commands.product;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.lifecyclemail.delivery.RetryPolicy;
import io.lifecyclemail.delivery.mail.SmtpSettings;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.state.AddressedCommand;
import java.net.ServerSocket;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Send-once delivery as Flink runs it, against a real SMTP server on a port the test controls. */
class SendOnceFunctionTest {
    static final Duration RETENTION = Duration.ofDays(30);
    static final RetryPolicy RETRIES = new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMinutes(1));
    static final AddressedCommand MAIL = addressed(
            cartReminder("send-1", "c1", line(product("tea", "Sencha", 1280), 1)),
            contact("emma@example.com", "Emma", "en-US"));

    int port;
    GreenMail smtp;
    KeyedOneInputStreamOperatorTestHarness<String, AddressedCommand, DeliveryResult> harness;

    @BeforeEach
    void setUp() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        harness = newHarness(new HashMapStateBackend());
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
        if (smtp != null) {
            smtp.stop();
        }
    }

    void startSmtp() {
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
    }

    KeyedOneInputStreamOperatorTestHarness<String, AddressedCommand, DeliveryResult> newHarness(StateBackend backend)
            throws Exception {
        SmtpSettings settings = new SmtpSettings("127.0.0.1", port, SmtpSettings.Security.NONE, "", "UNUSED",
                Duration.ofSeconds(5));
        SendOnceFunction function = new SendOnceFunction(settings, SHOP, "", "en", RETRIES, RETENTION);
        KeyedOneInputStreamOperatorTestHarness<String, AddressedCommand, DeliveryResult> created =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function),
                        command -> command.getCommand().getSendId(), Types.STRING);
        created.setStateBackend(backend);
        return created;
    }

    @Test
    void sendsOnceAndDropsRepeatsOfTheSameSendId() throws Exception {
        startSmtp();
        harness.processElement(new StreamRecord<>(MAIL));
        harness.processElement(new StreamRecord<>(MAIL));
        assertThat(harness.extractOutputValues()).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
            assertThat(result.getAttempts()).isEqualTo(1);
            assertThat(result.getMessageId()).isEqualTo("<send-1@tea.example>");
            assertThat(result.getLocale()).isEqualTo("en");
        });
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    @Test
    void retriesATemporaryFailureOnATimerThenDelivers() throws Exception {
        harness.setProcessingTime(1_000);
        harness.processElement(new StreamRecord<>(MAIL)); // nobody listens on the port yet
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        startSmtp();
        harness.setProcessingTime(1_000 + 7_999); // before the earliest backoff (10 s - 20 %)
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(1_000 + 12_001); // after the latest (10 s + 20 %)
        assertThat(harness.extractOutputValues()).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).isEqualTo(DeliveryStatus.DELIVERED);
            assertThat(result.getAttempts()).isEqualTo(2);
        });
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    @Test
    void recordsFailedAfterTheLastAttempt() throws Exception {
        harness.setProcessingTime(0);
        harness.processElement(new StreamRecord<>(MAIL));
        harness.setProcessingTime(Duration.ofMinutes(1).toMillis());
        harness.setProcessingTime(Duration.ofMinutes(3).toMillis());
        assertThat(harness.extractOutputValues()).singleElement().satisfies(result -> {
            assertThat(result.getStatus()).isEqualTo(DeliveryStatus.FAILED);
            assertThat(result.getAttempts()).isEqualTo(3);
        });
    }

    @Test
    void forgetsTheSendIdAfterTheRetention() throws Exception {
        startSmtp();
        harness.setProcessingTime(0);
        harness.processElement(new StreamRecord<>(MAIL));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        harness.setProcessingTime(RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aRestoredJobDoesNotSendAgain() throws Exception {
        startSmtp();
        harness.close();
        harness = newHarness(new EmbeddedRocksDBStateBackend());
        harness.open();
        harness.processElement(new StreamRecord<>(MAIL));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = newHarness(new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(new StreamRecord<>(MAIL)); // the command replayed after the restart
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }
}
