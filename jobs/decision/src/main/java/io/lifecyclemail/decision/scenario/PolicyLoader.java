package io.lifecyclemail.decision.scenario;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Binds the governor's policy file (kind {@code GovernorPolicy}, one per scenarios folder) to a
 * validated {@link GovernorPolicy}, with the same safe loading and file:line:field errors as scenarios.
 */
public final class PolicyLoader {
    public static final String KIND = "GovernorPolicy";
    static final List<String> METADATA_FIELDS = List.of("id", "version", "description");
    static final List<String> SPEC_FIELDS = List.of("caps", "quietHours", "defaultTimezone", "controlGroup", "salt",
            "attributionWindow");
    static final List<String> QUIET_HOURS_FIELDS = List.of("from", "to");
    private static final Pattern DECLARES_POLICY = Pattern.compile("(?m)^kind:\\s*[\"']?" + KIND + "[\"']?\\s*(#.*)?$");

    private PolicyLoader() {}

    /** Whether a file's text declares the policy kind (then it is not a scenario). */
    public static boolean declaresPolicy(String text) {
        return DECLARES_POLICY.matcher(text).find();
    }

    /** Parses and validates a policy file's text; {@code file} names it in errors. */
    public static GovernorPolicy parse(String file, String text) {
        List<ScenarioProblem> problems = new java.util.ArrayList<>();
        GovernorPolicy policy = bind(file, text, problems);
        if (!problems.isEmpty()) {
            throw new InvalidScenarioException(problems);
        }
        return policy;
    }

    static GovernorPolicy bind(String file, String text, List<ScenarioProblem> problems) {
        Node root = ScenarioLoader.compose(file, text, problems);
        if (root == null) {
            return null;
        }
        int start = problems.size();
        YamlFields top = new YamlFields(file, "", root, problems, new java.util.HashMap<>());
        top.allowOnly(ScenarioLoader.TOP_LEVEL_FIELDS);
        top.string("apiVersion", Pattern.quote(ScenarioLoader.API_VERSION), ScenarioLoader.API_VERSION);
        top.string("kind", KIND, KIND);
        if (top.has("metadata")) {
            YamlFields metadata = top.mapping("metadata");
            metadata.allowOnly(METADATA_FIELDS);
            metadata.optionalString("id", "");
            metadata.integer("version", 1, 1, 1_000_000);
            metadata.optionalString("description", "");
        }
        YamlFields spec = top.mapping("spec");
        spec.allowOnly(SPEC_FIELDS);
        List<Cap> caps = spec.caps("caps");
        QuietHours quiet = null;
        if (spec.has("quietHours")) {
            YamlFields hours = spec.mapping("quietHours");
            hours.allowOnly(QUIET_HOURS_FIELDS);
            java.time.LocalTime from = hours.timeOfDay("from", null);
            java.time.LocalTime to = hours.timeOfDay("to", null);
            if (from != null && from.equals(to)) {
                hours.problemAt("to", "is the same as from; quiet hours need a start and a different end");
            } else if (from != null && to != null) {
                quiet = new QuietHours(from, to);
            }
        }
        java.time.ZoneId zone = spec.has("defaultTimezone") ? spec.zone("defaultTimezone") : java.time.ZoneOffset.UTC;
        Double control = spec.percent("controlGroup", 50);
        String salt = spec.optionalString("salt", "");
        Duration window = spec.duration("attributionWindow", GovernorPolicy.DEFAULT_ATTRIBUTION_WINDOW,
                Duration.ofHours(1), Duration.ofDays(90));
        if (problems.size() > start || zone == null || control == null || window == null) {
            return null;
        }
        return new GovernorPolicy(caps, quiet, zone, control, salt, window);
    }
}
