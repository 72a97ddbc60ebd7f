package io.lifecyclemail.delivery.mail;

import static io.lifecyclemail.delivery.Commands.LINKS;
import static io.lifecyclemail.delivery.Commands.SHOP;
import static io.lifecyclemail.delivery.Commands.TRACKING;
import static io.lifecyclemail.delivery.Commands.cartReminder;
import static io.lifecyclemail.delivery.Commands.contact;
import static io.lifecyclemail.delivery.Commands.line;
import static io.lifecyclemail.delivery.Commands.product;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.ContactState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplatesTest {
    final Templates shipped = new Templates(null, "en");
    final SendCommand command = cartReminder("s1", "c1",
            line(product("tea", "Sencha <b>Special</b>", 1280), 2), line(product("cup", "Arita Cup", 3300), 1));

    RenderedMail render(ContactState contact) {
        return shipped.render("cart-abandonment", contact.getLocale(),
                MailContent.model(command, contact, shipped.formattingLocale(contact.getLocale()), SHOP, LINKS));
    }

    @Test
    void rendersJapaneseWithNameItemsAndYen() {
        RenderedMail mail = render(contact("a@example.com", "佐藤 花子", "ja-JP"));
        assertThat(mail.locale()).isEqualTo("ja");
        assertThat(mail.subject()).isEqualTo("佐藤 花子様、カートに商品が残っています（Tea & Co）");
        assertThat(mail.text()).contains("佐藤 花子様", "Arita Cup × 1  ￥3,300", "× 2  ￥2,560", "合計：￥5,860");
        assertThat(mail.html()).contains("lang=\"ja\"", "佐藤 花子様", TRACKING + "/c/");
    }

    @Test
    void rendersEnglishAndFallsBackFromUnknownLocales() {
        RenderedMail english = render(contact("b@example.com", "Emma", "en-GB"));
        assertThat(english.locale()).isEqualTo("en");
        assertThat(english.subject()).isEqualTo("Emma, you left 2 item(s) in your cart at Tea & Co");
        assertThat(render(contact("c@example.com", "Jean", "fr-FR")).locale()).isEqualTo("en");
        assertThat(shipped.localeChain("ko-KR")).containsExactly("ko-KR", "ko", "en");
    }

    @Test
    void escapesHtmlButNotPlainText() {
        RenderedMail mail = render(contact("a@example.com", "<script>alert(1)</script>", "en-US"));
        assertThat(mail.html()).doesNotContain("<script>", "<b>Special</b>")
                .contains("&lt;script&gt;", "Sencha &lt;b&gt;Special&lt;/b&gt;");
        assertThat(mail.text()).contains("Sencha <b>Special</b>");
    }

    @Test
    void greetsWithoutANameWhenThereIsNone() {
        assertThat(render(contact("a@example.com", null, "ja")).text()).startsWith("お客様");
        assertThat(render(contact("a@example.com", " ", "en")).text()).startsWith("Hello,");
    }

    @Test
    void formatsEachCurrencyForTheReadersLocale() {
        assertThat(Money.format(128000, "JPY", Locale.JAPAN)).isEqualTo("￥128,000");
        assertThat(Money.format(1999, "USD", Locale.US)).isEqualTo("$19.99");
        assertThat(Money.format(1999, "EUR", Locale.GERMANY)).isEqualTo("19,99\u00a0€");
    }

    @Test
    void aTemplateFolderNeedsAllThreeParts(@TempDir Path folder) throws Exception {
        Files.createDirectories(folder.resolve("welcome"));
        Files.writeString(folder.resolve("welcome/en.subject.mustache"), "Hi");
        Templates partial = new Templates(folder, "en");
        assertThatThrownBy(() -> partial.render("welcome", "en", java.util.Map.of()))
                .hasMessageContaining("welcome/en needs all of .subject, .html and .txt");
        assertThatThrownBy(() -> partial.render("missing", "en", java.util.Map.of()))
                .isInstanceOf(Templates.MissingTemplateException.class);
    }
}
