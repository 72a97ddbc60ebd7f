package io.lifecyclemail.decision.scenario;

import io.lifecyclemail.decision.scenario.ScenarioLoader.Located;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import io.lifecyclemail.decision.rfm.CustomerRanks.Rank;

/**
 * Checks that look at valid scenarios together, or at what they refer to, for {@code validate}:
 * templates that do not exist (an error: the mail could not be rendered), and warnings about what is
 * probably not meant: two scenarios of equal priority that fire on the same kind of event, and day
 * windows without a time zone. (An absence rule without an exit event, or with one that can never
 * happen, is already refused by the loader, with file, line and field.)
 */
public final class ScenarioLints {
    private ScenarioLints() {}

    public enum Severity { ERROR, WARNING }

    public record Lint(Severity severity, ScenarioProblem problem) {
        @Override
        public String toString() {
            return severity.name().toLowerCase() + " " + problem;
        }
    }

    /** @param templates the templates folder, or null to skip the template check */
    public static List<Lint> check(List<Located> scenarios, Path templates) {
        List<Lint> lints = new ArrayList<>();
        for (Located located : scenarios) {
            if (templates != null) {
                unknownTemplates(located, templates, lints);
            }
            windowWithoutZone(located, lints);
            discountToLoyal(located, lints);
        }
        equalPriorities(scenarios, lints);
        unknownEngagementScenarios(scenarios, lints);
        return lints;
    }

    private static void unknownTemplates(Located located, Path templates, List<Lint> lints) {
        Scenario scenario = located.scenario();
        List<String[]> used = new ArrayList<>(); // template, field
        if (scenario instanceof PostPurchaseScenario steps) {
            for (int i = 0; i < steps.steps().size(); i++) {
                used.add(new String[] {steps.steps().get(i).template(), "spec.steps[" + i + "].template"});
            }
        } else {
            used.add(new String[] {scenario.template(), "spec.template"});
        }
        for (String[] template : used) {
            Path folder = templates.resolve(template[0]);
            boolean exists;
            try (var files = Files.isDirectory(folder) ? Files.list(folder) : java.util.stream.Stream.<Path>empty()) {
                exists = files.anyMatch(file -> file.getFileName().toString().endsWith(".subject.mustache"));
            } catch (java.io.IOException e) {
                exists = false;
            }
            if (!exists) {
                lints.add(new Lint(Severity.ERROR, problem(located, template[1], "template '" + template[0]
                        + "' not found: expected " + folder + "/<language>.subject.mustache (and .html/.txt); "
                        + "known templates: " + known(templates))));
            }
        }
    }

    private static String known(Path templates) {
        try (var folders = Files.list(templates)) {
            return String.join(", ", folders.filter(Files::isDirectory).map(f -> f.getFileName().toString()).sorted().toList());
        } catch (java.io.IOException e) {
            return "(cannot list " + templates + ")";
        }
    }

    private static void windowWithoutZone(Located located, List<Lint> lints) {
        if (located.scenario() instanceof SinceLastScenario scenario && scenario.delay().toMillis() % 86_400_000L == 0
                && !located.lines().containsKey("spec.defaultTimezone")) {
            lints.add(new Lint(Severity.WARNING, problem(located, "spec.wait", "a wait of "
                    + io.lifecyclemail.common.time.Durations.format(scenario.delay()) + " counts calendar days in the "
                    + "customer's time zone, and in UTC for customers whose profile has none; set "
                    + "spec.defaultTimezone (e.g. Asia/Tokyo) to say which zone they live in")));
        }
    }

    /**
     * Discount content and the loyal ranks (DOMAIN.md: discounts hurt loyal customers): a warning when
     * the scenario allows it explicitly, and when loyal customers of its audience get no mail because
     * their content is a discount.
     */
    private static void discountToLoyal(Located located, List<Lint> lints) {
        ScenarioPolicy policy = located.scenario().policy();
        List<String> loyalWithDiscount = new ArrayList<>();
        String field = "spec.discount";
        for (Rank rank : List.of(Rank.SUPER_LOYAL, Rank.LOYAL)) {
            Set<String> admitted = policy.audience().ranks();
            if (!admitted.isEmpty() && !admitted.contains(rank.label())) {
                continue;
            }
            ScenarioPolicy.Content content = policy.contentFor(rank, located.scenario().template());
            if (content.discount() || content.withheldBecause() != null) {
                loyalWithDiscount.add(rank.label());
                for (int i = 0; i < policy.contentByRank().size(); i++) {
                    if (policy.contentByRank().get(i).ranks().contains(rank)) {
                        field = "spec.contentByRank[" + i + "].discount";
                        break;
                    }
                }
            }
        }
        if (loyalWithDiscount.isEmpty()) {
            return;
        }
        if (policy.discountToLoyal()) {
            lints.add(new Lint(Severity.WARNING, problem(located, "spec.discountToLoyal", "discount content goes to "
                    + String.join(" and ", loyalWithDiscount) + " customers because discountToLoyal is true; "
                    + "discounts lower the product's value for loyal customers: prefer content with discount: false "
                    + "for them in contentByRank")));
        } else {
            lints.add(new Lint(Severity.WARNING, problem(located, field, String.join(" and ", loyalWithDiscount)
                    + " customers in this audience get no mail from this scenario: their content is a discount, "
                    + "which is never sent to the loyal ranks; give them a template with discount: false in "
                    + "contentByRank, or leave them out of audience.ranks")));
        }
    }

    /**
     * An audience counting opens of a scenario that is not loaded: a typo, or mail sent by another
     * tool that writes engagement events under that id (a warning, then).
     */
    private static void unknownEngagementScenarios(List<Located> scenarios, List<Lint> lints) {
        Set<String> ids = new java.util.HashSet<>();
        scenarios.forEach(located -> ids.add(located.scenario().id()));
        for (Located located : scenarios) {
            for (Audience.EngagementRule rule : located.scenario().policy().audience().engagement()) {
                List<String> unknown = rule.scenarios().stream().filter(id -> !ids.contains(id)).sorted().toList();
                if (!unknown.isEmpty()) {
                    String key = (rule.not() ? "not" + (rule.action() == Audience.Action.OPENED ? "Opened" : "Clicked")
                            : rule.action() == Audience.Action.OPENED ? "opened" : "clicked");
                    lints.add(new Lint(Severity.WARNING, problem(located, "spec.audience." + key + ".of",
                            "no scenario " + String.join(", ", unknown) + " is loaded: only engagement events that "
                                    + "name it (mail sent by another tool) will count; known scenarios: "
                                    + String.join(", ", ids.stream().sorted().toList()))));
                }
            }
        }
    }

    private static void equalPriorities(List<Located> scenarios, List<Lint> lints) {
        for (int a = 0; a < scenarios.size(); a++) {
            for (int b = a + 1; b < scenarios.size(); b++) {
                Scenario first = scenarios.get(a).scenario();
                Scenario second = scenarios.get(b).scenario();
                if (!first.enabled() || !second.enabled() || first.policy().priority() != second.policy().priority()) {
                    continue;
                }
                Set<String> shared = new LinkedHashSet<>(firedBy(first));
                shared.retainAll(firedBy(second));
                if (!shared.isEmpty()) {
                    lints.add(new Lint(Severity.WARNING, problem(scenarios.get(b), "spec.priority", "priority "
                            + second.policy().priority() + " equals that of '" + first.id() + "' ("
                            + scenarios.get(a).file() + "), and both can fire on " + String.join(", ", shared)
                            + "; give one a higher priority so that it is clear which mail wins")));
                }
            }
        }
    }

    /** The kinds of input event whose arrival (or absence after it) can fire a scenario. */
    static Set<String> firedBy(Scenario scenario) {
        return switch (scenario.kind()) {
            case CartAbandonmentScenario.KIND -> Set.of("cart_add", "cart_remove");
            case BrowseAbandonmentScenario.KIND -> Set.of("product_view");
            case PricePageVisitScenario.KIND -> Set.of("page_view");
            case DeepBrowsingScenario.KIND -> Set.of("page_view", "product_view");
            case SinceLastScenario.DORMANCY, PostPurchaseScenario.KIND, ReplenishmentScenario.KIND -> Set.of("order_placed");
            case SinceLastScenario.NO_LOGIN -> Set.of("login");
            case SinceLastScenario.AT_RISK -> Set.of("page_view", "product_view", "cart_add", "cart_remove", "login",
                    "favourite", "notify_me", "order_placed");
            case BirthdayScenario.KIND, PointsExpiryScenario.KIND, RegistrationAnniversaryScenario.KIND -> Set.of("profile");
            case RestockScenario.KIND -> Set.of("stock change");
            case RankChangeScenario.KIND -> Set.of("rank change");
            case SequenceScenario.KIND -> {
                List<SequenceScenario.Step> steps = ((SequenceScenario) scenario).steps();
                yield Set.of(steps.get(steps.size() - 1).event().yamlName());
            }
            default -> Set.of();
        };
    }

    private static ScenarioProblem problem(Located located, String field, String message) {
        return new ScenarioProblem(located.file(), located.lineOf(field), field, message);
    }

}
