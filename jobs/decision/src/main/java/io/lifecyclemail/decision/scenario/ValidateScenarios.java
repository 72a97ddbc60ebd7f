package io.lifecyclemail.decision.scenario;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code validate}: checks scenario files (or folders of them) without running anything, then lints
 * them together ({@link ScenarioLints}). Prints one line per scenario, problem or warning, as
 * {@code file:line: field: message}; exits 1 if any is invalid or names a template that does not
 * exist. Templates are looked up in {@code --templates <folder>}, by default the {@code templates}
 * folder beside the (first) scenarios folder.
 */
public final class ValidateScenarios {
    private ValidateScenarios() {}

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out));
    }

    public static int run(List<String> arguments, PrintStream out) {
        List<String> paths = new ArrayList<>(arguments);
        Path templates = null;
        int option = paths.indexOf("--templates");
        if (option >= 0) {
            if (option + 1 >= paths.size()) {
                out.println("usage: validate [--templates <folder>] <scenario.yaml | folder> ...");
                return 2;
            }
            templates = Path.of(paths.remove(option + 1));
            paths.remove(option);
        }
        if (paths.isEmpty()) {
            out.println("usage: validate [--templates <folder>] <scenario.yaml | folder> ...");
            return 2;
        }
        List<Path> files = new ArrayList<>();
        for (String argument : paths) {
            Path path = Path.of(argument);
            if (Files.isDirectory(path)) {
                try (Stream<Path> listing = Files.list(path)) {
                    listing.filter(ScenarioLoader::isYaml).sorted().forEach(files::add);
                } catch (java.io.IOException e) {
                    out.println(path + ": cannot list the folder: " + e.getMessage());
                    return 1;
                }
            } else {
                files.add(path);
            }
        }
        try {
            ScenarioLoader.LocatedConfiguration configuration = ScenarioLoader.loadAll(files);
            List<ScenarioLoader.Located> scenarios = configuration.scenarios();
            if (configuration.policyFile() != null) {
                GovernorPolicy policy = configuration.policy();
                out.println("ok   " + PolicyLoader.KIND + " " + configuration.policyFile() + ": caps " + policy.caps()
                        + ", quiet hours " + (policy.quietHours() == null ? "none" : policy.quietHours())
                        + ", control group " + Math.round(policy.controlShare() * 1000) / 10.0 + " %");
            } else {
                out.println("note no " + PolicyLoader.KIND + " file: no global caps, quiet hours or control group");
            }
            for (ScenarioLoader.Located located : scenarios) {
                Scenario scenario = located.scenario();
                out.println("ok   " + scenario.kind() + " '" + scenario.id() + "' v" + scenario.version()
                        + (scenario.enabled() ? "" : " (disabled)"));
            }
            if (templates == null) {
                templates = defaultTemplates(paths);
            }
            if (templates == null) {
                out.println("note templates not checked: no templates folder beside the scenarios; give --templates <folder>");
            }
            List<ScenarioLints.Lint> lints = ScenarioLints.check(scenarios, templates);
            lints.forEach(out::println);
            long errors = lints.stream().filter(lint -> lint.severity() == ScenarioLints.Severity.ERROR).count();
            out.println(scenarios.size() + " scenario(s), " + errors + " error(s), " + (lints.size() - errors)
                    + " warning(s)" + (errors > 0 ? "; nothing was changed" : ""));
            return errors > 0 ? 1 : 0;
        } catch (InvalidScenarioException e) {
            e.problems().forEach(problem -> out.println("error " + problem));
            out.println(e.problems().size() + " problem(s); nothing was changed");
            return 1;
        }
    }

    /** The {@code templates} folder beside the first scenarios folder (deploy/scenarios -> deploy/templates). */
    private static Path defaultTemplates(List<String> paths) {
        Path first = Path.of(paths.get(0)).toAbsolutePath();
        Path folder = Files.isDirectory(first) ? first : first.getParent();
        Path templates = folder == null || folder.getParent() == null ? null : folder.getParent().resolve("templates");
        return templates != null && Files.isDirectory(templates) ? templates : null;
    }
}
