package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.common.options.Option;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.decision.DecisionOptions;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.delivery.DeliveryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The docs' examples and lists are checked against the code, so they cannot drift apart. */
class DocsTest {
    static final Path DOCS = Path.of("../../docs");

    static List<String> yamlBlocks(Path file) throws Exception {
        Matcher block = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(file));
        List<String> blocks = new ArrayList<>();
        while (block.find()) {
            blocks.add(block.group(1));
        }
        return blocks;
    }

    @Test
    void everyYamlExampleInTheScenarioReferenceLoads() throws Exception {
        List<String> examples = yamlBlocks(DOCS.resolve("scenarios.md"));
        List<Scenario> scenarios = new ArrayList<>();
        for (String example : examples) {
            scenarios.add(ScenarioLoader.parse("docs/scenarios.md", example));
        }
        // every kind has at least one worked example
        assertThat(scenarios).extracting(Scenario::kind).containsAll(ScenarioLoader.KINDS);
        CartAbandonmentScenario nextDay = (CartAbandonmentScenario) byId(scenarios, "cart-abandonment-next-day");
        assertThat(nextDay.delay()).isEqualTo(Duration.ofDays(1));
        assertThat(nextDay.maxItems()).isEqualTo(3);
        // the re-entry example says what it claims
        Scenario weekly = byId(scenarios, "browse-weekly");
        assertThat(weekly.policy().reentry().after()).isEqualTo(Duration.ofDays(14));
        assertThat(weekly.policy().priority()).isEqualTo(30);
        // and so do the audiences by opens
        assertThat(byId(scenarios, "cart-sale-readers").policy().audience().engagement()).singleElement()
                .isEqualTo(new io.lifecyclemail.decision.scenario.Audience.EngagementRule(
                        io.lifecyclemail.decision.scenario.Audience.Action.OPENED, false, Duration.ofDays(7),
                        java.util.Set.of("autumn-sale")));
        assertThat(byId(scenarios, "dormant-and-not-reading").policy().audience().engagement()).singleElement()
                .satisfies(rule -> assertThat(rule.not()).isTrue());
    }

    static Scenario byId(List<Scenario> scenarios, String id) {
        return scenarios.stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void everyJobOptionIsDocumentedAndKeysAreUnique() throws Exception {
        String operations = Files.readString(DOCS.resolve("operations.md"));
        for (List<Option<?>> options : List.of(DecisionOptions.all(), DeliveryOptions.all(),
                io.lifecyclemail.decision.RfmBootstrap.options())) {
            Settings.index(options); // throws on a duplicate key
            for (Option<?> option : options) {
                assertThat(operations).as("docs/operations.md documents " + option.key()).contains("`" + option.key() + "`");
            }
        }
    }

    @Test
    void everyTopicIsDocumented() throws Exception {
        String topics = Files.readString(DOCS.resolve("topics.md"));
        for (String topic : List.of(LocalTopics.CLICKSTREAM, LocalTopics.ORDERS, LocalTopics.PROFILES,
                LocalTopics.SEND_COMMANDS, LocalTopics.DECISIONS, LocalTopics.DELIVERY_RESULTS, LocalTopics.DEAD_LETTERS,
                LocalTopics.INVENTORY, LocalTopics.RFM, LocalTopics.RFM_SUMMARY, "engagement")) {
            assertThat(topics).contains("| `" + topic + "` |");
        }
    }

    @Test
    void theDocumentedBootstrapRunsOnTheSampleHistory(@org.junit.jupiter.api.io.TempDir Path out) throws Exception {
        String operations = Files.readString(DOCS.resolve("operations.md"));
        java.util.regex.Matcher command = java.util.regex.Pattern.compile("-Dbootstrap\\.args=\"([^\"]+)\"").matcher(operations);
        assertThat(command.find()).as("operations.md shows the bootstrap command").isTrue();
        List<String> args = new ArrayList<>(List.of(command.group(1).split(" ")));
        args.replaceAll(arg -> arg.startsWith("docs/") ? "../../" + arg : arg);
        args.set(args.indexOf("--out") + 1, out.toString()); // not into the working tree
        var settings = io.lifecyclemail.common.options.Settings.parse(io.lifecyclemail.decision.RfmBootstrap.options(),
                args.toArray(String[]::new));
        var report = io.lifecyclemail.decision.RfmBootstrap.run(settings,
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment());
        assertThat(report.customers()).hasSizeGreaterThan(1400);
        assertThat(report.dropped()).containsEntry("no customer id", 1L)
                .containsEntry("missing or non-positive amount, quantity or price", 2L).containsKey("cancelled order");
        assertThat(report.summary().getBranchingPoint()).as("the sample's customers stay after their 3rd purchase").isEqualTo(3);
        List<String> csv = Files.readAllLines(out.resolve("rfm-report.csv"));
        assertThat(csv).hasSize(report.customers().size() + 1);
        assertThat(Files.readString(out.resolve("rfm-report.txt"))).contains("branching point: 3 purchases")
                .contains("no customer id=1");
        assertThat(Files.readAllLines(out.resolve("rfm-seed.jsonl"))).hasSize(report.customers().size());
    }
}
