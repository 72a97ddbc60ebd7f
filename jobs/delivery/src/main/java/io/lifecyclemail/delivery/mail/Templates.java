package io.lifecyclemail.delivery.mail;

import com.github.mustachejava.Code;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.codes.IterableCode;
import com.github.mustachejava.codes.NotIterableCode;
import com.github.mustachejava.codes.ValueCode;
import io.lifecyclemail.common.options.Pairs;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Mail templates in Mustache, one folder per template with three files per language:
 * {@code <template>/<locale>.subject.mustache}, {@code .html.mustache} and {@code .txt.mustache}.
 * HTML bodies escape every value by default; subject and text are plain. The locale is looked up
 * from the most specific tag (ja-JP) to the language (ja), then the language's fallback (zh → zh-CN),
 * then the default locale.
 *
 * <p>Every mail gets the footer of folder {@value #FOOTER} appended (sender identity, unsubscribe
 * link, open pixel): the law wants it in every marketing mail, so no template can forget it.
 */
public final class Templates {
    public static final String FOOTER = "_footer";
    private static final Pattern TEMPLATE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern LOCALE_FILE = Pattern.compile("([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\\.subject\\.mustache");

    private final Path folder;
    private final String defaultLocale;
    private final Map<String, String> fallbacks;
    private final Map<String, Optional<Compiled>> cache = new ConcurrentHashMap<>();
    private final Map<String, Optional<Compiled>> footers = new ConcurrentHashMap<>();
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

    /** The three compiled parts of one template in one locale; a footer has no subject. */
    public record Compiled(Mustache subject, Mustache html, Mustache text) {}

    /** @param folder the templates folder, or null for the templates shipped on the classpath */
    public Templates(Path folder, String defaultLocale) {
        this(folder, defaultLocale, Map.of());
    }

    /**
     * @param fallbacks where a language (or language-script, language-region) goes before the default
     *     locale, e.g. zh → zh-CN so a customer whose profile says "zh" reads Simplified Chinese
     */
    public Templates(Path folder, String defaultLocale, Map<String, String> fallbacks) {
        this.folder = folder;
        this.defaultLocale = defaultLocale;
        this.fallbacks = Map.copyOf(fallbacks);
    }

    /** "zh=zh-CN, zh-SG=zh-CN" as a map; blank = none. */
    public static Map<String, String> parseFallbacks(String spec) {
        return Pairs.parse(spec, "from=to, e.g. zh=zh-CN");
    }

    /** Most specific first: ja-JP, ja, the language's fallback, then the default locale. */
    public List<String> localeChain(String locale) {
        List<String> chain = new ArrayList<>();
        if (locale != null && !locale.isBlank()) {
            Locale parsed = Locale.forLanguageTag(locale.replace('_', '-'));
            String language = parsed.getLanguage();
            if (!language.isEmpty()) {
                if (!parsed.getCountry().isEmpty()) {
                    chain.add(language + "-" + parsed.getCountry());
                }
                if (!parsed.getScript().isEmpty()) {
                    chain.add(language + "-" + parsed.getScript());
                }
                chain.add(language);
                for (String tag : List.copyOf(chain)) {
                    String fallback = fallbacks.get(tag);
                    if (fallback != null && !chain.contains(fallback)) {
                        chain.add(fallback);
                    }
                }
            }
        }
        if (!chain.contains(defaultLocale)) {
            chain.add(defaultLocale);
        }
        return chain;
    }

    /**
     * Renders a template and the footer for the customer's locale.
     *
     * @throws MissingTemplateException when no locale in the chain has the template or the footer
     */
    public RenderedMail render(String template, String customerLocale, Map<String, Object> model) {
        List<String> chain = localeChain(customerLocale);
        for (String locale : chain) {
            Optional<Compiled> compiled = compiled(template, locale);
            if (compiled.isPresent()) {
                Compiled footer = footer(chain);
                String htmlBody = withFooter(run(compiled.get().html(), model), run(footer.html(), model));
                String textBody = run(compiled.get().text(), model).stripTrailing() + "\n\n" + run(footer.text(), model);
                return new RenderedMail(run(compiled.get().subject(), model).strip(), htmlBody, textBody, locale);
            }
        }
        throw new MissingTemplateException("no template '" + template + "' for any of " + chain);
    }

    /** The locale a customer's mail will be written in. */
    public Locale formattingLocale(String customerLocale) {
        return Locale.forLanguageTag(customerLocale == null || customerLocale.isBlank() ? defaultLocale : customerLocale);
    }

    public String defaultLocale() {
        return defaultLocale;
    }

    /** The template in exactly this locale (no fallback); empty when it has none. */
    public Optional<Compiled> compiled(String template, String locale) {
        if (!TEMPLATE_NAME.matcher(template).matches()) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(template + "/" + locale, key -> load(template, locale, true));
    }

    /** The footer in exactly this locale; empty when it has none. */
    public Optional<Compiled> footer(String locale) {
        return footers.computeIfAbsent(locale, key -> load(FOOTER, locale, false));
    }

    private Compiled footer(List<String> chain) {
        for (String locale : chain) {
            Optional<Compiled> footer = footer(locale);
            if (footer.isPresent()) {
                return footer.get();
            }
        }
        throw new MissingTemplateException("no footer (" + FOOTER + ") for any of " + chain);
    }

    /** The locales a template folder has, from its subject files (footers: from their html files). */
    public List<String> locales(String template) {
        String marker = FOOTER.equals(template) ? ".html.mustache" : ".subject.mustache";
        List<String> locales = new ArrayList<>();
        for (String file : files(template)) {
            if (file.endsWith(marker)) {
                String locale = file.substring(0, file.length() - marker.length());
                if (LOCALE_FILE.matcher(locale + ".subject.mustache").matches()) {
                    locales.add(locale);
                }
            }
        }
        locales.sort(null);
        return locales;
    }

    /** Every template folder: from the folder given, or the list shipped in the jar. */
    public List<String> templateNames() {
        if (folder == null) {
            return shippedFiles().stream().map(line -> line.split("/")[0])
                    .filter(name -> TEMPLATE_NAME.matcher(name).matches()).distinct().sorted().toList();
        }
        try (var entries = Files.list(folder)) {
            return entries.filter(Files::isDirectory).map(path -> path.getFileName().toString())
                    .filter(name -> TEMPLATE_NAME.matcher(name).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> files(String template) {
        if (folder == null) {
            return shippedFiles().stream().filter(line -> line.startsWith(template + "/"))
                    .map(line -> line.substring(template.length() + 1)).toList();
        }
        Path dir = folder.resolve(template);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var entries = Files.list(dir)) {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every name a template part looks up, with the section it is inside ("items.name"); for checks
     * of unknown variables.
     */
    public static List<String> variables(Mustache mustache) {
        List<String> names = new ArrayList<>();
        collect(mustache.getCodes(), "", names);
        return names;
    }

    private static void collect(Code[] codes, String scope, List<String> names) {
        if (codes == null) {
            return;
        }
        for (Code code : codes) {
            if (code instanceof ValueCode || code instanceof IterableCode) {
                names.add(scope + code.getName());
            }
            if (code instanceof IterableCode && !(code instanceof NotIterableCode)) {
                collect(code.getCodes(), scope + code.getName() + ".", names);
            } else {
                collect(code.getCodes(), scope, names);
            }
        }
    }

    static String withFooter(String htmlBody, String footerHtml) {
        int end = htmlBody.toLowerCase(Locale.ROOT).lastIndexOf("</body>");
        return end < 0 ? htmlBody + footerHtml : htmlBody.substring(0, end) + footerHtml + htmlBody.substring(end);
    }

    private static String run(Mustache mustache, Map<String, Object> model) {
        StringWriter out = new StringWriter();
        mustache.execute(out, model);
        return out.toString();
    }

    private Optional<Compiled> load(String template, String locale, boolean withSubject) {
        Optional<String> subject = withSubject ? read(template, locale + ".subject.mustache") : Optional.of("");
        Optional<String> htmlBody = read(template, locale + ".html.mustache");
        Optional<String> textBody = read(template, locale + ".txt.mustache");
        if ((!withSubject || subject.isEmpty()) && htmlBody.isEmpty() && textBody.isEmpty()) {
            return Optional.empty();
        }
        String name = template + "/" + locale;
        if (subject.isEmpty() || htmlBody.isEmpty() || textBody.isEmpty()) {
            throw new MissingTemplateException(name + " needs all of " + (withSubject ? ".subject, " : "") + ".html and .txt");
        }
        return Optional.of(new Compiled(
                plain.compile(new StringReader(subject.get()), name + ".subject"),
                html.compile(new StringReader(htmlBody.get()), name + ".html"),
                plain.compile(new StringReader(textBody.get()), name + ".txt")));
    }

    /** The text of one file of a template folder, as it is on disk or in the jar. */
    public Optional<String> text(String template, String file) {
        return read(template, file);
    }

    private Optional<String> read(String template, String file) {
        if (!LOCALE_FILE.matcher(file.replaceFirst("\\.(html|txt)\\.mustache$", ".subject.mustache")).matches()) {
            return Optional.empty();
        }
        if (folder == null) {
            return readResource("templates/" + template + "/" + file);
        }
        Path path = folder.resolve(template).resolve(file);
        try {
            return Files.isRegularFile(path) ? Optional.of(Files.readString(path, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static volatile List<String> shipped;

    /** "template/file" of every template shipped in the jar (or in target/classes when run from the IDE). */
    private static List<String> shippedFiles() {
        List<String> known = shipped;
        if (known != null) {
            return known;
        }
        try {
            var root = Templates.class.getClassLoader().getResource("templates");
            if (root == null) {
                return List.of();
            }
            URI uri = root.toURI();
            List<String> files = new ArrayList<>();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    list(jar.getPath("templates"), files);
                } catch (java.nio.file.FileSystemAlreadyExistsException openElsewhere) {
                    list(FileSystems.getFileSystem(uri).getPath("templates"), files);
                }
            } else {
                list(Path.of(uri), files);
            }
            files.sort(null);
            shipped = List.copyOf(files);
            return shipped;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the templates shipped in the jar", e);
        }
    }

    private static void list(Path root, List<String> into) throws IOException {
        try (var paths = Files.walk(root, 2)) {
            paths.filter(Files::isRegularFile).forEach(path -> into.add(root.relativize(path).toString().replace('\\', '/')));
        }
    }

    private static Optional<String> readResource(String name) {
        try (InputStream in = Templates.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
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
