package io.lifecyclemail.delivery.mail;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mail templates in Mustache, one folder per template with three files per language:
 * {@code <template>/<locale>.subject.mustache}, {@code .html.mustache} and {@code .txt.mustache}.
 * HTML bodies escape every value by default; subject and text are plain. The locale is looked up
 * from the most specific tag (ja-JP) to the language (ja) to the default locale.
 */
public final class Templates {
    private final Path folder;
    private final String defaultLocale;
    private final Map<String, Optional<Compiled>> cache = new ConcurrentHashMap<>();
    private final DefaultMustacheFactory html = new DefaultMustacheFactory();
    private final DefaultMustacheFactory plain = new DefaultMustacheFactory() {
        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(value);
            } catch (IOException e) {
                throw new MustacheException(e);
            }
        }
    };

    private record Compiled(Mustache subject, Mustache html, Mustache text) {}

    /** @param folder the templates folder, or null for the templates shipped on the classpath */
    public Templates(Path folder, String defaultLocale) {
        this.folder = folder;
        this.defaultLocale = defaultLocale;
    }

    /** Most specific first: ja-JP, ja, then the default locale. */
    public List<String> localeChain(String locale) {
        List<String> chain = new ArrayList<>();
        if (locale != null && !locale.isBlank()) {
            Locale parsed = Locale.forLanguageTag(locale.replace('_', '-'));
            if (!parsed.getCountry().isEmpty()) {
                chain.add(parsed.getLanguage() + "-" + parsed.getCountry());
            }
            if (!parsed.getLanguage().isEmpty()) {
                chain.add(parsed.getLanguage());
            }
        }
        if (!chain.contains(defaultLocale)) {
            chain.add(defaultLocale);
        }
        return chain;
    }

    /**
     * Renders a template for the customer's locale.
     *
     * @throws MissingTemplateException when no locale in the chain has the template
     */
    public RenderedMail render(String template, String customerLocale, Map<String, Object> model) {
        for (String locale : localeChain(customerLocale)) {
            Optional<Compiled> compiled = cache.computeIfAbsent(template + "/" + locale, key -> load(template, locale));
            if (compiled.isPresent()) {
                return new RenderedMail(run(compiled.get().subject(), model).strip(), run(compiled.get().html(), model),
                        run(compiled.get().text(), model), locale);
            }
        }
        throw new MissingTemplateException("no template '" + template + "' for any of " + localeChain(customerLocale));
    }

    /** The locale a customer's mail will be written in. */
    public Locale formattingLocale(String customerLocale) {
        return Locale.forLanguageTag(customerLocale == null || customerLocale.isBlank() ? defaultLocale : customerLocale);
    }

    private static String run(Mustache mustache, Map<String, Object> model) {
        StringWriter out = new StringWriter();
        mustache.execute(out, model);
        return out.toString();
    }

    private Optional<Compiled> load(String template, String locale) {
        Optional<String> subject = read(template, locale + ".subject.mustache");
        Optional<String> htmlBody = read(template, locale + ".html.mustache");
        Optional<String> textBody = read(template, locale + ".txt.mustache");
        if (subject.isEmpty() && htmlBody.isEmpty() && textBody.isEmpty()) {
            return Optional.empty();
        }
        String name = template + "/" + locale;
        if (subject.isEmpty() || htmlBody.isEmpty() || textBody.isEmpty()) {
            throw new MissingTemplateException(name + " needs all of .subject, .html and .txt");
        }
        return Optional.of(new Compiled(
                plain.compile(new StringReader(subject.get()), name + ".subject"),
                html.compile(new StringReader(htmlBody.get()), name + ".html"),
                plain.compile(new StringReader(textBody.get()), name + ".txt")));
    }

    private Optional<String> read(String template, String file) {
        if (!template.matches("[a-z0-9][a-z0-9-]*")) {
            return Optional.empty();
        }
        try {
            if (folder != null) {
                Path path = folder.resolve(template).resolve(file);
                return Files.isRegularFile(path) ? Optional.of(Files.readString(path, StandardCharsets.UTF_8))
                        : Optional.empty();
            }
            try (InputStream in = Templates.class.getClassLoader()
                    .getResourceAsStream("templates/" + template + "/" + file)) {
                return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** No usable template: the mail cannot be built, retrying will not help. */
    public static final class MissingTemplateException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingTemplateException(String message) {
            super(message);
        }
    }
}
