package io.lifecyclemail.delivery.mail;

import static io.lifecyclemail.delivery.Commands.NOW;
import static io.lifecyclemail.delivery.Commands.SHOP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.lifecyclemail.delivery.smtp.ScriptedSmtpServer;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Against a real SMTP server (GreenMail). */
class SmtpMailerTest {
    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    static final RenderedMail MAIL = new RenderedMail("Your cart", "<p>Hello</p>", "Hello", "en");

    static SmtpSettings settings(int port) {
        return new SmtpSettings("127.0.0.1", port, SmtpSettings.Security.STARTTLS_IF_OFFERED, "", "UNUSED",
                Duration.ofSeconds(5));
    }

    @Test
    void sendsTextAndHtmlWithAMessageIdDerivedFromTheSendId() throws Exception {
        try (SmtpMailer mailer = new SmtpMailer(settings(SMTP.getSmtp().getPort()))) {
            MimeMessage message = mailer.compose("abc123", SHOP, "emma@example.com", "Emma", MAIL, NOW, null);
            assertThat(mailer.send(message).kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
            assertThat(mailer.send(mailer.compose("def456", SHOP, "liam@example.com", "Liam", MAIL, NOW, null)).kind())
                    .as("the reused connection sends the second mail too").isEqualTo(SendOutcome.Kind.ACCEPTED);
        }
        MimeMessage received = SMTP.getReceivedMessages()[0];
        assertThat(received.getMessageID()).isEqualTo("<abc123@tea.example>");
        assertThat(received.getFrom()[0].toString()).isEqualTo("Tea & Co <shop@tea.example>");
        Multipart parts = (Multipart) received.getContent();
        assertThat(parts.getContentType()).startsWith("multipart/alternative");
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
    }

    @Test
    void marketingMailCarriesTheOneClickUnsubscribeHeaders() throws Exception {
        try (SmtpMailer mailer = new SmtpMailer(settings(SMTP.getSmtp().getPort()))) {
            mailer.send(mailer.compose("m1", SHOP, "emma@example.com", "Emma", MAIL, NOW, "https://t.tea.example/u/abc.def"));
            mailer.send(mailer.compose("t1", SHOP, "emma@example.com", "Emma", MAIL, NOW, null));
        }
        MimeMessage marketing = SMTP.getReceivedMessages()[0];
        assertThat(marketing.getHeader("List-Unsubscribe")).containsExactly("<https://t.tea.example/u/abc.def>");
        assertThat(marketing.getHeader("List-Unsubscribe-Post")).containsExactly("List-Unsubscribe=One-Click");
        MimeMessage transactional = SMTP.getReceivedMessages()[1];
        assertThat(transactional.getHeader("List-Unsubscribe")).isNull();
    }

    @Test
    void refusesLineBreaksInAnyHeaderValue() {
        try (SmtpMailer mailer = new SmtpMailer(settings(SMTP.getSmtp().getPort()))) {
            assertThatThrownBy(() -> mailer.compose("x", SHOP, "a@example.com", "Eve\r\nBcc: all@example.com", MAIL, NOW, null))
                    .isInstanceOf(HeaderValues.UnsafeHeaderException.class).hasMessageContaining("To name");
            assertThatThrownBy(() -> mailer.compose("x", SHOP, "a@example.com", "Eve",
                    new RenderedMail("Hi\nBcc: all@example.com", "", "", "en"), NOW, null))
                    .hasMessageContaining("Subject");
            assertThatThrownBy(() -> mailer.compose("x", SHOP, "a@example.com", "Eve", MAIL, NOW,
                    "https://t.example/u/x\r\nBcc: all@example.com")).hasMessageContaining("List-Unsubscribe");
            ShopIdentity injected = new ShopIdentity("Tea\r\nBcc: all@example.com", "shop@tea.example",
                    "https://tea.example/cart", "Tokyo", "support@tea.example");
            assertThatThrownBy(() -> mailer.compose("x", injected, "a@example.com", "Eve", MAIL, NOW, null))
                    .hasMessageContaining("From name");
        }
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void aServerThatIsDownIsATemporaryFailure() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (SmtpMailer mailer = new SmtpMailer(settings(closedPort))) {
            SendOutcome outcome = mailer.send(mailer.compose("x", SHOP, "a@example.com", "A", MAIL, NOW, null));
            assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.TEMPORARY_FAILURE);
        }
    }

    @Test
    void a5xxReplyIsPermanentAnd4xxTemporary() throws Exception {
        try (ScriptedSmtpServer unknownUser = new ScriptedSmtpServer(false).rule("example.com", "550 5.1.1 user unknown", Duration.ZERO);
             SmtpMailer mailer = new SmtpMailer(settings(unknownUser.port()))) {
            SendOutcome outcome = mailer.send(mailer.compose("x", SHOP, "gone@example.com", "A", MAIL, NOW, null));
            assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.PERMANENT_FAILURE);
            assertThat(outcome.smtpCode()).isEqualTo(550);
        }
        try (ScriptedSmtpServer busy = new ScriptedSmtpServer(false).rule("example.com", "451 4.3.0 try again later", Duration.ZERO);
             SmtpMailer mailer = new SmtpMailer(settings(busy.port()))) {
            SendOutcome outcome = mailer.send(mailer.compose("x", SHOP, "a@example.com", "A", MAIL, NOW, null));
            assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.TEMPORARY_FAILURE);
            assertThat(outcome.smtpCode()).isEqualTo(451);
        }
    }
}
