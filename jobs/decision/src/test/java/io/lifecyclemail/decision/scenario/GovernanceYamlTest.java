package io.lifecyclemail.decision.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The governor's YAML: the policy file and each scenario's own settings, bound or refused with file, line and field. */
class GovernanceYamlTest {
    static final String POLICY = """
            apiVersion: lifecyclemail.io/v1
            kind: GovernorPolicy
            spec:
              caps:
                - max: 1
                  per: 1d
                - max: 3
                  per: 7d
              quietHours:
                from: "21:00"
                to: "08:00"
              defaultTimezone: Asia/Tokyo
              controlGroup: 2.5%
              salt: s1
              attributionWindow: 5d
            """;

    static final String CART = """
            apiVersion: lifecyclemail.io/v1
            kind: CartAbandonment
            metadata:
              id: cart
            spec:
              wait: 2h
              template: cart-abandonment
              caps:
                - max: 1
                  per: 7d
              whenCapped: defer
              maxDelay: 12h
              holdout: 10%
              variants:
                - name: plain
                  template: cart-abandonment
                - name: story
                  weight: 3
                  template: cart-story
            """;

    @Test
    void bindsThePolicyFile() {
        GovernorPolicy policy = PolicyLoader.parse("policy.yaml", POLICY);
        assertThat(policy.caps()).containsExactly(new Cap(1, Duration.ofDays(1)), new Cap(3, Duration.ofDays(7)));
        assertThat(policy.quietHours()).isEqualTo(new QuietHours(LocalTime.of(21, 0), LocalTime.of(8, 0)));
        assertThat(policy.defaultZone()).isEqualTo(ZoneId.of("Asia/Tokyo"));
        assertThat(policy.controlShare()).isEqualTo(0.025);
        assertThat(policy.salt()).isEqualTo("s1");
        assertThat(policy.attributionWindow()).isEqualTo(Duration.ofDays(5));
    }

    @Test
    void aBadPolicyNamesFileLineAndField() {
        String text = POLICY.replace("per: 7d", "per: a week").replace("controlGroup: 2.5%", "controlGroup: 60%")
                .replace("to: \"08:00\"", "to: \"8 am\"");
        InvalidScenarioException error = catchThrowableOfType(InvalidScenarioException.class,
                () -> PolicyLoader.parse("policy.yaml", text));
        assertThat(error.problems()).extracting(ScenarioProblem::toString).containsExactlyInAnyOrder(
                "policy.yaml:8: spec.caps[1].per: 'a week' is not a duration such as 500ms, 30s, 45m, 2h, 3d, 1w or 1h30m, between 1m and 365d",
                "policy.yaml:11: spec.quietHours.to: '8 am' is not a time of day; expected HH:mm, e.g. 09:00",
                "policy.yaml:13: spec.controlGroup: 60% is out of range; expected a percentage from 0% to below 50%, e.g. 10%");
    }

    @Test
    void bindsAScenariosGovernorSettings() {
        Governance governance = ScenarioLoader.parse("cart.yaml", CART).policy().governance();
        assertThat(governance.caps()).containsExactly(new Cap(1, Duration.ofDays(7)));
        assertThat(governance.whenCapped()).isEqualTo(Governance.WhenCapped.DEFER);
        assertThat(governance.maxDelay()).isEqualTo(Duration.ofHours(12));
        assertThat(governance.holdout()).isEqualTo(0.10);
        assertThat(governance.variants()).containsExactly(new Variant("plain", 1, "cart-abandonment"),
                new Variant("story", 3, "cart-story"));
        assertThat(governance.transactional()).isFalse();
    }

    @Test
    void aBadScenarioSettingNamesItsLineAndField() {
        String text = CART.replace("whenCapped: defer", "whenCapped: later").replace("holdout: 10%", "holdout: 0.1")
                .replace("name: story", "name: plain");
        InvalidScenarioException error = catchThrowableOfType(InvalidScenarioException.class,
                () -> ScenarioLoader.parse("cart.yaml", text));
        assertThat(error.problems()).extracting(ScenarioProblem::toString).containsExactlyInAnyOrder(
                "cart.yaml:11: spec.whenCapped: 'later' is not allowed; expected drop or defer",
                "cart.yaml:12: spec.maxDelay: applies only with whenCapped: defer (a dropped candidate does not wait)",
                "cart.yaml:13: spec.holdout: '0.1' is not a percentage from 0% to below 100%, e.g. 10%",
                "cart.yaml:17: spec.variants[1].name: 'plain' is used by another variant; names must be unique");
    }

    @Test
    void transactionalStepsOfPostPurchaseAndTheirLimits() {
        String text = """
                apiVersion: lifecyclemail.io/v1
                kind: PostPurchase
                metadata:
                  id: after-order
                spec:
                  holdout: 5%
                  steps:
                    - name: thanks
                      after: 0d
                      template: thanks
                    - name: shipped
                      onShipped: true
                      template: shipped
                      transactional: true
                """;
        Governance governance = ScenarioLoader.parse("post.yaml", text).policy().governance();
        assertThat(governance.isTransactional("shipped")).isTrue();
        assertThat(governance.isTransactional("thanks")).isFalse();
        InvalidScenarioException error = catchThrowableOfType(InvalidScenarioException.class,
                () -> ScenarioLoader.parse("cart.yaml", CART.replace("holdout: 10%", "holdout: 10%\n  transactional: true")));
        assertThat(error.problems()).extracting(ScenarioProblem::toString).containsExactly(
                "cart.yaml:13: spec.holdout: a transactional mail is never held out; remove holdout or transactional");
    }

    @Test
    void aFolderHasAtMostOnePolicyAndABadOneStopsTheLoad(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("cart.yaml"), CART);
        Files.writeString(folder.resolve("policy.yaml"), POLICY);
        ScenarioLoader.Configuration configuration = ScenarioLoader.loadConfiguration(folder);
        assertThat(configuration.scenarios()).extracting(Scenario::id).containsExactly("cart");
        assertThat(configuration.policy().salt()).isEqualTo("s1");

        Files.writeString(folder.resolve("policy-2.yaml"), POLICY);
        InvalidScenarioException error = catchThrowableOfType(InvalidScenarioException.class,
                () -> ScenarioLoader.loadConfiguration(folder));
        assertThat(error.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).endsWith("policy.yaml");
            assertThat(problem.message()).contains("a second GovernorPolicy file");
        });
    }

    @Test
    void everyExampleOfTheGovernanceGuideLoads() throws Exception {
        String guide = Files.readString(Path.of("../../docs/governance.md"));
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("```yaml\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(guide);
        int policies = 0;
        List<Scenario> scenarios = new java.util.ArrayList<>();
        while (block.find()) {
            if (PolicyLoader.declaresPolicy(block.group(1))) {
                GovernorPolicy policy = PolicyLoader.parse("docs/governance.md", block.group(1));
                assertThat(policy).isEqualTo(ScenarioLoader.loadConfiguration(Path.of("../../deploy/scenarios")).policy());
                policies++;
            } else {
                scenarios.add(ScenarioLoader.parse("docs/governance.md", block.group(1)));
            }
        }
        assertThat(policies).as("the guide shows the shipped policy").isEqualTo(1);
        assertThat(scenarios).extracting(Scenario::kind).containsExactly("PostPurchase", "BrowseAbandonment", "CartAbandonment");
        assertThat(scenarios.get(0).policy().governance().isTransactional("shipped")).isTrue();
        assertThat(scenarios.get(2).policy().governance().variants()).hasSize(2);
    }

    @Test
    void theShippedFolderHasItsPolicyAndTheJarCarriesTheSame() {
        ScenarioLoader.Configuration shipped = ScenarioLoader.loadConfiguration(Path.of("../../deploy/scenarios"));
        assertThat(shipped.policy().caps()).isNotEmpty();
        assertThat(shipped.policy().quietHours()).isNotNull();
        assertThat(ScenarioLoader.loadBundledConfiguration()).isEqualTo(shipped);
        assertThat(ScenarioLoader.loadBundled()).hasSameSizeAs(shipped.scenarios()).doesNotHaveDuplicates();
        assertThat(List.of(PolicyLoader.declaresPolicy(POLICY), PolicyLoader.declaresPolicy(CART))).containsExactly(true, false);
    }
}
