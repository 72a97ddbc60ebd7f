package io.lifecyclemail.delivery.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateCheckTest {
    @Test
    void theShippedTemplatesAreCompleteInEveryShippedLanguage() {
        Templates shipped = new Templates(null, "en");
        assertThat(shipped.templateNames()).hasSize(18).contains("cart-abandonment", "restock", "birthday");
        assertThat(TemplateCheck.check(shipped, TemplatesTool.SHIPPED_LOCALES)).isEmpty();
    }

    static void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    @Test
    void namesFileLineAndFieldOfEveryProblem(@TempDir Path folder) throws Exception {
        write(folder.resolve("welcome/en.subject.mustache"), "Hello {{name}}");
        write(folder.resolve("welcome/en.html.mustache"), "<p>Hi</p>\n{{#items}}<p>{{name}} {{prise}}</p>{{/items}}\n");
        write(folder.resolve("welcome/en.txt.mustache"), "Hi\n\nyour code: {{coupnCode}}\n");
        write(folder.resolve("_footer/en.html.mustache"), "{{senderName}} {{postalAddress}} {{contact}}");
        write(folder.resolve("_footer/en.txt.mustache"), "{{senderName}} {{postalAddress}} {{contact}} {{unsubscribeUrl}}");
        List<String> problems = TemplateCheck.check(new Templates(folder, "en"), List.of("en", "ja")).stream()
                .map(TemplateCheck.Problem::toString).toList();
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("welcome/en.txt.mustache:3: coupnCode: unknown value"))
                .anySatisfy(p -> assertThat(p).startsWith("welcome/en.html.mustache:2: prise: unknown value"))
                .anySatisfy(p -> assertThat(p).startsWith("welcome/: ja: missing language ja"))
                .anySatisfy(p -> assertThat(p).startsWith("_footer/: ja: missing footer language"))
                .anySatisfy(p -> assertThat(p).startsWith("_footer/en.html.mustache: unsubscribeUrl: the footer must show"))
                .hasSize(5);
    }

    @Test
    void previewWritesHtmlAndTextForASampleCustomer(@TempDir Path out) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit = TemplatesTool.run(new String[] {"preview", "cart-abandonment", "ko-KR", out.toString()},
                new PrintStream(printed, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        assertThat(exit).isZero();
        String html = Files.readString(out.resolve("cart-abandonment.ko-KR.html"));
        String text = Files.readString(out.resolve("cart-abandonment.ko-KR.txt"));
        assertThat(html).contains("lang=\"ko\"", "김민준", "Shizuoka Sencha 100g", "JP¥2,560", "1-2-3 Example-cho");
        assertThat(text).startsWith("Subject: 김민준님, ").contains("Content-Language: ko", "Arita Porcelain Cup");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("cart-abandonment.ko-KR.html");
    }

    @Test
    void validateExitsNonZeroOnProblems(@TempDir Path folder) throws Exception {
        write(folder.resolve("welcome/en.subject.mustache"), "{{nmae}}");
        write(folder.resolve("welcome/en.html.mustache"), "x");
        write(folder.resolve("welcome/en.txt.mustache"), "x");
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int exit = TemplatesTool.run(new String[] {"validate", "--folder=" + folder, "--locales=en"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(errors, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(1);
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains("welcome/en.subject.mustache:1: nmae: unknown value");
    }
}
