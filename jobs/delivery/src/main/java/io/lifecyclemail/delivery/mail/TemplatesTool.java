package io.lifecyclemail.delivery.mail;

import io.lifecyclemail.common.tokens.LinkTokens;
import io.lifecyclemail.common.tokens.TrackedLinks;
import io.lifecyclemail.schema.ItemLine;
import io.lifecyclemail.schema.Product;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.ContactState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * For marketers: {@code validate} a templates folder, {@code preview} one template for a sample
 * customer in one language as HTML and text files (and a PNG where a headless Chromium is installed).
 * Run through deploy/templates.sh.
 */
public final class TemplatesTool {
    /** The languages every shipped template has; a folder is checked against them unless told otherwise. */
    public static final List<String> SHIPPED_LOCALES = List.of("en", "ja", "ko", "zh-CN");
    static final ShopIdentity SAMPLE_SHOP = new ShopIdentity("Example Shop", "shop@example.com",
            "https://shop.example.com/cart", "1-2-3 Example-cho, Chiyoda-ku, Tokyo 100-0001, Japan", "support@example.com");
    static final Map<String, String> SAMPLE_NAMES = Map.of("ja", "佐藤 花子", "en", "Emma Smith", "zh-CN", "李娜",
            "ko", "김민준");
    /** Preview links are signed with a throwaway key: they show the shape, they do not work. */
    static final LinkTokens PREVIEW_TOKENS = new LinkTokens("preview-only-key-links-in-previews-do-not-work"
            .getBytes(StandardCharsets.UTF_8));

    private TemplatesTool() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        List<String> positional = new ArrayList<>();
        String folder = null;
        List<String> locales = SHIPPED_LOCALES;
        for (String arg : args) {
            if (arg.startsWith("--folder=")) {
                folder = arg.substring("--folder=".length());
            } else if (arg.startsWith("--locales=")) {
                locales = Arrays.stream(arg.substring("--locales=".length()).split(",")).map(String::strip).toList();
            } else {
                positional.add(arg);
            }
        }
        Templates templates = new Templates(folder == null ? null : Path.of(folder), "en", Map.of("zh", "zh-CN"));
        String command = positional.isEmpty() ? "" : positional.get(0);
        switch (command) {
            case "validate" -> {
                List<TemplateCheck.Problem> problems = TemplateCheck.check(templates, locales);
                problems.forEach(problem -> err.println(problem));
                String where = folder == null ? "the shipped templates" : folder;
                if (problems.isEmpty()) {
                    out.printf("%s: %d templates, each in %s, and the footer: OK%n", where,
                            templates.templateNames().size(), locales);
                    return 0;
                }
                err.printf("%s: %d problem(s)%n", where, problems.size());
                return 1;
            }
            case "preview" -> {
                if (positional.size() < 3) {
                    err.println("usage: preview <template> <locale> [output folder] [--folder=templates]");
                    return 2;
                }
                Path outDir = Path.of(positional.size() > 3 ? positional.get(3) : "target/preview");
                for (Path written : preview(templates, positional.get(1), positional.get(2), outDir)) {
                    out.println("wrote " + written);
                }
                return 0;
            }
            default -> {
                err.println("usage: validate [--folder=templates] [--locales=en,ja,ko,zh-CN]\n"
                        + "       preview <template> <locale> [output folder] [--folder=templates]");
                return 2;
            }
        }
    }

    /** Renders the template for a sample customer into {@code <template>.<locale>.html} and {@code .txt}. */
    public static List<Path> preview(Templates templates, String template, String locale, Path outDir) throws IOException {
        String language = templates.localeChain(locale).get(0);
        ContactState customer = new ContactState("customer@example.com",
                SAMPLE_NAMES.getOrDefault(language, SAMPLE_NAMES.getOrDefault(language.split("-")[0], "Emma Smith")),
                locale, "Asia/Tokyo", true, 1L, null, 0L, null);
        RenderedMail mail = templates.render(template, locale, MailContent.model(sampleCommand(template), customer,
                templates.formattingLocale(locale), SAMPLE_SHOP, new TrackedLinks(PREVIEW_TOKENS, "https://t.example.com")));
        Files.createDirectories(outDir);
        Path html = outDir.resolve(template + "." + locale + ".html");
        Path text = outDir.resolve(template + "." + locale + ".txt");
        Files.writeString(html, mail.html(), StandardCharsets.UTF_8);
        Files.writeString(text, "Subject: " + mail.subject() + "\nContent-Language: " + mail.locale() + "\n\n" + mail.text(),
                StandardCharsets.UTF_8);
        List<Path> written = new ArrayList<>(List.of(html, text));
        screenshot(html, outDir.resolve(template + "." + locale + ".png")).ifPresent(written::add);
        return written;
    }

    static SendCommand sampleCommand(String template) {
        Product tea = Product.newBuilder().setProductId("tea-1").setName("Shizuoka Sencha 100g").setUnitPriceMinor(1280L)
                .setCurrency("JPY").setImageUrl("https://shop.example.com/img/sencha.jpg")
                .setUrl("https://shop.example.com/p/tea-1").build();
        Product cup = Product.newBuilder().setProductId("cup-2").setName("Arita Porcelain Cup").setUnitPriceMinor(3300L)
                .setCurrency("JPY").setImageUrl("https://shop.example.com/img/cup.jpg")
                .setUrl("https://shop.example.com/p/cup-2").build();
        return SendCommand.newBuilder().setSendId("preview").setCustomerId("sample-customer").setScenarioId(template)
                .setScenarioVersion(1).setScenarioKind("Preview").setStep("preview").setTemplate(template)
                .setTriggerEventId("preview").setTriggerTime(Instant.parse("2026-11-23T10:00:00Z"))
                .setItems(List.of(new ItemLine(tea, 2), new ItemLine(cup, 1)))
                .setAttributes(Map.of("couponCode", "THANKYOU10", "pointsBalance", "1200", "pointsExpiry", "2026-12-31",
                        "orderId", "A-10042", "trackingNumber", "JP123456789"))
                .build();
    }

    /** A PNG of the HTML at phone width, when a headless Chromium is on the PATH; empty otherwise. */
    static java.util.Optional<Path> screenshot(Path html, Path png) {
        for (String browser : List.of("chromium", "chromium-browser", "google-chrome")) {
            try {
                Process process = new ProcessBuilder(browser, "--headless", "--disable-gpu", "--no-sandbox",
                        "--window-size=390,1200", "--screenshot=" + png.toAbsolutePath(), html.toUri().toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0 && Files.exists(png)) {
                    return java.util.Optional.of(png);
                }
                process.destroyForcibly();
            } catch (IOException notInstalled) {
                // try the next name
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        System.err.println("no headless Chromium found (chromium, chromium-browser, google-chrome): PNG skipped; "
                + "open the .html file in a browser, or narrow the window to see the phone layout");
        return java.util.Optional.empty();
    }
}
