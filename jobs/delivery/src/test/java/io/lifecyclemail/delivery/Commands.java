package io.lifecyclemail.delivery;

import io.lifecyclemail.common.tokens.LinkTokens;
import io.lifecyclemail.common.tokens.TrackedLinks;
import io.lifecyclemail.delivery.mail.ShopIdentity;
import io.lifecyclemail.delivery.mail.SmtpSettings;
import io.lifecyclemail.delivery.send.SendLimits;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.AddressedCommand;
import io.lifecyclemail.state.ContactState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builders for send commands and contacts in tests. */
public final class Commands {
    public static final Instant NOW = Instant.parse("2026-11-02T12:00:00Z");
    public static final ShopIdentity SHOP = new ShopIdentity("Tea & Co", "shop@tea.example", "https://tea.example/cart",
            "1-2-3 Ocha-machi, Shizuoka 420-0001", "support@tea.example");
    public static final byte[] TOKEN_KEY = "a-test-key-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8);
    public static final String TRACKING = "https://t.tea.example";
    public static final LinkTokens TOKENS = new LinkTokens(TOKEN_KEY);
    public static final TrackedLinks LINKS = new TrackedLinks(TOKENS, TRACKING);
    public static final RetryPolicy RETRIES = new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMinutes(1));

    private Commands() {}

    public static Product product(String id, String name, long yen) {
        return Product.newBuilder().setProductId(id).setName(name).setUnitPriceMinor(yen).setCurrency("JPY").build();
    }

    public static SendCommand cartReminder(String sendId, String customer, ItemLine... items) {
        return SendCommand.newBuilder().setSendId(sendId).setCustomerId(customer).setScenarioId("cart-abandonment")
                .setScenarioVersion(1).setScenarioKind("CartAbandonment").setStep("reminder")
                .setTemplate("cart-abandonment").setTriggerEventId("e-" + sendId).setTriggerTime(NOW)
                .setItems(List.of(items)).setAttributes(Map.of()).build();
    }

    public static ContactState contact(String email, String name, String locale) {
        return new ContactState(email, name, locale, "Asia/Tokyo", true, 1L, null, 0L, null);
    }

    public static AddressedCommand addressed(SendCommand command, ContactState contact) {
        return new AddressedCommand(command, contact, 0L);
    }

    /** The key in a file, the way the jobs read it. */
    public static String tokenKeyFile() {
        try {
            Path file = Files.createTempFile("token-key", "");
            file.toFile().deleteOnExit();
            Files.write(file, TOKEN_KEY);
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sending to a plain SMTP server on loopback, the shipped templates, no rate limits. */
    public static SendingSetup sending(int smtpPort, SendLimits limits, int connections) {
        return new SendingSetup(new SmtpSettings("127.0.0.1", smtpPort, SmtpSettings.Security.NONE, "", "UNUSED",
                Duration.ofSeconds(5)), SHOP, "", "en", Map.of("zh", "zh-CN"), tokenKeyFile(), "UNUSED", TRACKING,
                connections, limits, RETRIES, Duration.ofDays(30));
    }

    public static ItemLine line(Product product, int quantity) {
        return new ItemLine(product, quantity);
    }
}
