package io.lifecyclemail.delivery.flink;

import static io.lifecyclemail.delivery.Commands.addressed;
import static io.lifecyclemail.delivery.Commands.cartReminder;
import static io.lifecyclemail.delivery.Commands.contact;
import static io.lifecyclemail.delivery.Commands.line;
import static io.lifecyclemail.delivery.Commands.product;
import static io.lifecyclemail.delivery.Commands.sending;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.lifecyclemail.delivery.send.SendLimits;
import io.lifecyclemail.delivery.smtp.ScriptedSmtpServer;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.state.AddressedCommand;
import jakarta.mail.internet.MimeMessage;
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
    static final long SETTLE_MILLIS = 3_000;
    static final long FIRST_POLL = SendOnceFunction.FIRST_POLL_MILLIS;
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
        SendOnceFunction function = new SendOnceFunction(sending(port, SendLimits.unlimited(), 2));
        KeyedOneInputStreamOperatorTestHarness<String, AddressedCommand, DeliveryResult> created =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function),
                        command -> command.getCommand().getSendId(), Types.STRING);
        created.setStateBackend(backend);
        return created;
    }

    /**
     * Lets processing time run on in small steps while the sender works on its own threads, until a
     * result comes out or {@code SETTLE_MILLIS} of processing time have passed (less than any retry backoff).
     */
    void settle() throws Exception {
        int before = harness.extractOutputValues().size();
        long start = harness.getProcessingTime();
        for (long t = start + 10; t <= start + SETTLE_MILLIS; t += 10) {
            Thread.sleep(2);
            harness.setProcessingTime(t);
            if (harness.extractOutputValues().size() > before) {
                return;
            }
        }
    }

    @Test
    void sendsOnceAndDropsRepeatsOfTheSameSendId() throws Exception {
        startSmtp();
        harness.processElement(new StreamRecord<>(MAIL));
        harness.processElement(new StreamRecord<>(MAIL));
        settle();
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
        settle();
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        startSmtp();
        harness.setProcessingTime(1_000 + 7_999); // before the earliest backoff (10 s - 20 %)
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(1_000 + SETTLE_MILLIS + 12_001); // after the latest (10 s + 20 %)
        settle();
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
        settle();
        harness.setProcessingTime(Duration.ofMinutes(1).toMillis());
        settle();
        harness.setProcessingTime(Duration.ofMinutes(3).toMillis());
        settle();
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
        settle();
        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        harness.setProcessingTime(RETENTION.toMillis() + SETTLE_MILLIS);
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
        settle();
        assertThat(harness.extractOutputValues()).hasSize(1);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = newHarness(new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(new StreamRecord<>(MAIL)); // the command replayed after the restart
        settle();
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    /**
     * The documented window: a checkpoint taken while the mail was with the sender, the server accepts
     * it, the job fails before the next checkpoint. The restored job sends it again, with the same
     * Message-ID, and records one result.
     */
    @Test
    void aMailInFlightAtTheLastCheckpointIsSentAgainAfterARestore() throws Exception {
        startSmtp();
        harness.close();
        harness = newHarness(new EmbeddedRocksDBStateBackend());
        harness.open();
        harness.setProcessingTime(0);
        harness.processElement(new StreamRecord<>(MAIL));
        OperatorSubtaskState snapshot = harness.snapshot(1, 1); // the mail is in flight
        smtp.waitForIncomingEmail(5_000, 1);
        harness.close(); // the crash: the outcome was never recorded

        harness = newHarness(new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(FIRST_POLL);
        settle();
        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(result -> assertThat(result.getStatus()).isEqualTo(DeliveryStatus.DELIVERED));
        assertThat(smtp.getReceivedMessages()).hasSize(2)
                .extracting(MimeMessage::getMessageID).containsOnly("<send-1@tea.example>");
    }

    @Test
    void aPermanentRefusalIsABounceAndIsNotRetried() throws Exception {
        try (ScriptedSmtpServer refusing = new ScriptedSmtpServer(false)
                .rule("example.com", "550 5.1.1 user unknown", Duration.ZERO)) {
            port = refusing.port();
            harness.close();
            harness = newHarness(new HashMapStateBackend());
            harness.open();
            harness.processElement(new StreamRecord<>(MAIL));
            settle();
            assertThat(harness.extractOutputValues()).singleElement().satisfies(result -> {
                assertThat(result.getStatus()).isEqualTo(DeliveryStatus.BOUNCED);
                assertThat(result.getSmtpCode()).isEqualTo(550);
                assertThat(result.getAttempts()).isEqualTo(1);
            });
        }
    }
}
