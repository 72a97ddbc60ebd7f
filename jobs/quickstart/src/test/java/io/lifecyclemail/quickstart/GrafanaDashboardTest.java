package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard is the one docs/operations.md shows; {@link FaultSuiteTest} checks its metrics exist live. */
class GrafanaDashboardTest {
    @Test
    void everyPanelIsARowOfTheDocumentedDashboardWithTheSameQueries() throws Exception {
        GrafanaDashboard dashboard = GrafanaDashboard.read(GrafanaDashboard.file());
        String operations = Files.readString(DocsTest.DOCS.resolve("operations.md"));
        assertThat(dashboard.panels()).hasSizeGreaterThanOrEqualTo(8);
        for (GrafanaDashboard.Panel panel : dashboard.panels()) {
            assertThat(panel.datasource()).as(panel.title()).isEqualTo("${datasource}");
            assertThat(panel.queries()).as(panel.title()).isNotEmpty();
            String row = operations.lines().filter(line -> line.startsWith("| " + panel.title() + " | ")).findFirst()
                    .orElseThrow(() -> new AssertionError("operations.md has no dashboard row '" + panel.title() + "'"));
            for (String query : panel.queries()) {
                assertThat(row).as(panel.title()).contains("`" + query.replace("|", "\\|") + "`");
            }
        }
        assertThat(dashboard.metrics()).as("the engine's own counters are on it").contains(
                "flink_taskmanager_job_task_operator_outcome_rule_decisions",
                "flink_taskmanager_job_task_operator_deadLetters",
                "flink_taskmanager_job_task_operator_lateEvents",
                "flink_taskmanager_job_task_operator_mailsAccepted");
    }
}
