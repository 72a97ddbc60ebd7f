package io.lifecyclemail.decision.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateScenariosTest {
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void acceptsTheShippedScenarios() {
        assertThat(ValidateScenarios.run(List.of("../../deploy/scenarios"), out)).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("ok   CartAbandonment 'cart-abandonment'")
                .contains("0 error(s), 0 warning(s)"); // templates found beside the folder, priorities distinct
    }

    @Test
    void printsFileLineAndFieldAndFails(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("bad.yaml");
        Files.writeString(file, ScenarioLoaderTest.VALID.replace("maxItems", "x").replace("wait: 2h", "wait: soon"));
        assertThat(ValidateScenarios.run(List.of(file.toString()), out)).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("error " + file + ":7: spec.wait: 'soon' is not a duration");
    }

    @Test
    void lintsUnknownTemplatesEqualPrioritiesDayWindowsWithoutAZoneAndUnknownEngagementScenarios(@TempDir Path root) throws Exception {
        Path scenarios = Files.createDirectories(root.resolve("scenarios"));
        Path templates = Files.createDirectories(root.resolve("templates").resolve("cart-abandonment"));
        Files.writeString(templates.resolve("en.subject.mustache"), "Your cart");
        Files.writeString(scenarios.resolve("a-cart.yaml"), ScenarioLoaderTest.VALID);
        Files.writeString(scenarios.resolve("b-cart.yaml"), ScenarioLoaderTest.VALID.replace("cart-2h", "cart-1d")
                .replace("wait: 2h", "wait: 1d").replace("template: cart-abandonment", "template: cart-reminder"));
        Files.writeString(scenarios.resolve("c-dormancy.yaml"), """
                apiVersion: lifecyclemail.io/v1
                kind: Dormancy
                metadata:
                  id: win-back
                spec:
                  wait: 180d
                  template: cart-abandonment
                  audience:
                    notOpened: {within: 90d, of: [cart-2h, autumn-sale]}
                """);

        assertThat(ValidateScenarios.run(List.of(scenarios.toString()), out)).isEqualTo(1);
        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(report)
                .contains("error " + scenarios.resolve("b-cart.yaml") + ":8: spec.template: template 'cart-reminder' not found")
                .contains("known templates: cart-abandonment")
                .contains("warning " + scenarios.resolve("b-cart.yaml") + ":6: spec.priority: priority 50 equals that of 'cart-2h'")
                .contains("warning " + scenarios.resolve("c-dormancy.yaml") + ":6: spec.wait: a wait of 180d counts calendar days")
                .contains("warning " + scenarios.resolve("c-dormancy.yaml") + ":9: spec.audience.notOpened.of: "
                        + "no scenario autumn-sale is loaded")
                .contains("3 scenario(s), 1 error(s), 3 warning(s)");
    }
}
