package io.lifecyclemail.delivery.mail;

import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a templates folder before it goes live: every template in every required language with all
 * three parts, each part compiles, each name a template uses is one the delivery job fills (a typo
 * like {@code {{coupnCode}}} would otherwise render as nothing), and the footer carries what the law
 * and RFC 8058 ask for.
 */
public final class TemplateCheck {
    private TemplateCheck() {}

    /** One finding: which file, which line (0 = the file as a whole), which name, what is wrong. */
    public record Problem(String file, int line, String field, String message) {
        @Override
        public String toString() {
            return file + (line > 0 ? ":" + line : "") + ": " + field + ": " + message;
        }
    }

    /** Names the footer must use. */
    static final List<String> FOOTER_REQUIRES = List.of("senderName", "postalAddress", "contact", "unsubscribeUrl");

    public static List<Problem> check(Templates templates, List<String> requiredLocales) {
        Set<String> known = new HashSet<>(MailContent.COMMON_VARIABLES);
        MailContent.ATTRIBUTES_BY_KIND.values().forEach(known::addAll);
        List<Problem> problems = new ArrayList<>();
        List<String> names = templates.templateNames();
        if (names.isEmpty()) {
            problems.add(new Problem("(templates folder)", 0, "templates", "no template folders found"));
        }
        for (String template : names) {
            List<String> locales = templates.locales(template);
            for (String locale : requiredLocales) {
                if (!locales.contains(locale)) {
                    problems.add(new Problem(template + "/", 0, locale, "missing language " + locale
                            + " (has " + locales + ")"));
                }
            }
            for (String locale : locales) {
                try {
                    templates.compiled(template, locale).ifPresent(compiled -> {
                        checkPart(template, locale + ".subject", compiled.subject(), known, templates, problems);
                        checkPart(template, locale + ".html", compiled.html(), known, templates, problems);
                        checkPart(template, locale + ".txt", compiled.text(), known, templates, problems);
                    });
                } catch (Templates.MissingTemplateException | MustacheException e) {
                    problems.add(new Problem(template + "/" + locale, 0, "template", e.getMessage()));
                }
            }
        }
        List<String> footerLocales = templates.locales(Templates.FOOTER);
        for (String locale : requiredLocales) {
            if (!footerLocales.contains(locale)) {
                problems.add(new Problem(Templates.FOOTER + "/", 0, locale, "missing footer language " + locale));
            }
        }
        for (String locale : footerLocales) {
            try {
                templates.footer(locale).ifPresent(footer -> {
                    for (var part : List.of(new Object[] {"html", footer.html()}, new Object[] {"txt", footer.text()})) {
                        String file = locale + "." + part[0];
                        Mustache mustache = (Mustache) part[1];
                        checkPart(Templates.FOOTER, file, mustache, known, templates, problems);
                        Set<String> used = new HashSet<>(unscoped(Templates.variables(mustache)));
                        for (String required : FOOTER_REQUIRES) {
                            if (!used.contains(required)) {
                                problems.add(new Problem(Templates.FOOTER + "/" + file + ".mustache", 0, required,
                                        "the footer must show {{" + required + "}} (sender identity and unsubscribe link)"));
                            }
                        }
                    }
                });
            } catch (Templates.MissingTemplateException | MustacheException e) {
                problems.add(new Problem(Templates.FOOTER + "/" + locale, 0, "footer", e.getMessage()));
            }
        }
        return problems;
    }

    private static void checkPart(String template, String part, Mustache mustache, Set<String> known,
                                  Templates templates, List<Problem> problems) {
        String file = template + "/" + part + ".mustache";
        for (String scoped : Templates.variables(mustache)) {
            if (!isKnown(scoped, known)) {
                String name = scoped.substring(scoped.lastIndexOf('.') + 1);
                problems.add(new Problem(file, lineOf(templates.text(template, part + ".mustache").orElse(null), name), name,
                        "unknown value {{" + name + "}}; known: " + new java.util.TreeSet<>(known)));
            }
        }
    }

    /** Mustache looks a name up in the innermost section first, then outwards: so does this check. */
    static boolean isKnown(String scoped, Set<String> known) {
        String[] parts = scoped.split("\\.");
        String leaf = parts[parts.length - 1];
        for (int depth = parts.length - 1; depth >= 0; depth--) {
            String prefix = String.join(".", java.util.Arrays.copyOfRange(parts, 0, depth));
            if (known.contains(prefix.isEmpty() ? leaf : prefix + "." + leaf)) {
                return true;
            }
        }
        return leaf.equals(".");
    }

    private static List<String> unscoped(List<String> scoped) {
        return scoped.stream().map(name -> name.substring(name.lastIndexOf('.') + 1)).toList();
    }

    static int lineOf(String text, String name) {
        if (text == null) {
            return 0;
        }
        Matcher tag = Pattern.compile("\\{\\{\\{?\\s*[#^/&]?\\s*" + Pattern.quote(name) + "\\s*}?}}").matcher(text);
        if (!tag.find()) {
            return 0;
        }
        return (int) text.substring(0, tag.start()).chars().filter(c -> c == '\n').count() + 1;
    }
}
