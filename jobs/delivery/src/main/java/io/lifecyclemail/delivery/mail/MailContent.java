package io.lifecyclemail.delivery.mail;

import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.ContactState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The values a template sees, built from a send command and the contact it goes to. */
public final class MailContent {
    private MailContent() {}

    /** One product line as templates show it. */
    public record Item(String name, int quantity, String unitPrice, String lineTotal, String imageUrl, String url) {}

    public static Map<String, Object> model(SendCommand command, ContactState contact, Locale locale,
                                            ShopIdentity shop) {
        Map<String, Object> model = new HashMap<>(command.getAttributes());
        model.put("name", contact.getName() == null || contact.getName().isBlank() ? null : contact.getName());
        model.put("shopName", shop.name());
        model.put("cartUrl", shop.cartUrl());
        List<Item> items = new ArrayList<>();
        Map<String, Long> totals = new HashMap<>();
        for (ItemLine line : command.getItems()) {
            Product product = line.getProduct();
            String unit = null;
            String lineTotal = null;
            if (product.getUnitPriceMinor() != null && product.getCurrency() != null) {
                long total = product.getUnitPriceMinor() * line.getQuantity();
                unit = Money.format(product.getUnitPriceMinor(), product.getCurrency(), locale);
                lineTotal = Money.format(total, product.getCurrency(), locale);
                totals.merge(product.getCurrency(), total, Long::sum);
            }
            items.add(new Item(product.getName() == null ? product.getProductId() : product.getName(),
                    line.getQuantity(), unit, lineTotal, product.getImageUrl(), product.getUrl()));
        }
        model.put("items", items);
        model.put("itemCount", items.size());
        // a total only makes sense in one currency
        if (totals.size() == 1) {
            Map.Entry<String, Long> total = totals.entrySet().iterator().next();
            model.put("total", Money.format(total.getValue(), total.getKey(), locale));
        }
        return model;
    }
}
