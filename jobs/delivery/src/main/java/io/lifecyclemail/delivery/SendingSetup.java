package io.lifecyclemail.delivery;

import io.lifecyclemail.common.tokens.LinkTokens;
import io.lifecyclemail.common.tokens.TrackedLinks;
import io.lifecyclemail.delivery.mail.ShopIdentity;
import io.lifecyclemail.delivery.mail.SmtpMailer;
import io.lifecyclemail.delivery.mail.SmtpSettings;
import io.lifecyclemail.delivery.mail.Templates;
import io.lifecyclemail.delivery.send.SendLimits;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything a sending subtask needs to build its workers. Holds no secret: the SMTP password and the
 * link token key are read on the task manager, from an environment variable or a file.
 *
 * @param connections SMTP connections (worker threads) per subtask
 */
public record SendingSetup(SmtpSettings smtp, ShopIdentity shop, String templatesDir, String defaultLocale,
                           Map<String, String> localeFallbacks, String tokenSecretFile, String tokenSecretEnv,
                           String trackingBaseUrl, int connections, SendLimits limits, RetryPolicy retries,
                           Duration retention) implements Serializable {
    public SendingSetup {
        localeFallbacks = Map.copyOf(localeFallbacks);
        if (connections < 1) {
            throw new IllegalArgumentException("delivery.connections needs at least 1");
        }
    }

    public Templates templates() {
        return new Templates(templatesDir.isBlank() ? null : Path.of(templatesDir), defaultLocale, localeFallbacks);
    }

    public TrackedLinks links() {
        return new TrackedLinks(LinkTokens.fromSecret(tokenSecretFile, tokenSecretEnv), trackingBaseUrl);
    }

    /** One worker: shared templates and links, its own SMTP connection. */
    public Delivery worker(Templates templates, TrackedLinks links) {
        return new Delivery(templates, new SmtpMailer(smtp), shop, links);
    }
}
