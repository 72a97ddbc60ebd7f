package io.lifecyclemail.delivery.mail;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Sends mail over one reused SMTP connection and classifies every failure as temporary or
 * permanent. Not thread-safe: one per Flink subtask.
 */
public final class SmtpMailer implements AutoCloseable {
    /**
     * Jakarta Mail 2.1 looks up its stream provider with a ServiceLoader on every encoded header word
     * and body part (jakartaee/mail-api#861); under Flink's user-code class loader that scan of the job
     * jar took 95 % of the time spent composing a mail (JFR, docs/benchmarks.md). Naming the
     * implementation turns it into a plain class lookup. A value set by the operator (-D) is kept.
     */
    static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

    static {
        if (System.getProperty(STREAM_PROVIDER) == null) {
            System.setProperty(STREAM_PROVIDER, org.eclipse.angus.mail.util.MailStreamProvider.class.getName());
        }
    }

    private final SmtpSettings settings;
    private final Session session;
    private Transport transport;

    public SmtpMailer(SmtpSettings settings) {
        this.settings = settings;
        this.session = Session.getInstance(properties(settings));
    }

    static Properties properties(SmtpSettings settings) {
        String protocol = settings.security() == SmtpSettings.Security.TLS ? "smtps" : "smtp";
        String prefix = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put("mail.transport.protocol", protocol);
        props.put(prefix + "host", settings.host());
        props.put(prefix + "port", String.valueOf(settings.port()));
        String timeout = String.valueOf(settings.timeout().toMillis());
        props.put(prefix + "connectiontimeout", timeout);
        props.put(prefix + "timeout", timeout);
        props.put(prefix + "writetimeout", timeout);
        props.put(prefix + "auth", String.valueOf(!settings.username().isBlank()));
        switch (settings.security()) {
            case STARTTLS_IF_OFFERED -> props.put(prefix + "starttls.enable", "true");
            case STARTTLS_REQUIRED -> {
                props.put(prefix + "starttls.enable", "true");
                props.put(prefix + "starttls.required", "true");
            }
            case TLS -> props.put(prefix + "ssl.checkserveridentity", "true");
            case NONE -> { }
        }
        return props;
    }

    /**
     * Builds the MIME message: a text and an HTML alternative, Message-ID derived from the send id and,
     * for marketing mail, the one-click unsubscribe headers of RFC 8058 (Gmail and Yahoo require them of
     * bulk senders).
     *
     * @param unsubscribeUrl the signed one-click unsubscribe link; null for transactional mail
     */
    public MimeMessage compose(String sendId, ShopIdentity shop, String toAddress, String toName, RenderedMail mail,
                               Instant date, String unsubscribeUrl) throws MessagingException {
        HeaderValues.requireSingleLine("List-Unsubscribe", unsubscribeUrl);
        HeaderValues.requireSingleLine("Subject", mail.subject());
        HeaderValues.requireSingleLine("To", toAddress);
        HeaderValues.requireSingleLine("To name", toName);
        HeaderValues.requireSingleLine("From name", shop.name());
        HeaderValues.requireSingleLine("From", shop.fromAddress());
        String messageId = messageId(sendId, shop.fromAddress());
        MimeMessage message = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                // Jakarta Mail would otherwise replace ours with a random one on save.
                setHeader("Message-ID", messageId);
            }
        };
        try {
            message.setFrom(new InternetAddress(shop.fromAddress(), shop.name(), StandardCharsets.UTF_8.name()));
            message.setRecipient(Message.RecipientType.TO, new InternetAddress(toAddress, toName,
                    StandardCharsets.UTF_8.name()));
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
        message.setSubject(mail.subject(), StandardCharsets.UTF_8.name());
        message.setSentDate(Date.from(date));
        message.setHeader("Content-Language", mail.locale());
        if (unsubscribeUrl != null) {
            message.setHeader("List-Unsubscribe", "<" + unsubscribeUrl + ">");
            message.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        MimeBodyPart text = new MimeBodyPart();
        text.setText(mail.text(), StandardCharsets.UTF_8.name(), "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(mail.html(), StandardCharsets.UTF_8.name(), "html");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        message.setContent(alternative);
        message.saveChanges();
        return message;
    }

    /** The same send id always gives the same Message-ID, so a receiving system can spot a repeat. */
    public static String messageId(String sendId, String fromAddress) {
        String domain = fromAddress.substring(fromAddress.indexOf('@') + 1);
        return "<" + sendId + "@" + domain + ">";
    }

    public SendOutcome send(MimeMessage message) {
        try {
            Address[] recipients = message.getAllRecipients();
            connected().sendMessage(message, recipients);
            return SendOutcome.accepted(message.getMessageID());
        } catch (SMTPAddressFailedException e) {
            return classify(e.getReturnCode(), e.getMessage());
        } catch (SMTPSendFailedException e) {
            return classify(e.getReturnCode(), e.getMessage());
        } catch (SendFailedException e) {
            if (e.getNextException() instanceof SMTPAddressFailedException address) {
                return classify(address.getReturnCode(), address.getMessage());
            }
            closeQuietly();
            return SendOutcome.temporary(null, e.toString());
        } catch (MessagingException e) {
            // connection refused, timeouts, dropped connections: the server may be back later
            closeQuietly();
            return SendOutcome.temporary(null, e.toString());
        } catch (IllegalStateException e) {
            closeQuietly();
            return SendOutcome.temporary(null, e.toString());
        }
    }

    private static SendOutcome classify(int code, String detail) {
        return code >= 500 ? SendOutcome.permanent(code, detail) : SendOutcome.temporary(code, detail);
    }

    private Transport connected() throws MessagingException {
        if (transport == null || !transport.isConnected()) {
            closeQuietly();
            transport = session.getTransport();
            if (settings.username().isBlank()) {
                transport.connect();
            } else {
                transport.connect(settings.host(), settings.port(), settings.username(), password());
            }
        }
        return transport;
    }

    private String password() {
        String password = System.getenv(settings.passwordEnv());
        if (password == null) {
            throw new IllegalStateException("SMTP user is set but environment variable "
                    + settings.passwordEnv() + " holding its password is not");
        }
        return password;
    }

    private void closeQuietly() {
        if (transport != null) {
            try {
                transport.close();
            } catch (MessagingException ignored) {
                // the connection is being thrown away anyway
            }
            transport = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
