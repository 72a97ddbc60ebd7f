package io.lifecyclemail.decision.scenario;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code validate}: checks scenario files (or folders of them) without running anything. Prints one
 * line per scenario or per problem, as {@code file:line: field: message}; exits 1 if any is invalid.
 */
public final class ValidateScenarios {
    private ValidateScenarios() {}

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out));
    }

    public static int run(List<String> arguments, PrintStream out) {
        if (arguments.isEmpty()) {
            out.println("usage: validate <scenario.yaml | folder> ...");
            return 2;
        }
        List<Path> files = new ArrayList<>();
        for (String argument : arguments) {
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
            List<Scenario> scenarios = ScenarioLoader.loadFiles(files);
            for (Scenario scenario : scenarios) {
                out.println("ok   " + scenario.kind() + " '" + scenario.id() + "' v" + scenario.version()
                        + (scenario.enabled() ? "" : " (disabled)"));
            }
            out.println(scenarios.size() + " scenario(s) valid");
            return 0;
        } catch (InvalidScenarioException e) {
            e.problems().forEach(problem -> out.println("error " + problem));
            out.println(e.problems().size() + " problem(s); nothing was changed");
            return 1;
        }
    }
}
