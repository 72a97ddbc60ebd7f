package io.lifecyclemail.common.options;

import io.lifecyclemail.common.time.Durations;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting a data engineer can give a job: a key, a type, a default and a description.
 * Jobs declare theirs as constants in one class so that {@code --help} and the docs list them all.
 */
public final class Option<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String typeName;
    private final T defaultValue;
    private final String description;
    private final SerializableParser<T> parser;

    /** A parser that survives Flink's closure serialization. */
    public interface SerializableParser<T> extends Function<String, T>, Serializable {}

    private Option(String key, String typeName, T defaultValue, String description, SerializableParser<T> parser) {
        this.key = Objects.requireNonNull(key);
        this.typeName = typeName;
        this.defaultValue = defaultValue;
        this.description = Objects.requireNonNull(description);
        this.parser = parser;
    }

    public static Option<String> string(String key, String defaultValue, String description) {
        return new Option<>(key, "string", defaultValue, description, text -> text);
    }

    public static Option<Integer> integer(String key, int defaultValue, String description) {
        return new Option<>(key, "integer", defaultValue, description, Integer::parseInt);
    }

    public static Option<Double> decimal(String key, double defaultValue, String description) {
        return new Option<>(key, "number", defaultValue, description, text -> Double.parseDouble(text.trim()));
    }

    public static Option<Boolean> bool(String key, boolean defaultValue, String description) {
        return new Option<>(key, "boolean", defaultValue, description, Option::parseBoolean);
    }

    public static Option<Duration> duration(String key, Duration defaultValue, String description) {
        return new Option<>(key, "duration", defaultValue, description, Durations::parse);
    }

    public static <E extends Enum<E>> Option<E> choice(String key, Class<E> type, E defaultValue, String description) {
        return new Option<>(key, "one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(),
                defaultValue, description, text -> Enum.valueOf(type, text.trim().toUpperCase().replace('-', '_')));
    }

    private static boolean parseBoolean(String text) {
        return switch (text.trim().toLowerCase()) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
        };
    }

    public String key() {
        return key;
    }

    public String typeName() {
        return typeName;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    T parse(String text) {
        try {
            return parser.apply(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("option --" + key + ": '" + text + "' is not a valid " + typeName
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        }
    }

    String defaultText() {
        if (defaultValue instanceof Duration d) {
            return Durations.format(d);
        }
        if (defaultValue instanceof Enum<?> e) {
            return e.name().toLowerCase().replace('_', '-');
        }
        return String.valueOf(defaultValue);
    }
}
