package io.lifecyclemail.delivery;

import com.github.mustachejava.MustacheException;
import io.lifecyclemail.common.tokens.TrackedLinks;
import io.lifecyclemail.delivery.mail.MailContent;
import io.lifecyclemail.delivery.mail.RenderedMail;
import io.lifecyclemail.delivery.mail.SendOutcome;
import io.lifecyclemail.delivery.mail.ShopIdentity;
import io.lifecyclemail.delivery.mail.SmtpMailer;
import io.lifecyclemail.delivery.mail.Templates;
import io.lifecyclemail.delivery.send.Dispatcher;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.AddressedCommand;
import io.lifecyclemail.state.ContactState;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.time.Instant;

/**
 * Renders and sends one addressed command over its own SMTP connection; one per dispatcher worker.
 * Free of Flink so it can be tested on its own.
 */
public final class Delivery implements Dispatcher.Worker<AddressedCommand, Delivery.Attempt> {
    private final Templates templates;
    private final SmtpMailer mailer;
    private final ShopIdentity shop;
    private final TrackedLinks links;

    public Delivery(Templates templates, SmtpMailer mailer, ShopIdentity shop, TrackedLinks links) {
        this.templates = templates;
        this.mailer = mailer;
        this.shop = shop;
        this.links = links;
    }

    @Override
    public Attempt apply(AddressedCommand addressed) {
        return attempt(addressed, Instant.now());
    }

    /** A worker that threw: a bug, not the server's fault; recorded as FAILED rather than retried for ever. */
    public static Attempt crashed(RuntimeException bug) {
        return new Attempt(SendOutcome.permanent(null, "could not send: " + bug), null, null);
    }

    /** The outcome of one attempt, with the locale used when a mail was built. */
    public record Attempt(SendOutcome outcome, String locale, String messageId) {}

    public Attempt attempt(AddressedCommand addressed, Instant now) {
        SendCommand command = addressed.getCommand();
        ContactState contact = addressed.getContact();
        RenderedMail mail;
        MimeMessage message;
        try {
            mail = templates.render(command.getTemplate(), contact.getLocale(),
                    MailContent.model(command, contact, templates.formattingLocale(contact.getLocale()), shop, links));
            String unsubscribe = command.getTransactional() ? null
                    : links.unsubscribe(command.getSendId(), command.getCustomerId(), command.getScenarioId());
            message = mailer.compose(command.getSendId(), shop, contact.getEmail(), contact.getName(), mail, now,
                    unsubscribe);
        } catch (Templates.MissingTemplateException | MustacheException | MessagingException
                 | IllegalArgumentException e) {
            // includes refused header values (HeaderValues) and unknown currency codes
            return new Attempt(SendOutcome.permanent(null, "cannot build the mail: " + e.getMessage()), null, null);
        }
        return new Attempt(mailer.send(message), mail.locale(),
                SmtpMailer.messageId(command.getSendId(), shop.fromAddress()));
    }

    public static DeliveryResult result(SendCommand command, DeliveryStatus status, int attempts, Integer smtpCode,
                                        String detail, String messageId, String locale, Instant now) {
        return DeliveryResult.newBuilder()
                .setSendId(command.getSendId())
                .setCustomerId(command.getCustomerId())
                .setScenarioId(command.getScenarioId())
                .setStatus(status)
                .setAttempts(attempts)
                .setSmtpCode(smtpCode)
                .setDetail(detail)
                .setMessageId(messageId)
                .setLocale(locale)
                .setResultTime(now)
                .build();
    }

    @Override
    public void close() {
        mailer.close();
    }
}
