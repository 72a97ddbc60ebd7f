package io.lifecyclemail.decision.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioLoaderTest {
    static final String VALID = """
            apiVersion: lifecyclemail.io/v1
            kind: CartAbandonment
            metadata:
              id: cart-2h
              version: 3
            spec:
              wait: 2h
              template: cart-abandonment
            """;

    @Test
    void bindsAValidFileWithDefaults() {
        CartAbandonmentScenario scenario = (CartAbandonmentScenario) ScenarioLoader.parse("cart.yaml", VALID);
        assertThat(scenario.id()).isEqualTo("cart-2h");
        assertThat(scenario.version()).isEqualTo(3);
        assertThat(scenario.delay()).isEqualTo(Duration.ofHours(2));
        assertThat(scenario.maxItems()).isEqualTo(10);
        assertThat(scenario.enabled()).isTrue();
    }

    @Test
    void everyKindTakesReentryAndPriorityWithDefaultsOfItsKind() {
        assertThat(ScenarioLoader.parse("cart.yaml", VALID).policy())
                .isEqualTo(new ScenarioPolicy(Reentry.NEVER, ScenarioPolicy.DEFAULT_PRIORITY));
        Scenario after = ScenarioLoader.parse("cart.yaml", VALID + "  reentry:\n    after: 30d\n  priority: 80\n");
        assertThat(after.policy()).isEqualTo(new ScenarioPolicy(Reentry.after(Duration.ofDays(30)), 80));
        assertThat(ScenarioLoader.parse("cart.yaml", VALID + "  reentry: always\n").policy().reentry().always()).isTrue();

        InvalidScenarioException error = catchThrowableOfType(InvalidScenarioException.class,
                () -> ScenarioLoader.parse("cart.yaml", VALID + "  reentry: sometimes\n"));
        assertThat(error.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(9);
            assertThat(problem.field()).isEqualTo("spec.reentry");
            assertThat(problem.message()).contains("'sometimes'", "never, always, or after: <duration>");
        });
    }

    @Test
    void namesFileLineFieldAndWhatIsAllowed() {
        String text = VALID.replace("wait: 2h", "wait: 2 hours");
        InvalidScenarioException error = catchThrowableOfType(InvalidScenarioException.class,
                () -> ScenarioLoader.parse("cart.yaml", text));
        assertThat(error.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo("cart.yaml");
            assertThat(problem.line()).isEqualTo(7);
            assertThat(problem.field()).isEqualTo("spec.wait");
            assertThat(problem.message()).contains("'2 hours'").contains("45m");
        });
        assertThat(error.getMessage()).startsWith("cart.yaml:7: spec.wait: ");
    }

    @Test
    void reportsEveryProblemNotOnlyTheFirst() {
        String text = VALID.replace("wait: 2h", "wait: 90d").replace("id: cart-2h", "id: Cart 2h")
                + "  colour: red\n";
        InvalidScenarioException error = catchThrowableOfType(InvalidScenarioException.class,
                () -> ScenarioLoader.parse("cart.yaml", text));
        assertThat(error.problems()).extracting(ScenarioProblem::field)
                .containsExactlyInAnyOrder("metadata.id", "spec.wait", "spec.colour");
        assertThat(error.problems()).filteredOn(p -> p.field().equals("spec.colour")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("allowed here: wait, template, maxItems, reentry, priority"));
    }

    @Test
    void rejectsUnknownKindListingTheKnownOnes() {
        assertThatThrownBy(() -> ScenarioLoader.parse("x.yaml", VALID.replace("CartAbandonment", "Birthdays")))
                .isInstanceOf(InvalidScenarioException.class)
                .hasMessageContaining("x.yaml:2: kind: 'Birthdays' is not allowed; expected one of CartAbandonment");
    }

    @Test
    void rejectsMissingRequiredFields() {
        String text = VALID.replace("  template: cart-abandonment\n", "");
        assertThatThrownBy(() -> ScenarioLoader.parse("x.yaml", text))
                .hasMessageContaining("spec.template: is required");
    }

    @Test
    void rejectsBrokenYamlWithItsLine() {
        assertThatThrownBy(() -> ScenarioLoader.parse("x.yaml", "apiVersion: [unclosed\nkind: x\n"))
                .isInstanceOf(InvalidScenarioException.class)
                .hasMessageContaining("x.yaml:")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void neverConstructsObjectsFromTags() {
        String payload = VALID.replace("template: cart-abandonment",
                "template: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x\"]]]]");
        assertThatThrownBy(() -> ScenarioLoader.parse("evil.yaml", payload))
                .isInstanceOf(InvalidScenarioException.class)
                .hasMessageContaining("spec.template");
    }

    @Test
    void refusesAliasBombs() {
        StringBuilder bomb = new StringBuilder("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
        for (char c = 'b'; c <= 'z'; c++) {
            char prev = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ",").append('*').append(prev);
            }
            bomb.append("]\n");
        }
        assertThatThrownBy(() -> ScenarioLoader.parse("bomb.yaml", bomb.toString()))
                .isInstanceOf(InvalidScenarioException.class)
                .hasMessageContaining("bomb.yaml");
    }

    @Test
    void readsPostPurchaseStepsAndNamesTheBrokenStep() {
        String steps = """
                apiVersion: lifecyclemail.io/v1
                kind: PostPurchase
                metadata:
                  id: after-order
                spec:
                  steps:
                    - name: thanks
                      after: 0d
                      template: thanks
                    - name: shipped
                      onShipped: true
                      template: shipped
                """;
        PostPurchaseScenario scenario = (PostPurchaseScenario) ScenarioLoader.parse("pp.yaml", steps);
        assertThat(scenario.steps()).extracting(PostPurchaseScenario.Step::name).containsExactly("thanks", "shipped");
        assertThat(scenario.steps().get(1).onShipped()).isTrue();
        assertThatThrownBy(() -> ScenarioLoader.parse("pp.yaml", steps.replace("after: 0d", "after: soon")))
                .hasMessageContaining("pp.yaml:8: spec.steps[0].after: 'soon' is not a duration");
        assertThatThrownBy(() -> ScenarioLoader.parse("pp.yaml", steps.replace("name: shipped", "name: thanks")))
                .hasMessageContaining("spec.steps[1].name: 'thanks' is used by another step");
    }

    @Test
    void idsMustBeUniqueAcrossFiles(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("a.yaml"), VALID);
        Files.writeString(folder.resolve("b.yaml"), VALID.replace("version: 3", "version: 4"));
        assertThatThrownBy(() -> ScenarioLoader.loadDirectory(folder))
                .hasMessageContaining("b.yaml")
                .hasMessageContaining("'cart-2h' is already used by")
                .hasMessageContaining("a.yaml");
    }

    @Test
    void idsMustDifferInTheCodeTheReentryLogKeeps(@TempDir Path folder) throws Exception {
        assertThat(Scenario.code("an")).isEqualTo(Scenario.code("c0")); // the same String.hashCode
        Files.writeString(folder.resolve("a.yaml"), VALID.replace("id: cart-2h", "id: an"));
        Files.writeString(folder.resolve("b.yaml"), VALID.replace("id: cart-2h", "id: c0"));
        assertThatThrownBy(() -> ScenarioLoader.loadDirectory(folder))
                .hasMessageContaining("b.yaml:")
                .hasMessageContaining("metadata.id: 'c0' has the same code in the re-entry log as 'an' in")
                .hasMessageContaining("a.yaml");
    }

    @Test
    void loadsEveryShippedScenario() {
        Path shipped = Path.of("../../deploy/scenarios");
        List<Scenario> scenarios = ScenarioLoader.loadDirectory(shipped);
        assertThat(scenarios).isNotEmpty();
        assertThat(ScenarioLoader.loadBundled()).containsExactlyElementsOf(scenarios);
    }

    @Test
    void sequenceStepsAreCheckedWithTheirPath() {
        String text = """
                apiVersion: lifecyclemail.io/v1
                kind: Sequence
                metadata:
                  id: seq
                spec:
                  steps:
                    - event: page_view
                      category: tea
                    - event: product_viewed
                    - event: product_view
                      sameProduct: true
                  thenNot:
                    events:
                      - event: order_placed
                        pageType: pricing
                    within: 2h
                  template: browse-abandonment
                """;
        InvalidScenarioException error = catchThrowableOfType(InvalidScenarioException.class,
                () -> ScenarioLoader.parse("seq.yaml", text));
        assertThat(error.problems()).extracting(ScenarioProblem::field, ScenarioProblem::line).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("spec.steps[0].category", 8),
                org.assertj.core.groups.Tuple.tuple("spec.steps[1].event", 9),
                org.assertj.core.groups.Tuple.tuple("spec.steps[2].sameProduct", 11),
                org.assertj.core.groups.Tuple.tuple("spec.thenNot.events[0].pageType", 15));
        assertThat(error.problems()).filteredOn(p -> p.field().equals("spec.steps[1].event")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("'product_viewed'", "page_view, product_view"));
    }
}
