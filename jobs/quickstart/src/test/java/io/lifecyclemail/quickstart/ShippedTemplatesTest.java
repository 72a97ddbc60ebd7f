package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.delivery.mail.MailContent;
import io.lifecyclemail.delivery.mail.RenderedMail;
import io.lifecyclemail.delivery.mail.ShopIdentity;
import io.lifecyclemail.delivery.mail.Templates;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.ContactState;
import io.lifecyclemail.common.tokens.LinkTokens;
import io.lifecyclemail.common.tokens.TrackedLinks;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every shipped scenario's template renders in every shipped language, with the product names in it. */
class ShippedTemplatesTest {
    static final List<String> SHIPPED_LANGUAGES = List.of("ja", "en", "zh-CN", "ko");
    static final TrackedLinks LINKS = new TrackedLinks(new LinkTokens(
            "a-test-key-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8)), "https://t.example.com");

    @Test
    void everyShippedScenarioHasItsTemplateInEveryLanguage() {
        Templates templates = new Templates(null, "en");
        ShopIdentity shop = new ShopIdentity("Example Shop", "shop@example.com", "https://shop.example.com/cart",
                "1-2-3 Example-cho, Tokyo", "support@example.com");
        List<Scenario> scenarios = ScenarioLoader.loadBundled();
        assertThat(scenarios).extracting(Scenario::kind).containsAll(ScenarioLoader.KINDS);
        for (Scenario scenario : scenarios) {
            if (scenario instanceof io.lifecyclemail.decision.scenario.PostPurchaseScenario steps) {
                for (var step : steps.steps()) {
                    for (String language : SHIPPED_LANGUAGES) {
                        ContactState contact = new ContactState("c@example.com", "Name", language, null, true, 1L, null, 0L, null);
                        SendCommand command = SendCommand.newBuilder().setSendId("s").setCustomerId("c")
                                .setScenarioId(scenario.id()).setScenarioVersion(1).setScenarioKind(scenario.kind())
                                .setStep(step.name()).setTemplate(step.template()).setTriggerEventId("e")
                                .setTriggerTime(Instant.EPOCH).setItems(List.of(new ItemLine(SampleShop.product(0), 1)))
                                .setAttributes(Map.of("trackingNumber", "JP42", "orderId", "o1")).build();
                        RenderedMail mail = templates.render(step.template(), language,
                                MailContent.model(command, contact, templates.formattingLocale(language), shop, LINKS));
                        assertThat(mail.locale()).as(step.template() + " in " + language).isEqualTo(language);
                        assertThat(mail.text()).contains("Name");
                        if (step.onShipped()) {
                            assertThat(mail.text()).contains("JP42");
                        }
                    }
                }
                continue;
            }
            SendCommand command = SendCommand.newBuilder().setSendId("s").setCustomerId("c").setScenarioId(scenario.id())
                    .setScenarioVersion(1).setScenarioKind(scenario.kind()).setStep("reminder")
                    .setTemplate(scenario.template()).setTriggerEventId("e").setTriggerTime(Instant.EPOCH)
                    .setItems(List.of(new ItemLine(SampleShop.product(0), 1), new ItemLine(SampleShop.product(1), 2)))
                    .setAttributes(Map.of("couponCode", "COUPON42")).build();
            boolean listsItems = !List.of("PricePageVisit", "AtRisk", "Birthday", "PointsExpiry", "RegistrationAnniversary",
                    "DeepBrowsing", "RankChange")
                    .contains(scenario.kind());
            for (String language : SHIPPED_LANGUAGES) {
                ContactState contact = new ContactState("c@example.com", "Name", language, null, true, 1L, null, 0L, null);
                RenderedMail mail = templates.render(scenario.template(), language,
                        MailContent.model(command, contact, templates.formattingLocale(language), shop, LINKS));
                assertThat(mail.locale()).as(scenario.id() + " in " + language).isEqualTo(language);
                assertThat(mail.subject()).isNotBlank().contains("Name");
                assertThat(mail.html()).contains("lang=\"" + language + "\"");
                // the footer: who sends, from where, how to reach them, how to stop it
                assertThat(mail.html()).contains("1-2-3 Example-cho, Tokyo", "support@example.com",
                        "https://t.example.com/u/", "https://t.example.com/o/");
                assertThat(mail.text()).contains("1-2-3 Example-cho, Tokyo", "https://t.example.com/u/");
                assertThat(mail.html()).doesNotContain("https://shop.example.com/cart")
                        .as("links go through the tracking service");
                if (listsItems) {
                    assertThat(mail.text()).contains(SampleShop.product(0).getName(), SampleShop.product(1).getName());
                    assertThat(mail.html()).contains(SampleShop.product(0).getName());
                } else if (List.of("PricePageVisit", "Birthday", "RegistrationAnniversary", "DeepBrowsing")
                        .contains(scenario.kind())) {
                    assertThat(mail.text()).contains("COUPON42");
                    assertThat(mail.html()).contains("COUPON42");
                }
                // content chosen by rank renders too; content not marked as a discount shows no coupon
                for (var content : scenario.policy().contentByRank()) {
                    RenderedMail byRank = templates.render(content.template(), language,
                            MailContent.model(command, contact, templates.formattingLocale(language), shop, LINKS));
                    assertThat(byRank.locale()).as(content.template() + " in " + language).isEqualTo(language);
                    assertThat(byRank.subject()).contains("Name");
                    assertThat(byRank.html()).contains("lang=\"" + language + "\"");
                    if (!content.discount()) {
                        assertThat(byRank.text()).doesNotContain("COUPON42");
                    }
                }
            }
        }
    }
}
