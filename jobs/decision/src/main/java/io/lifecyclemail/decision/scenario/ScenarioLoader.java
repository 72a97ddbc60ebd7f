package io.lifecyclemail.decision.scenario;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Loads scenario YAML safely and binds it to validated records. YAML is only composed into nodes,
 * never constructed into objects, so a file cannot make the loader create arbitrary classes; aliases,
 * size and nesting are limited so a crafted file cannot exhaust memory.
 */
public final class ScenarioLoader {
    public static final String API_VERSION = "lifecyclemail.io/v1";
    public static final List<String> KINDS = List.of(CartAbandonmentScenario.KIND, BrowseAbandonmentScenario.KIND,
            PricePageVisitScenario.KIND, SinceLastScenario.DORMANCY, SinceLastScenario.AT_RISK, SinceLastScenario.NO_LOGIN, BirthdayScenario.KIND,
            PointsExpiryScenario.KIND, PostPurchaseScenario.KIND, RegistrationAnniversaryScenario.KIND,
            ReplenishmentScenario.KIND, DeepBrowsingScenario.KIND, RestockScenario.KIND,
            SequenceScenario.KIND, RankChangeScenario.KIND);
    /** Fields every kind's spec accepts beside its own. */
    static final List<String> POLICY_FIELDS = List.of("reentry", "priority", "audience", "discount",
            "discountToLoyal", "contentByRank", "transactional", "caps", "whenCapped", "maxDelay", "holdout", "variants");
    static final List<String> CAP_FIELDS = List.of("max", "per");
    static final List<String> VARIANT_FIELDS = List.of("name", "weight", "template");
    static final List<String> AUDIENCE_FIELDS = List.of("ranks", "recencyScore", "frequencyScore", "monetaryScore",
            "purchases", "opened", "notOpened", "clicked", "notClicked");
    static final List<String> ENGAGEMENT_FIELDS = List.of("within", "of");
    static final List<String> SCORE_RANGE_FIELDS = List.of("min", "max");
    static final List<String> RANK_CONTENT_FIELDS = List.of("ranks", "template", "discount");
    static final List<String> RANK_CHANGE_FIELDS = List.of("from", "to", "template");
    static final List<String> RANK_LABELS = java.util.Arrays.stream(
            io.lifecyclemail.decision.rfm.CustomerRanks.Rank.values()).map(rank -> rank.label()).toList();
    static final List<String> TOP_LEVEL_FIELDS = List.of("apiVersion", "kind", "metadata", "spec");
    static final List<String> METADATA_FIELDS = List.of("id", "version", "description", "enabled");
    static final List<String> CART_ABANDONMENT_FIELDS = List.of("wait", "template", "maxItems");
    static final List<String> BROWSE_ABANDONMENT_FIELDS = List.of("wait", "template", "maxItems", "minProductViews");
    static final List<String> BIRTHDAY_FIELDS = List.of("sendAt", "defaultTimezone", "template", "coupon");
    static final List<String> POINTS_EXPIRY_FIELDS = List.of("before", "template");
    static final List<String> POST_PURCHASE_FIELDS = List.of("steps");
    static final List<String> POST_PURCHASE_STEP_FIELDS = List.of("name", "after", "onShipped", "template",
            "transactional");
    static final List<String> ANNIVERSARY_FIELDS = List.of("after", "template", "coupon");
    static final List<String> REPLENISHMENT_FIELDS = List.of("template", "consumables");
    static final List<String> CONSUMABLE_FIELDS = List.of("product", "category", "halfUsedAfter");
    static final List<String> DEEP_BROWSING_FIELDS = List.of("minPages", "sessionGap", "template", "coupon");
    static final List<String> RESTOCK_FIELDS = List.of("lookBack", "viewed", "favourited", "notifyMe", "template");
    static final List<String> SEQUENCE_FIELDS = List.of("steps", "within", "thenNot", "template");
    static final List<String> SEQUENCE_STEP_FIELDS = List.of("event", "pageType", "urlContains", "product", "category",
            "minPrice", "maxPrice", "times", "sameProduct");
    static final List<String> THEN_NOT_FIELDS = List.of("events", "within");
    static final List<String> THEN_NOT_EVENT_FIELDS = List.of("event", "pageType", "urlContains", "product", "category",
            "minPrice", "maxPrice");
    static final List<String> SINCE_LAST_FIELDS = List.of("wait", "template", "maxItems", "defaultTimezone");
    static final List<String> PRICE_PAGE_VISIT_FIELDS = List.of("wait", "template", "pageType", "urlContains", "coupon");

    private static final int MAX_FILE_BYTES = 256 * 1024;
    private static final String ID_PATTERN = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
    private static final String ID_ALLOWED = "lower-case letters, digits and '-', 1 to 63 characters";

    private ScenarioLoader() {}

    /** Parses and validates one file's text; {@code file} is the name used in error messages. */
    public static Scenario parse(String file, String text) {
        List<ScenarioProblem> problems = new ArrayList<>();
        Scenario scenario = bind(file, text, problems, new HashMap<>());
        if (!problems.isEmpty()) {
            throw new InvalidScenarioException(problems);
        }
        return scenario;
    }

    /** Loads every {@code *.yaml}/{@code *.yml} file in a folder; all problems of all files are reported together. */
    public static List<Scenario> loadDirectory(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return loadFiles(files.filter(ScenarioLoader::isYaml).sorted().toList());
        } catch (IOException e) {
            throw new InvalidScenarioException(List.of(new ScenarioProblem(directory.toString(), 0, "",
                    "cannot list the folder: " + e.getMessage())));
        }
    }

    /** Loads the given files, checking also what spans files (unique ids). */
    public static List<Scenario> loadFiles(List<Path> paths) {
        return loadLocated(paths).stream().map(Located::scenario).toList();
    }

    /**
     * What a folder configures: its scenarios and the governor's policy (its {@code GovernorPolicy}
     * file; without one, {@link GovernorPolicy#NONE}).
     */
    public record Configuration(List<Scenario> scenarios, GovernorPolicy policy) implements java.io.Serializable {
        public Configuration {
            scenarios = List.copyOf(scenarios);
        }
    }

    /**
     * A loaded scenario and where its fields are: for checks that look at several scenarios together
     * and still name file, line and field.
     *
     * @param lines line of each field path that was present, e.g. {@code spec.template}
     */
    public record Located(Scenario scenario, String file, Map<String, Integer> lines) {
        /** The line of a field, else of the nearest enclosing one given, else 0. */
        public int lineOf(String field) {
            for (String path = field; !path.isEmpty(); path = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "") {
                Integer line = lines.get(path);
                if (line != null) {
                    return line;
                }
            }
            return 0;
        }
    }

    /** Scenarios with their places, and the policy file's policy (null when there is none). */
    public record LocatedConfiguration(List<Located> scenarios, GovernorPolicy policy, String policyFile) {
        public Configuration configuration() {
            return new Configuration(scenarios.stream().map(Located::scenario).toList(),
                    policy == null ? GovernorPolicy.NONE : policy);
        }
    }

    /** {@link #loadFiles}, keeping where each scenario and its fields came from. */
    public static List<Located> loadLocated(List<Path> paths) {
        return loadAll(paths).scenarios();
    }

    /** The scenarios and the policy among the given files; all problems of all files together. */
    public static LocatedConfiguration loadAll(List<Path> paths) {
        List<ScenarioProblem> problems = new ArrayList<>();
        List<Located> scenarios = new ArrayList<>();
        Map<String, String> fileById = new HashMap<>();
        Map<Integer, String> idByCode = new HashMap<>();
        GovernorPolicy policy = null;
        String policyFile = null;
        for (Path path : paths) {
            String file = path.toString();
            String text;
            try {
                if (Files.size(path) > MAX_FILE_BYTES) {
                    problems.add(new ScenarioProblem(file, 0, "", "file is larger than " + MAX_FILE_BYTES + " bytes"));
                    continue;
                }
                text = Files.readString(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                problems.add(new ScenarioProblem(file, 0, "", "cannot read: " + e));
                continue;
            }
            if (PolicyLoader.declaresPolicy(text)) {
                if (policyFile != null) {
                    problems.add(new ScenarioProblem(file, 1, "kind", "a second " + PolicyLoader.KIND + " file; "
                            + policyFile + " is the policy, a folder has one"));
                    continue;
                }
                policyFile = file;
                policy = PolicyLoader.bind(file, text, problems);
                continue;
            }
            int before = problems.size();
            Map<String, Integer> lines = new HashMap<>();
            Scenario scenario = bind(file, text, problems, lines);
            if (problems.size() > before || scenario == null) {
                continue;
            }
            String other = fileById.putIfAbsent(scenario.id(), file);
            if (other != null) {
                problems.add(new ScenarioProblem(file, lines.getOrDefault("metadata.id", 0), "metadata.id",
                        "'" + scenario.id() + "' is already used by " + other + "; ids must be unique"));
                continue;
            }
            String sameCode = idByCode.putIfAbsent(Scenario.code(scenario.id()), scenario.id());
            if (sameCode != null) { // about one pair of ids in two billion
                problems.add(new ScenarioProblem(file, lines.getOrDefault("metadata.id", 0), "metadata.id",
                        "'" + scenario.id() + "' has the same code in the re-entry log as '" + sameCode + "' in "
                                + fileById.get(sameCode) + "; rename one of them"));
                continue;
            }
            scenarios.add(new Located(scenario, file, Map.copyOf(lines)));
        }
        if (!problems.isEmpty()) {
            throw new InvalidScenarioException(problems);
        }
        return new LocatedConfiguration(scenarios, policy, policyFile);
    }

    /** A folder's scenarios and policy. */
    public static Configuration loadConfiguration(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return loadAll(files.filter(ScenarioLoader::isYaml).sorted().toList()).configuration();
        } catch (IOException e) {
            throw new InvalidScenarioException(List.of(new ScenarioProblem(directory.toString(), 0, "",
                    "cannot list the folder: " + e.getMessage())));
        }
    }

    /** The scenarios shipped inside the job jar (deploy/scenarios at build time). */
    public static List<Scenario> loadBundled() {
        return loadBundledConfiguration().scenarios();
    }

    /** The scenarios and policy shipped inside the job jar. */
    public static Configuration loadBundledConfiguration() {
        URL folder = ScenarioLoader.class.getClassLoader().getResource("scenarios");
        if (folder == null) {
            throw new IllegalStateException("no scenarios/ folder on the classpath");
        }
        try {
            URI uri = folder.toURI();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    return loadConfiguration(jar.getPath("scenarios"));
                }
            }
            return loadConfiguration(Path.of(uri));
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot read bundled scenarios at " + folder, e);
        }
    }

    private static final String EVENT_NAMES = String.join(", ",
            java.util.Arrays.stream(SequenceScenario.EventType.values()).map(SequenceScenario.EventType::yamlName).toList());

    /** A list of sequence steps under {@code key}; null (with problems recorded) when it is missing or wrong. */
    private static List<SequenceScenario.Step> sequenceSteps(YamlFields parent, String key, List<String> fields) {
        List<YamlFields> items = parent.mappings(key);
        if (items == null || items.isEmpty()) {
            parent.problemAt(key, "is required: a list of events, each with event: one of " + EVENT_NAMES);
            return null;
        }
        List<SequenceScenario.Step> steps = new ArrayList<>();
        for (YamlFields item : items) {
            item.allowOnly(fields);
            String name = item.string("event", String.join("|",
                    java.util.Arrays.stream(SequenceScenario.EventType.values()).map(SequenceScenario.EventType::yamlName).toList()),
                    "one of " + EVENT_NAMES);
            SequenceScenario.EventType event = name == null ? null : SequenceScenario.EventType.valueOf(name.toUpperCase());
            String pageType = item.optionalString("pageType", null);
            String urlContains = item.optionalString("urlContains", null);
            String product = item.optionalString("product", null);
            String category = item.optionalString("category", null);
            Integer minPrice = item.integer("minPrice", -1, 0, Integer.MAX_VALUE);
            Integer maxPrice = item.integer("maxPrice", -1, 0, Integer.MAX_VALUE);
            Integer times = fields.contains("times") ? item.integer("times", 1, 1, 100) : Integer.valueOf(1);
            boolean sameProduct = fields.contains("sameProduct") && item.bool("sameProduct", false);
            if (event != null && event.isOrder() && (pageType != null || urlContains != null)) {
                item.problemAt(pageType != null ? "pageType" : "urlContains", "order events have no page; allowed for "
                        + "page_view, product_view, cart_add, cart_remove, login, favourite, notify_me");
            }
            boolean productless = event == SequenceScenario.EventType.PAGE_VIEW || event == SequenceScenario.EventType.LOGIN;
            if (productless && (product != null || category != null || item.has("minPrice") || item.has("maxPrice") || sameProduct)) {
                item.problemAt(product != null ? "product" : category != null ? "category" : sameProduct ? "sameProduct"
                        : item.has("minPrice") ? "minPrice" : "maxPrice", name + " events are about no product; product "
                        + "conditions are allowed for product_view, cart_add, cart_remove, favourite, notify_me and orders");
            }
            if (minPrice != null && maxPrice != null && minPrice >= 0 && maxPrice >= 0 && minPrice > maxPrice) {
                item.problemAt("minPrice", "is above maxPrice (" + maxPrice + "): no product can match");
            }
            if (sameProduct && times != null && times < 2) {
                item.problemAt("sameProduct", "needs times of 2 or more: it asks the repetitions to be about one product");
            }
            if (event != null && times != null && minPrice != null && maxPrice != null) {
                steps.add(new SequenceScenario.Step(event, pageType, urlContains, product, category,
                        minPrice < 0 ? null : (long) minPrice, maxPrice < 0 ? null : (long) maxPrice, times, sameProduct));
            }
        }
        return steps.size() == items.size() ? steps : null;
    }

    private static void allowSpec(YamlFields spec, List<String> kindFields) {
        List<String> allowed = new ArrayList<>(kindFields);
        allowed.addAll(POLICY_FIELDS);
        spec.allowOnly(allowed);
    }

    static boolean isYaml(Path path) {
        String name = path.getFileName().toString();
        return Files.isRegularFile(path) && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    static LoadSettings safeSettings(String file) {
        return LoadSettings.builder()
                .setLabel(file)
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(20)
                .setCodePointLimit(MAX_FILE_BYTES)
                .build();
    }

    /** The file's YAML as nodes, safely; null (with the problem recorded) when it is not valid YAML or empty. */
    static Node compose(String file, String text, List<ScenarioProblem> problems) {
        Optional<Node> root;
        try {
            root = new Compose(safeSettings(file)).composeString(text);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(mark -> mark.getLine() + 1).orElse(0);
            problems.add(new ScenarioProblem(file, line, "", "not valid YAML: " + e.getProblem()));
            return null;
        } catch (YamlEngineException e) {
            problems.add(new ScenarioProblem(file, 0, "", "not valid YAML: " + e.getMessage()));
            return null;
        }
        if (root.isEmpty()) {
            problems.add(new ScenarioProblem(file, 1, "", "the file is empty"));
            return null;
        }
        return root.get();
    }

    private static Scenario bind(String file, String text, List<ScenarioProblem> problems, Map<String, Integer> lines) {
        int start = problems.size();
        Node root = compose(file, text, problems);
        if (root == null) {
            return null;
        }
        YamlFields top = new YamlFields(file, "", root, problems, lines);
        top.allowOnly(TOP_LEVEL_FIELDS);
        top.string("apiVersion", java.util.regex.Pattern.quote(API_VERSION), API_VERSION);
        String kind = top.string("kind", String.join("|", KINDS), "one of " + String.join(", ", KINDS));
        YamlFields metadata = top.mapping("metadata");
        metadata.allowOnly(METADATA_FIELDS);
        String id = metadata.string("id", ID_PATTERN, ID_ALLOWED);
        Integer version = metadata.integer("version", 1, 1, 1_000_000);
        String description = metadata.optionalString("description", "");
        boolean enabled = metadata.bool("enabled", true);
        YamlFields spec = top.mapping("spec");
        if (kind == null) {
            return null;
        }
        ScenarioPolicy defaults = ScenarioPolicy.defaultFor(kind);
        Reentry reentry = spec.reentry("reentry", defaults.reentry());
        Integer priority = spec.integer("priority", defaults.priority(), 0, ScenarioPolicy.MAX_PRIORITY);
        ScenarioPolicy policy = reentry == null || priority == null ? defaults : new ScenarioPolicy(reentry, priority);
        policy = rankRules(spec, kind, policy);
        policy = governance(spec, kind, policy);
        Scenario scenario = switch (kind) {
            case CartAbandonmentScenario.KIND -> {
                allowSpec(spec, CART_ABANDONMENT_FIELDS);
                Duration wait = spec.duration("wait", Duration.ofMinutes(1), Duration.ofDays(30));
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                Integer maxItems = spec.integer("maxItems", 10, 1, 50);
                yield problems.size() > start || id == null ? null
                        : new CartAbandonmentScenario(id, version, description, enabled, wait, template, maxItems, policy);
            }
            case BrowseAbandonmentScenario.KIND -> {
                allowSpec(spec, BROWSE_ABANDONMENT_FIELDS);
                Duration wait = spec.duration("wait", Duration.ofMinutes(5), Duration.ofDays(7));
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                Integer maxItems = spec.integer("maxItems", 5, 1, 20);
                Integer minProductViews = spec.integer("minProductViews", 1, 1, 100);
                yield problems.size() > start || id == null ? null : new BrowseAbandonmentScenario(id, version,
                        description, enabled, wait, template, maxItems, minProductViews, policy);
            }
            case PricePageVisitScenario.KIND -> {
                allowSpec(spec, PRICE_PAGE_VISIT_FIELDS);
                Duration wait = spec.duration("wait", Duration.ofHours(1), Duration.ofDays(30));
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                String pageType = spec.optionalString("pageType", "pricing");
                String urlContains = spec.optionalString("urlContains", "");
                String coupon = spec.optionalString("coupon", "");
                yield problems.size() > start || id == null ? null : new PricePageVisitScenario(id, version,
                        description, enabled, wait, template, pageType, urlContains, coupon, policy);
            }
            case SinceLastScenario.DORMANCY, SinceLastScenario.AT_RISK, SinceLastScenario.NO_LOGIN -> {
                allowSpec(spec, SINCE_LAST_FIELDS);
                // defaults from the shops' practice: win-back after ~6 months, keep-alive after 3 weeks
                Duration defaultWait = switch (kind) {
                    case SinceLastScenario.DORMANCY -> Duration.ofDays(180);
                    case SinceLastScenario.NO_LOGIN -> Duration.ofDays(30);
                    default -> Duration.ofDays(21);
                };
                Duration wait = spec.duration("wait", defaultWait, Duration.ofDays(1), Duration.ofDays(730));
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                Integer maxItems = spec.integer("maxItems", kind.equals(SinceLastScenario.AT_RISK) ? 0 : 3, 0, 5);
                java.time.ZoneId zone = spec.has("defaultTimezone") ? spec.zone("defaultTimezone") : java.time.ZoneOffset.UTC;
                yield problems.size() > start || id == null ? null : new SinceLastScenario(kind, id, version,
                        description, enabled, wait, template, maxItems, zone, policy);
            }
            case BirthdayScenario.KIND -> {
                allowSpec(spec, BIRTHDAY_FIELDS);
                java.time.LocalTime sendAt = spec.timeOfDay("sendAt", java.time.LocalTime.of(9, 0));
                java.time.ZoneId zone = spec.zone("defaultTimezone");
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                String coupon = spec.optionalString("coupon", "");
                yield problems.size() > start || id == null ? null : new BirthdayScenario(id, version, description,
                        enabled, sendAt, zone, template, coupon, policy);
            }
            case PointsExpiryScenario.KIND -> {
                allowSpec(spec, POINTS_EXPIRY_FIELDS);
                Duration before = spec.duration("before", Duration.ofDays(7), Duration.ZERO, Duration.ofDays(365));
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                yield problems.size() > start || id == null ? null
                        : new PointsExpiryScenario(id, version, description, enabled, before, template, policy);
            }
            case PostPurchaseScenario.KIND -> {
                allowSpec(spec, POST_PURCHASE_FIELDS);
                List<YamlFields> stepFields = spec.mappings("steps");
                if (stepFields == null || stepFields.isEmpty()) {
                    spec.problemAt("steps", "is required: a list of steps, each with name, "
                            + "template and either after (a duration) or onShipped: true");
                    yield null;
                }
                List<PostPurchaseScenario.Step> steps = new ArrayList<>();
                java.util.Set<String> names = new java.util.HashSet<>();
                java.util.Set<String> transactionalSteps = new java.util.HashSet<>();
                for (YamlFields step : stepFields) {
                    step.allowOnly(POST_PURCHASE_STEP_FIELDS);
                    String name = step.string("name", ID_PATTERN, "a step name: " + ID_ALLOWED);
                    if (step.bool("transactional", false) && name != null) {
                        transactionalSteps.add(name);
                    }
                    boolean onShipped = step.bool("onShipped", false);
                    Duration after = onShipped ? null : step.duration("after", Duration.ZERO, Duration.ofDays(365));
                    if (onShipped && step.has("after")) {
                        step.problemAt("after", "a step is either after a time or onShipped, not both");
                    }
                    String template = step.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                    if (name != null && !names.add(name)) {
                        step.problemAt("name", "'" + name + "' is used by another step; names must be unique");
                    }
                    steps.add(new PostPurchaseScenario.Step(name == null ? "?" : name, after, template == null ? "?" : template));
                }
                Governance governance = policy.governance();
                ScenarioPolicy withSteps = policy.withGovernance(new Governance(governance.transactional(),
                        transactionalSteps, governance.caps(), governance.whenCapped(), governance.maxDelay(),
                        governance.holdout(), governance.variants()));
                yield problems.size() > start || id == null ? null
                        : new PostPurchaseScenario(id, version, description, enabled, steps, withSteps);
            }
            case RegistrationAnniversaryScenario.KIND -> {
                allowSpec(spec, ANNIVERSARY_FIELDS);
                Duration after = spec.duration("after", Duration.ofDays(365), Duration.ofDays(1), Duration.ofDays(3650));
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                String coupon = spec.optionalString("coupon", "");
                yield problems.size() > start || id == null ? null : new RegistrationAnniversaryScenario(id, version,
                        description, enabled, after, template, coupon, policy);
            }
            case ReplenishmentScenario.KIND -> {
                allowSpec(spec, REPLENISHMENT_FIELDS);
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                List<YamlFields> consumableFields = spec.mappings("consumables");
                if (consumableFields == null || consumableFields.isEmpty()) {
                    spec.problemAt("consumables", "is required: a list of products or categories, each with halfUsedAfter");
                    yield null;
                }
                List<ReplenishmentScenario.Usage> usages = new ArrayList<>();
                for (YamlFields consumable : consumableFields) {
                    consumable.allowOnly(CONSUMABLE_FIELDS);
                    String product = consumable.optionalString("product", null);
                    String category = consumable.optionalString("category", null);
                    if ((product == null) == (category == null)) {
                        consumable.problemAt(product == null ? "product" : "category",
                                "name either a product or a category, not both and not neither");
                    }
                    Duration halfUsed = consumable.duration("halfUsedAfter", Duration.ofDays(1), Duration.ofDays(730));
                    if ((product == null) != (category == null) && halfUsed != null) {
                        usages.add(new ReplenishmentScenario.Usage(product, category, halfUsed));
                    }
                }
                yield problems.size() > start || id == null ? null
                        : new ReplenishmentScenario(id, version, description, enabled, template, usages, policy);
            }
            case DeepBrowsingScenario.KIND -> {
                allowSpec(spec, DEEP_BROWSING_FIELDS);
                Integer minPages = spec.integer("minPages", null, 2, 1000);
                Duration gap = spec.duration("sessionGap", Duration.ofMinutes(30), Duration.ofMinutes(5), Duration.ofDays(1));
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                String coupon = spec.optionalString("coupon", "");
                yield problems.size() > start || id == null ? null
                        : new DeepBrowsingScenario(id, version, description, enabled, gap, minPages, template, coupon, policy);
            }
            case RestockScenario.KIND -> {
                allowSpec(spec, RESTOCK_FIELDS);
                Duration lookBack = spec.duration("lookBack", Duration.ofDays(30), Duration.ofHours(1), Duration.ofDays(365));
                boolean viewed = spec.bool("viewed", true);
                boolean favourited = spec.bool("favourited", true);
                boolean notifyMe = spec.bool("notifyMe", true);
                if (!viewed && !favourited && !notifyMe) {
                    spec.problemAt("viewed", "at least one of viewed, favourited, notifyMe must be true");
                }
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                yield problems.size() > start || id == null ? null : new RestockScenario(id, version, description,
                        enabled, lookBack, viewed, favourited, notifyMe, template, policy);
            }
            case SequenceScenario.KIND -> {
                allowSpec(spec, SEQUENCE_FIELDS);
                List<SequenceScenario.Step> steps = sequenceSteps(spec, "steps", SEQUENCE_STEP_FIELDS);
                Duration within = spec.duration("within", Duration.ofDays(1), Duration.ofSeconds(1), Duration.ofDays(90));
                SequenceScenario.Absence thenNot = null;
                if (spec.has("thenNot")) {
                    YamlFields absence = spec.mapping("thenNot");
                    absence.allowOnly(THEN_NOT_FIELDS);
                    List<SequenceScenario.Step> events = absence.has("events")
                            ? sequenceSteps(absence, "events", THEN_NOT_EVENT_FIELDS) : null;
                    if (!absence.has("events")) {
                        absence.problemAt("events", "an absence rule needs its exit events: the events that stop "
                                + "the mail, e.g. events: [{event: order_placed}]");
                    }
                    Duration wait = absence.duration("within", Duration.ofMinutes(1), Duration.ofDays(365));
                    if (events != null && wait != null) {
                        thenNot = new SequenceScenario.Absence(events, wait);
                    }
                }
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                yield problems.size() > start || id == null || steps == null ? null : new SequenceScenario(id, version,
                        description, enabled, steps, within, thenNot, template, policy);
            }
            case RankChangeScenario.KIND -> {
                allowSpec(spec, RANK_CHANGE_FIELDS);
                List<String> from = spec.choices("from", RANK_LABELS);
                List<String> to = spec.choices("to", RANK_LABELS);
                if (from == null) {
                    spec.problemAt("from", "is required: the ranks the customer leaves, e.g. [loyal-candidate]");
                }
                if (to == null) {
                    spec.problemAt("to", "is required: the ranks the customer arrives at, e.g. [loyal, super-loyal]");
                }
                String template = spec.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                yield problems.size() > start || id == null ? null : new RankChangeScenario(id, version, description,
                        enabled, ranks(from), ranks(to), template, policy);
            }
            default -> null;
        };
        return problems.size() > start ? null : scenario;
    }

    private static java.util.Set<io.lifecyclemail.decision.rfm.CustomerRanks.Rank> ranks(List<String> labels) {
        return labels.stream().map(io.lifecyclemail.decision.rfm.CustomerRanks.Rank::ofLabel)
                .collect(java.util.stream.Collectors.toSet());
    }

    /** The audience, discount marking and content by rank any kind's spec may have. */
    private static ScenarioPolicy rankRules(YamlFields spec, String kind, ScenarioPolicy policy) {
        Audience audience = Audience.EVERYONE;
        if (spec.has("audience")) {
            YamlFields fields = spec.mapping("audience");
            fields.allowOnly(AUDIENCE_FIELDS);
            List<String> allowedRanks = new ArrayList<>(RANK_LABELS);
            allowedRanks.add(Audience.UNRANKED);
            List<String> ranks = fields.choices("ranks", allowedRanks);
            String side = fields.has("purchases") ? fields.string("purchases",
                    "beforeBranchingPoint|afterBranchingPoint", "beforeBranchingPoint or afterBranchingPoint") : null;
            audience = new Audience(ranks == null ? java.util.Set.of() : java.util.Set.copyOf(ranks),
                    scoreRange(fields, "recencyScore"), scoreRange(fields, "frequencyScore"),
                    scoreRange(fields, "monetaryScore"), side == null ? null : side.startsWith("before")
                            ? Audience.BranchingSide.BEFORE_BRANCHING_POINT : Audience.BranchingSide.AFTER_BRANCHING_POINT,
                    engagementRules(fields));
        }
        boolean discount = spec.bool("discount", false);
        boolean discountToLoyal = spec.bool("discountToLoyal", false);
        List<RankContent> contents = new ArrayList<>();
        List<YamlFields> byRank = spec.mappings("contentByRank");
        if (byRank != null) {
            if (PostPurchaseScenario.KIND.equals(kind)) {
                spec.problemAt("contentByRank", "is for scenarios with one template; a PostPurchase step has its own");
            }
            for (YamlFields content : byRank) {
                content.allowOnly(RANK_CONTENT_FIELDS);
                List<String> ranks = content.choices("ranks", RANK_LABELS);
                if (ranks == null) {
                    content.problemAt("ranks", "is required: the ranks that get this template");
                }
                String template = content.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                boolean isDiscount = content.bool("discount", false);
                if (ranks != null && !ranks.isEmpty() && template != null) {
                    contents.add(new RankContent(ranks(ranks), template, isDiscount));
                }
            }
        }
        return policy.withRankRules(audience, discount, discountToLoyal, contents);
    }

    /** The governor's settings of a scenario: transactional, caps, what a cap does, holdout, variants. */
    private static ScenarioPolicy governance(YamlFields spec, String kind, ScenarioPolicy policy) {
        boolean transactional = spec.bool("transactional", false);
        List<Cap> caps = spec.caps("caps");
        String whenCapped = spec.has("whenCapped") ? spec.string("whenCapped", "drop|defer", "drop or defer") : "drop";
        Duration maxDelay = spec.duration("maxDelay", Governance.DEFAULT_MAX_DELAY, Duration.ofMinutes(1), Duration.ofDays(30));
        if (spec.has("maxDelay") && !"defer".equals(whenCapped)) {
            spec.problemAt("maxDelay", "applies only with whenCapped: defer (a dropped candidate does not wait)");
        }
        Double holdout = spec.percent("holdout", 100);
        List<Variant> variants = new ArrayList<>();
        List<YamlFields> variantFields = spec.mappings("variants");
        if (variantFields != null) {
            if (PostPurchaseScenario.KIND.equals(kind)) {
                spec.problemAt("variants", "are for scenarios with one template; a PostPurchase step has its own");
            } else if (variantFields.size() < 2) {
                spec.problemAt("variants", "needs at least two variants to compare");
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            for (YamlFields variant : variantFields) {
                variant.allowOnly(VARIANT_FIELDS);
                String name = variant.string("name", ID_PATTERN, "a variant name: " + ID_ALLOWED);
                Integer weight = variant.integer("weight", 1, 1, 1000);
                String template = variant.string("template", ID_PATTERN, "a template name: " + ID_ALLOWED);
                if (name != null && !names.add(name)) {
                    variant.problemAt("name", "'" + name + "' is used by another variant; names must be unique");
                }
                if (name != null && weight != null && template != null) {
                    variants.add(new Variant(name, weight, template));
                }
            }
        }
        if (transactional && holdout != null && holdout > 0) {
            spec.problemAt("holdout", "a transactional mail is never held out; remove holdout or transactional");
        }
        if (whenCapped == null || maxDelay == null || holdout == null) {
            return policy;
        }
        return policy.withGovernance(new Governance(transactional, java.util.Set.of(), caps,
                Governance.WhenCapped.valueOf(whenCapped.toUpperCase()), maxDelay, holdout, variants));
    }

    /** {@code opened}, {@code notOpened}, {@code clicked}, {@code notClicked}: each {@code {within, of}}. */
    private static List<Audience.EngagementRule> engagementRules(YamlFields audience) {
        List<Audience.EngagementRule> rules = new ArrayList<>();
        for (String key : List.of("opened", "notOpened", "clicked", "notClicked")) {
            if (!audience.has(key)) {
                continue;
            }
            YamlFields rule = audience.mapping(key);
            rule.allowOnly(ENGAGEMENT_FIELDS);
            Duration within = rule.duration("within", Duration.ofHours(1), Duration.ofDays(3650));
            List<String> of = rule.names("of", ID_PATTERN, "scenario ids: " + ID_ALLOWED);
            if (within != null) {
                rules.add(new Audience.EngagementRule(key.toLowerCase(java.util.Locale.ROOT).endsWith("opened")
                        ? Audience.Action.OPENED : Audience.Action.CLICKED, key.startsWith("not"), within,
                        of == null ? java.util.Set.of() : java.util.Set.copyOf(of)));
            }
        }
        return rules;
    }

    private static Audience.ScoreRange scoreRange(YamlFields audience, String key) {
        if (!audience.has(key)) {
            return Audience.ScoreRange.ANY;
        }
        YamlFields range = audience.mapping(key);
        range.allowOnly(SCORE_RANGE_FIELDS);
        Integer min = range.integer("min", 1, 1, 5);
        Integer max = range.integer("max", 5, 1, 5);
        if (min == null || max == null) {
            return Audience.ScoreRange.ANY;
        }
        if (min > max) {
            range.problemAt("min", "min " + min + " is above max " + max);
            return Audience.ScoreRange.ANY;
        }
        return new Audience.ScoreRange(min, max);
    }
}
