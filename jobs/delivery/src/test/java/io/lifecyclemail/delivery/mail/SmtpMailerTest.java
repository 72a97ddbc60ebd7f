package io.lifecyclemail.delivery.mail;

import static io.lifecyclemail.delivery.Commands.NOW;
import static io.lifecyclemail.delivery.Commands.SHOP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
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
            MimeMessage message = mailer.compose("abc123", SHOP, "emma@example.com", "Emma", MAIL, NOW);
            assertThat(mailer.send(message).kind()).isEqualTo(SendOutcome.Kind.ACCEPTED);
            assertThat(mailer.send(mailer.compose("def456", SHOP, "liam@example.com", "Liam", MAIL, NOW)).kind())
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
    void refusesLineBreaksInAnyHeaderValue() {
        try (SmtpMailer mailer = new SmtpMailer(settings(SMTP.getSmtp().getPort()))) {
            assertThatThrownBy(() -> mailer.compose("x", SHOP, "a@example.com", "Eve\r\nBcc: all@example.com", MAIL, NOW))
                    .isInstanceOf(HeaderValues.UnsafeHeaderException.class).hasMessageContaining("To name");
            assertThatThrownBy(() -> mailer.compose("x", SHOP, "a@example.com", "Eve",
                    new RenderedMail("Hi\nBcc: all@example.com", "", "", "en"), NOW))
                    .hasMessageContaining("Subject");
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
            SendOutcome outcome = mailer.send(mailer.compose("x", SHOP, "a@example.com", "A", MAIL, NOW));
            assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.TEMPORARY_FAILURE);
        }
    }

    @Test
    void a5xxReplyIsPermanentAnd4xxTemporary() throws Exception {
        try (RefusingSmtpServer unknownUser = new RefusingSmtpServer("550 5.1.1 user unknown");
             SmtpMailer mailer = new SmtpMailer(settings(unknownUser.port()))) {
            SendOutcome outcome = mailer.send(mailer.compose("x", SHOP, "gone@example.com", "A", MAIL, NOW));
            assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.PERMANENT_FAILURE);
            assertThat(outcome.smtpCode()).isEqualTo(550);
        }
        try (RefusingSmtpServer busy = new RefusingSmtpServer("451 4.3.0 try again later");
             SmtpMailer mailer = new SmtpMailer(settings(busy.port()))) {
            SendOutcome outcome = mailer.send(mailer.compose("x", SHOP, "a@example.com", "A", MAIL, NOW));
            assertThat(outcome.kind()).isEqualTo(SendOutcome.Kind.TEMPORARY_FAILURE);
            assertThat(outcome.smtpCode()).isEqualTo(451);
        }
    }
}
