package io.lifecyclemail.delivery;

import io.lifecyclemail.common.kafka.KafkaOptions;
import io.lifecyclemail.common.kafka.Topics;
import io.lifecyclemail.common.options.Option;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.common.tokens.TokenOptions;
import io.lifecyclemail.delivery.mail.ShopIdentity;
import io.lifecyclemail.delivery.mail.SmtpSettings;
import io.lifecyclemail.delivery.mail.Templates;
import io.lifecyclemail.delivery.send.SendLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Every setting of the delivery job, in one place. */
public final class DeliveryOptions {
    private DeliveryOptions() {}

    public static final Option<String> SMTP_HOST = Option.string("smtp.host", "localhost", "SMTP server host.");
    public static final Option<Integer> SMTP_PORT = Option.integer("smtp.port", 587, "SMTP server port.");
    public static final Option<SmtpSettings.Security> SMTP_SECURITY = Option.choice("smtp.security",
            SmtpSettings.Security.class, SmtpSettings.Security.STARTTLS_IF_OFFERED,
            "none, starttls-if-offered, starttls-required or tls (implicit TLS, usually port 465).");
    public static final Option<String> SMTP_USERNAME = Option.string("smtp.username", "",
            "SMTP user; empty = no authentication.");
    public static final Option<String> SMTP_PASSWORD_ENV = Option.string("smtp.password-env",
            "LIFECYCLE_SMTP_PASSWORD", "Name of the environment variable that holds the SMTP password "
                    + "(the password itself never goes into arguments, YAML or logs).");
    public static final Option<Duration> SMTP_TIMEOUT = Option.duration("smtp.timeout", Duration.ofSeconds(30),
            "Connect, read and write timeout for SMTP.");
    public static final Option<String> FROM_ADDRESS = Option.string("mail.from", "shop@example.com",
            "Sender address; its domain is also the domain of every Message-ID.");
    public static final Option<String> SHOP_NAME = Option.string("mail.from-name", "Example Shop",
            "Sender name shown to the recipient, and the shop name in templates.");
    public static final Option<String> CART_URL = Option.string("shop.cart-url", "https://shop.example.com/cart",
            "Link back to the cart in cart reminders.");
    public static final Option<String> POSTAL_ADDRESS = Option.string("mail.postal-address",
            "1-2-3 Example-cho, Chiyoda-ku, Tokyo 100-0001, Japan",
            "The sender's postal address, shown in every mail's footer (required by anti-spam laws).");
    public static final Option<String> CONTACT = Option.string("mail.contact", "support@example.com",
            "How recipients reach the sender (address or URL), shown in every mail's footer.");
    public static final Option<String> TEMPLATES_DIR = Option.string("templates.dir", "",
            "Folder of mail templates; empty = the templates shipped in the jar (deploy/templates).");
    public static final Option<String> DEFAULT_LOCALE = Option.string("templates.default-locale", "en",
            "Locale used when the customer's locale has no template.");
    public static final Option<String> LOCALE_FALLBACKS = Option.string("templates.locale-fallbacks",
            "zh=zh-CN, zh-Hans=zh-CN, zh-SG=zh-CN",
            "Where a language goes before the default locale, as from=to pairs: a profile saying zh reads zh-CN.");
    public static final Option<Integer> CONNECTIONS = Option.integer("delivery.connections", 4,
            "SMTP connections per parallel subtask; each is a thread that renders and sends, and is reused.");
    public static final Option<Double> RATE_LIMIT = Option.decimal("delivery.rate-limit", 0,
            "Mails per second over the whole job (shared by its subtasks); 0 = no limit.");
    public static final Option<Double> DOMAIN_RATE_LIMIT = Option.decimal("delivery.domain-rate-limit", 0,
            "Mails per second to one recipient domain, unless delivery.domain-rate-limits names it; 0 = no limit.");
    public static final Option<String> DOMAIN_RATE_LIMITS = Option.string("delivery.domain-rate-limits", "",
            "Per-domain rates, e.g. gmail.com=20,yahoo.co.jp=10 (mails per second over the whole job).");
    public static final Option<Integer> DOMAIN_CONNECTIONS = Option.integer("delivery.domain-connections", 2,
            "Mails in flight to one domain at once; a slow domain holds no more connections than this.");
    public static final Option<Integer> DOMAIN_QUEUE = Option.integer("delivery.domain-queue", 2_000,
            "Mails of one domain waiting in memory per subtask; more wait in keyed state and are offered again.");
    public static final Option<Integer> QUEUE = Option.integer("delivery.queue", 10_000,
            "Mails waiting in memory per subtask over all domains.");
    public static final Option<Integer> MAX_ATTEMPTS = Option.integer("delivery.max-attempts", 6,
            "Attempts per mail before a temporary failure is recorded as FAILED.");
    public static final Option<Duration> FIRST_BACKOFF = Option.duration("delivery.retry-backoff",
            Duration.ofSeconds(30), "Wait before the first retry; doubled for every further retry (+-20 % jitter).");
    public static final Option<Duration> MAX_BACKOFF = Option.duration("delivery.max-retry-backoff",
            Duration.ofMinutes(30), "Longest wait between two attempts.");
    public static final Option<Duration> DEDUP_RETENTION = Option.duration("delivery.dedup-retention",
            Duration.ofDays(30), "How long a send id is remembered; a repeat within it is not sent again.");
    public static final Option<Duration> CONTACT_WAIT = Option.duration("delivery.contact-wait",
            Duration.ofMinutes(10), "How long a command waits for the customer's profile before NO_CONTACT.");
    public static final Option<String> GROUP_ID = Option.string("kafka.group-id", "lifecycle-delivery",
            "Consumer group id.");
    public static final Option<String> TRANSACTIONAL_ID_PREFIX = Option.string("kafka.transactional-id-prefix",
            "lifecycle-delivery", "Prefix of the sinks' transactional ids; unique per job deployment.");

    public static List<Option<?>> all() {
        List<Option<?>> all = new ArrayList<>(KafkaOptions.all());
        all.addAll(List.of(SMTP_HOST, SMTP_PORT, SMTP_SECURITY, SMTP_USERNAME, SMTP_PASSWORD_ENV, SMTP_TIMEOUT,
                FROM_ADDRESS, SHOP_NAME, CART_URL, POSTAL_ADDRESS, CONTACT, TEMPLATES_DIR, DEFAULT_LOCALE,
                LOCALE_FALLBACKS, CONNECTIONS, RATE_LIMIT, DOMAIN_RATE_LIMIT, DOMAIN_RATE_LIMITS, DOMAIN_CONNECTIONS,
                DOMAIN_QUEUE, QUEUE, MAX_ATTEMPTS, FIRST_BACKOFF, MAX_BACKOFF, DEDUP_RETENTION, CONTACT_WAIT, GROUP_ID,
                TRANSACTIONAL_ID_PREFIX, Topics.SEND_COMMANDS, Topics.PROFILES, Topics.ENGAGEMENT,
                Topics.DELIVERY_RESULTS, Topics.DEAD_LETTERS));
        all.addAll(TokenOptions.all());
        return all;
    }

    public static SmtpSettings smtp(Settings settings) {
        return new SmtpSettings(settings.get(SMTP_HOST), settings.get(SMTP_PORT), settings.get(SMTP_SECURITY),
                settings.get(SMTP_USERNAME), settings.get(SMTP_PASSWORD_ENV), settings.get(SMTP_TIMEOUT));
    }

    public static ShopIdentity shop(Settings settings) {
        return new ShopIdentity(settings.get(SHOP_NAME), settings.get(FROM_ADDRESS), settings.get(CART_URL),
                settings.get(POSTAL_ADDRESS), settings.get(CONTACT));
    }

    public static SendLimits limits(Settings settings) {
        return new SendLimits(settings.get(RATE_LIMIT), settings.get(DOMAIN_RATE_LIMIT),
                SendLimits.parseOverrides(settings.get(DOMAIN_RATE_LIMITS)), settings.get(DOMAIN_CONNECTIONS),
                settings.get(DOMAIN_QUEUE), settings.get(QUEUE));
    }

    public static SendingSetup sending(Settings settings) {
        return new SendingSetup(smtp(settings), shop(settings), settings.get(TEMPLATES_DIR), settings.get(DEFAULT_LOCALE),
                Templates.parseFallbacks(settings.get(LOCALE_FALLBACKS)), settings.get(TokenOptions.SECRET_FILE),
                settings.get(TokenOptions.SECRET_ENV), TokenOptions.baseUrl(settings), settings.get(CONNECTIONS),
                limits(settings), retries(settings), settings.get(DEDUP_RETENTION));
    }

    public static RetryPolicy retries(Settings settings) {
        return new RetryPolicy(settings.get(MAX_ATTEMPTS), settings.get(FIRST_BACKOFF), settings.get(MAX_BACKOFF));
    }
}
