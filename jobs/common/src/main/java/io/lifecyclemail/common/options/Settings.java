package io.lifecyclemail.common.options;

import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The values of a job's options, parsed from {@code --key value} (or {@code --key=value}) arguments.
 * Unknown keys are an error, so a typo never silently falls back to a default.
 */
public final class Settings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, Object> values;

    private Settings(Map<String, Object> values) {
        this.values = values;
    }

    /** Parses arguments against the declared options. */
    public static Settings parse(List<Option<?>> declared, String... args) {
        Map<String, Option<?>> byKey = index(declared);
        Map<String, Object> values = new HashMap<>();
        for (Option<?> option : declared) {
            values.put(option.key(), option.defaultValue());
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("expected --key value, got '" + arg + "'");
            }
            String key = arg.substring(2);
            String text;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                text = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                text = args[++i];
            } else {
                throw new IllegalArgumentException("option --" + key + " has no value");
            }
            Option<?> option = byKey.get(key);
            if (option == null) {
                throw new IllegalArgumentException("unknown option --" + key + "; known options: "
                        + new TreeSet<>(byKey.keySet()));
            }
            values.put(key, option.parse(text));
        }
        return new Settings(values);
    }

    /**
     * What a job's main does with its arguments: prints the option table for {@code --help}
     * (returning empty), otherwise parses them.
     */
    public static java.util.Optional<Settings> parseOrHelp(String job, List<Option<?>> declared, String... args) {
        if (java.util.Arrays.asList(args).contains("--help")) {
            System.out.println(job + " options:\n" + describe(declared));
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(parse(declared, args));
    }

    /** Checks that no two options share a key; returns them by key. */
    public static Map<String, Option<?>> index(List<Option<?>> declared) {
        Map<String, Option<?>> byKey = new LinkedHashMap<>();
        for (Option<?> option : declared) {
            if (byKey.put(option.key(), option) != null) {
                throw new IllegalStateException("two options share the key " + option.key());
            }
        }
        return byKey;
    }

    /** Returns a copy with one value replaced (used by launchers that pick ports at run time). */
    public <T> Settings with(Option<T> option, T value) {
        Map<String, Object> copy = new HashMap<>(values);
        copy.put(option.key(), value);
        return new Settings(copy);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        if (!values.containsKey(option.key())) {
            throw new IllegalArgumentException("option --" + option.key() + " is not declared for this job");
        }
        return (T) values.get(option.key());
    }

    /** A table of every option with type, default and description, for {@code --help} and docs. */
    public static String describe(List<Option<?>> declared) {
        StringBuilder text = new StringBuilder();
        for (Option<?> option : declared) {
            text.append(String.format("  --%s <%s>%n      %s (default: %s)%n",
                    option.key(), option.typeName(), option.description(), option.defaultText()));
        }
        return text.toString();
    }
}
