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
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("ok   CartAbandonment 'cart-abandonment'");
    }

    @Test
    void printsFileLineAndFieldAndFails(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("bad.yaml");
        Files.writeString(file, ScenarioLoaderTest.VALID.replace("maxItems", "x").replace("wait: 2h", "wait: soon"));
        assertThat(ValidateScenarios.run(List.of(file.toString()), out)).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("error " + file + ":7: spec.wait: 'soon' is not a duration");
    }
}
