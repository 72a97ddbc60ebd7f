package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite's short version: one TaskManager crash (300 customers) on the real processes of deploy/local,
 * bad input, bad scenario files and the control ({@link FaultSuite} has the full one).
 */
class FaultSuiteTest {
    @TempDir
    Path work;

    @Test
    void aTaskManagerCrashLosesAndDoublesNoSendCommandAndTheControlShowsItsLosses() throws Exception {
        FaultSuite.Report report = FaultSuite.run(work, 1, 300, 1000); // ports beside the full suite's
        System.out.println(report.text());
        assertThat(report.referenceCommands()).as("send commands of the run without faults").isPositive();
        assertThat(report.commandsLost()).as("send commands lost").isZero();
        assertThat(report.commandsDuplicated()).as("send commands duplicated").isZero();
        assertThat(report.referenceMails()).as("mails of the run without faults: one per send command")
                .isEqualTo(report.referenceCommands());
        assertThat(report.mailsLost()).as("mails lost").isZero();
        assertThat(report.badRecordsDeadLettered()).as("bad records in dead letters, by job")
                .isEqualTo(report.badRecords());
        assertThat(report.decisionRestartsFromBadInput()).as("restarts caused by bad input").isZero();
        assertThat(report.scenarioRejections()).hasSize(3)
                .allSatisfy(rejection -> assertThat(rejection).containsPattern("\\.yaml:[0-9?]+: "));
        assertThat(report.dashboardMetricsMissing()).as("metrics the Grafana dashboard reads that the cluster lacks").isEmpty();
        assertThat(report.controlCommandsLost()).as("the control's losses, which the checker must see")
                .isEqualTo(report.referenceCommands());
    }
}
