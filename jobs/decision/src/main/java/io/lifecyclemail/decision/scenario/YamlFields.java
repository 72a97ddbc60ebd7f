package io.lifecyclemail.decision.scenario;

import io.lifecyclemail.common.time.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads the fields of one YAML mapping into typed values, recording a {@link ScenarioProblem} with
 * file, line and field path for everything that is wrong instead of stopping at the first.
 */
final class YamlFields {
    private final String file;
    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> fields = new LinkedHashMap<>();
    private final List<ScenarioProblem> problems;
    private final Map<String, Integer> lines;

    /** @param lines where to record the line of every field read through this mapping and those below it */
    YamlFields(String file, String path, Node node, List<ScenarioProblem> problems, Map<String, Integer> lines) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.problems = problems;
        this.lines = lines;
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key) {
                    fields.put(key.getValue(), tuple);
                    lines.put(pathOf(key.getValue()), lineOf(tuple.getKeyNode()));
                } else {
                    problem(tuple.getKeyNode(), path, "keys must be plain names");
                }
            }
        } else {
            problem(node, path, "must be a mapping of field: value");
        }
    }

    static int lineOf(Node node) {
        return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }

    void problem(Node at, String field, String message) {
        problems.add(new ScenarioProblem(file, lineOf(at), field, message));
    }

    /** Records a problem the caller found with a field of this mapping, at the field's line. */
    void problemAt(String key, String message) {
        NodeTuple tuple = fields.get(key);
        problem(tuple == null ? node : tuple.getKeyNode(), pathOf(key), message);
    }

    private String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Flags every field not in {@code allowed}, naming what is allowed. */
    void allowOnly(List<String> allowed) {
        for (Map.Entry<String, NodeTuple> field : fields.entrySet()) {
            if (!allowed.contains(field.getKey())) {
                problem(field.getValue().getKeyNode(), pathOf(field.getKey()),
                        "unknown field; allowed here: " + String.join(", ", allowed));
            }
        }
    }

    boolean has(String key) {
        return fields.containsKey(key);
    }

    int lineOf(String key) {
        NodeTuple tuple = fields.get(key);
        return tuple == null ? lineOf(node) : lineOf(tuple.getValueNode());
    }

    YamlFields mapping(String key) {
        NodeTuple tuple = fields.get(key);
        if (tuple == null) {
            problem(node, pathOf(key), "is required");
            return new YamlFields(file, pathOf(key), new MappingNode(Tag.MAP, List.of(), null), problems, lines);
        }
        return new YamlFields(file, pathOf(key), tuple.getValueNode(), problems, lines);
    }

    /** A list of mappings, each read with its own fields (path {@code key[i]}). */
    List<YamlFields> mappings(String key) {
        NodeTuple tuple = fields.get(key);
        if (tuple == null) {
            return null;
        }
        if (!(tuple.getValueNode() instanceof org.snakeyaml.engine.v2.nodes.SequenceNode sequence)) {
            problem(tuple.getValueNode(), pathOf(key), "must be a list (lines starting with '- ')");
            return List.of();
        }
        List<YamlFields> items = new java.util.ArrayList<>();
        for (int i = 0; i < sequence.getValue().size(); i++) {
            items.add(new YamlFields(file, pathOf(key) + "[" + i + "]", sequence.getValue().get(i), problems, lines));
        }
        return items;
    }

    /**
     * A list of single values, each one of {@code allowed}; null when the field is absent. Each bad
     * value is reported at its own line.
     */
    List<String> choices(String key, List<String> allowed) {
        String expected = "one of " + String.join(", ", allowed);
        return values(key, allowed::contains, expected, "[" + String.join(", ", allowed) + "]");
    }

    /** A list of names each matching {@code pattern}; null when the field is absent. */
    List<String> names(String key, String pattern, String allowed) {
        return values(key, text -> text.matches(pattern), allowed, "[first, second]");
    }

    private List<String> values(String key, java.util.function.Predicate<String> ok, String expected, String example) {
        NodeTuple tuple = fields.get(key);
        if (tuple == null) {
            return null;
        }
        if (!(tuple.getValueNode() instanceof org.snakeyaml.engine.v2.nodes.SequenceNode sequence)) {
            problem(tuple.getValueNode(), pathOf(key), "must be a list such as " + example);
            return List.of();
        }
        List<String> values = new java.util.ArrayList<>();
        for (int i = 0; i < sequence.getValue().size(); i++) {
            Node item = sequence.getValue().get(i);
            String text = item instanceof ScalarNode scalar ? scalar.getValue().trim() : null;
            if (text == null || !ok.test(text)) {
                problem(item, pathOf(key) + "[" + i + "]", (text == null ? "a list or mapping" : "'" + text + "'")
                        + " is not allowed; expected " + expected);
            } else {
                values.add(text);
            }
        }
        if (values.isEmpty() && sequence.getValue().isEmpty()) {
            problem(tuple.getValueNode(), pathOf(key), "must name at least " + (expected.startsWith("one of")
                    ? expected : "one: " + expected));
        }
        return values;
    }

    private Optional<ScalarNode> scalar(String key, boolean required) {
        NodeTuple tuple = fields.get(key);
        if (tuple == null) {
            if (required) {
                problem(node, pathOf(key), "is required");
            }
            return Optional.empty();
        }
        Node value = tuple.getValueNode();
        if (!(value instanceof ScalarNode scalar)) {
            problem(value, pathOf(key), "must be a single value, not a list or mapping");
            return Optional.empty();
        }
        if (!SAFE_TAGS.contains(scalar.getTag())) {
            problem(value, pathOf(key), "YAML tags such as " + scalar.getTag() + " are not allowed");
            return Optional.empty();
        }
        return Optional.of(scalar);
    }

    private static final List<Tag> SAFE_TAGS = List.of(Tag.STR, Tag.INT, Tag.BOOL, Tag.FLOAT, Tag.NULL);

    String string(String key, String pattern, String allowed) {
        return scalar(key, true).map(value -> {
            if (!value.getValue().matches(pattern)) {
                problem(value, pathOf(key), "'" + value.getValue() + "' is not allowed; expected " + allowed);
                return null;
            }
            return value.getValue();
        }).orElse(null);
    }

    String optionalString(String key, String defaultValue) {
        return scalar(key, false).map(ScalarNode::getValue).orElse(defaultValue);
    }

    Integer integer(String key, Integer defaultValue, int min, int max) {
        Optional<ScalarNode> value = scalar(key, defaultValue == null);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String allowed = "a whole number from " + min + " to " + max;
        try {
            int number = Integer.parseInt(value.get().getValue().trim());
            if (number < min || number > max) {
                problem(value.get(), pathOf(key), number + " is out of range; expected " + allowed);
                return defaultValue;
            }
            return number;
        } catch (NumberFormatException e) {
            problem(value.get(), pathOf(key), "'" + value.get().getValue() + "' is not " + allowed);
            return defaultValue;
        }
    }

    Boolean bool(String key, boolean defaultValue) {
        Optional<ScalarNode> value = scalar(key, false);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return switch (value.get().getValue().trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                problem(value.get(), pathOf(key), "'" + value.get().getValue() + "' is not true or false");
                yield defaultValue;
            }
        };
    }

    Duration duration(String key, Duration min, Duration max) {
        return duration(key, null, min, max);
    }

    /** A local time of day as {@code HH:mm}. */
    java.time.LocalTime timeOfDay(String key, java.time.LocalTime defaultValue) {
        Optional<ScalarNode> value = scalar(key, defaultValue == null);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String text = value.get().getValue().trim();
        if (!text.matches("([01][0-9]|2[0-3]):[0-5][0-9]")) {
            problem(value.get(), pathOf(key), "'" + text + "' is not a time of day; expected HH:mm, e.g. 09:00");
            return defaultValue;
        }
        return java.time.LocalTime.parse(text);
    }

    /** An IANA time zone id such as Asia/Tokyo. */
    java.time.ZoneId zone(String key) {
        Optional<ScalarNode> value = scalar(key, true);
        if (value.isEmpty()) {
            return null;
        }
        String text = value.get().getValue().trim();
        try {
            return java.time.ZoneId.of(text);
        } catch (java.time.DateTimeException e) {
            problem(value.get(), pathOf(key), "'" + text + "' is not a time zone; expected an IANA id such as "
                    + "Asia/Tokyo or America/New_York");
            return null;
        }
    }

    /** @param defaultValue used when the field is absent; null makes the field required */
    Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        Optional<ScalarNode> value = scalar(key, defaultValue == null);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String allowed = "between " + Durations.format(min) + " and " + Durations.format(max);
        try {
            Duration duration = Durations.parse(value.get().getValue());
            if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
                problem(value.get(), pathOf(key), Durations.format(duration) + " is out of range; expected " + allowed);
                return null;
            }
            return duration;
        } catch (IllegalArgumentException e) {
            problem(value.get(), pathOf(key), e.getMessage() + ", " + allowed);
            return null;
        }
    }

    /** A share written as a percentage such as {@code 10%} or {@code 2.5%}, as a fraction; below {@code maxPercent}. */
    Double percent(String key, double maxPercent) {
        Optional<ScalarNode> value = scalar(key, false);
        if (value.isEmpty()) {
            return 0.0;
        }
        String text = value.get().getValue().trim();
        String allowed = "a percentage from 0% to below " + (int) maxPercent + "%, e.g. 10%";
        if (!text.matches("[0-9]{1,3}(\\.[0-9]{1,3})?%")) {
            problem(value.get(), pathOf(key), "'" + text + "' is not " + allowed);
            return null;
        }
        double percent = Double.parseDouble(text.substring(0, text.length() - 1));
        if (percent >= maxPercent) {
            problem(value.get(), pathOf(key), text + " is out of range; expected " + allowed);
            return null;
        }
        return percent / 100;
    }

    /** A list of caps, each {@code max: <n>, per: <duration>}; empty when absent. */
    List<Cap> caps(String key) {
        List<YamlFields> items = mappings(key);
        List<Cap> caps = new java.util.ArrayList<>();
        if (items == null) {
            return caps;
        }
        for (YamlFields item : items) {
            item.allowOnly(ScenarioLoader.CAP_FIELDS);
            Integer max = item.integer("max", null, 1, 1000);
            Duration per = item.duration("per", Duration.ofMinutes(1), Duration.ofDays(365));
            if (max != null && per != null) {
                caps.add(new Cap(max, per));
            }
        }
        return caps;
    }

    /** {@code never}, {@code always}, or a mapping {@code after: 30d}. */
    Reentry reentry(String key, Reentry defaultValue) {
        NodeTuple tuple = fields.get(key);
        if (tuple == null) {
            return defaultValue;
        }
        String allowed = "expected never, always, or after: <duration> (e.g. after: 30d)";
        Node value = tuple.getValueNode();
        if (value instanceof ScalarNode scalar) {
            return switch (scalar.getValue().trim()) {
                case "never" -> Reentry.NEVER;
                case "always" -> Reentry.ALWAYS;
                default -> {
                    problem(value, pathOf(key), "'" + scalar.getValue() + "' is not allowed; " + allowed);
                    yield null;
                }
            };
        }
        YamlFields after = new YamlFields(file, pathOf(key), value, problems, lines);
        after.allowOnly(List.of("after"));
        Duration duration = after.duration("after", Duration.ofHours(1), Duration.ofDays(3650));
        return duration == null ? null : Reentry.after(duration);
    }
}
