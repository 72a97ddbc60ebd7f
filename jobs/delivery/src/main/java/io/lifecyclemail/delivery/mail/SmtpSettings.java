package io.lifecyclemail.delivery.mail;

import java.io.Serializable;
import java.time.Duration;

/**
 * How to reach the SMTP server. The password is not here: it is read from an environment variable
 * on the task manager, so it is never in YAML, job arguments or logs.
 */
public record SmtpSettings(String host, int port, Security security, String username, String passwordEnv,
                           Duration timeout) implements Serializable {
    public enum Security {
        /** Plain SMTP (only for local test servers). */
        NONE,
        /** STARTTLS when the server offers it. */
        STARTTLS_IF_OFFERED,
        /** Refuse to send unless the server offers STARTTLS. */
        STARTTLS_REQUIRED,
        /** Implicit TLS from the first byte (port 465). */
        TLS
    }
}
