package io.lifecyclemail.delivery;

import io.lifecyclemail.delivery.mail.ShopIdentity;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.AddressedCommand;
import io.lifecyclemail.state.ContactState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builders for send commands and contacts in tests. */
public final class Commands {
    public static final Instant NOW = Instant.parse("2026-11-02T12:00:00Z");
    public static final ShopIdentity SHOP = new ShopIdentity("Tea & Co", "shop@tea.example", "https://tea.example/cart");

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
        return new ContactState(email, name, locale, "Asia/Tokyo", true, 0L);
    }

    public static AddressedCommand addressed(SendCommand command, ContactState contact) {
        return new AddressedCommand(command, contact, 0L);
    }

    public static ItemLine line(Product product, int quantity) {
        return new ItemLine(product, quantity);
    }
}
