package io.lifecyclemail.delivery.mail;

import io.lifecyclemail.common.tokens.TrackedLinks;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.ContactState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The values a template sees, built from a send command and the contact it goes to. */
public final class MailContent {
    private MailContent() {}

    /** One product line as templates show it; {@code url} is the tracked link to the product. */
    public record Item(String name, int quantity, String unitPrice, String lineTotal, String imageUrl, String url) {}

    /** Names every template may use, whatever the scenario ("items.x" = inside {{#items}}). */
    public static final Set<String> COMMON_VARIABLES = Set.of("name", "shopName", "cartUrl", "items", "itemCount",
            "total", "items.name", "items.quantity", "items.unitPrice", "items.lineTotal", "items.imageUrl",
            "items.url", "senderName", "postalAddress", "contact", "unsubscribeUrl", "openPixelUrl", "transactional");

    /** Names that come from the send command's attributes, by the scenario kinds that set them. */
    public static final Map<String, Set<String>> ATTRIBUTES_BY_KIND = Map.of(
            "PricePageVisit", Set.of("couponCode"),
            "Birthday", Set.of("couponCode"),
            "RegistrationAnniversary", Set.of("couponCode"),
            "DeepBrowsing", Set.of("couponCode"),
            "Dormancy", Set.of("couponCode"),
            "PointsExpiry", Set.of("pointsBalance", "pointsExpiry"),
            "PostPurchase", Set.of("orderId", "trackingNumber"));

    public static Map<String, Object> model(SendCommand command, ContactState contact, Locale locale,
                                            ShopIdentity shop, TrackedLinks links) {
        String sendId = command.getSendId();
        String customer = command.getCustomerId();
        String scenario = command.getScenarioId();
        Map<String, Object> model = new HashMap<>(command.getAttributes());
        model.put("name", contact.getName() == null || contact.getName().isBlank() ? null : contact.getName());
        model.put("shopName", shop.name());
        model.put("senderName", shop.name());
        model.put("postalAddress", shop.postalAddress());
        model.put("contact", shop.contact());
        model.put("cartUrl", links.click(sendId, customer, scenario, shop.cartUrl()));
        model.put("openPixelUrl", links.open(sendId, customer, scenario));
        model.put("transactional", command.getTransactional());
        if (!command.getTransactional()) {
            // a transactional mail (the shipping notice) is not something one unsubscribes from
            model.put("unsubscribeUrl", links.unsubscribe(sendId, customer, scenario));
        }
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
                    line.getQuantity(), unit, lineTotal, product.getImageUrl(),
                    links.click(sendId, customer, scenario, product.getUrl())));
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
