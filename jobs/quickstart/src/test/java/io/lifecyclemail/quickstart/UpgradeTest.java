package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.common.kafka.KafkaOptions;
import io.lifecyclemail.common.options.Settings;
import io.lifecyclemail.decision.DecisionJob;
import io.lifecyclemail.decision.DecisionOptions;
import io.lifecyclemail.decision.scenario.ScenarioLoader;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.SendCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade as a data engineer does it: the decision job runs on the first two days of a shop's
 * traffic, is stopped with a savepoint while carts are waiting for their deadline and sends are
 * deferred to the morning, and is started again from the savepoint with changed scenario files;
 * then the rest of the traffic arrives. The send commands committed to Kafka must be exactly those
 * of a run without the upgrade: none lost, none doubled.
 */
class UpgradeTest {
    static final Instant START = Quickstart.TRAFFIC_START;
    /** Where the traffic is cut: the first part before the upgrade, the rest after it. */
    static final Instant CUT = START.plus(Duration.ofDays(2)).plus(Duration.ofHours(13)); // 22:00 in Tokyo

    @TempDir
    Path work;

    @Test
    void stopWithSavepointAndRestoreWithChangedScenariosLosesAndDoublesNoSendCommand() throws Exception {
        SampleShop.Traffic traffic = SampleShop.generate(120, 7, START, Quickstart.TRAFFIC_SPAN);
        Path shipped = Path.of("../../deploy/scenarios").toAbsolutePath().normalize();

        // without the upgrade: all of the traffic, one job
        List<SendCommand> reference;
        try (LocalServices services = LocalServices.start(work.resolve("reference"))) {
            Quickstart.produce(services.topics, traffic);
            JobID job = submit(services, shipped, null);
            awaitAllRead(services, traffic.size());
            services.flink.cancel(job);
            reference = services.topics.read(LocalTopics.SEND_COMMANDS, SendCommand.class);
        }

        // with it: the first part, stop with a savepoint, restore with changed scenarios, the rest
        List<SendCommand> upgraded;
        List<Decision> beforeUpgrade;
        try (LocalServices services = LocalServices.start(work.resolve("upgraded"))) {
            Quickstart.produce(services.topics, traffic.part(time -> time.isBefore(CUT)));
            JobID first = submit(services, shipped, null);
            awaitAllRead(services, traffic.part(time -> time.isBefore(CUT)).size());
            String savepoint = services.flink.stopWithSavepoint(first, work.resolve("savepoints"));
            beforeUpgrade = services.topics.read(LocalTopics.DECISIONS, Decision.class);

            // the rest arrives while the job is down (written while it ran, a topic written after another
            // could fall behind a watermark its idle partitions let run ahead: timing, not the upgrade)
            Quickstart.produce(services.topics, traffic.part(time -> !time.isBefore(CUT)));
            Path changed = changedScenarios(shipped);
            JobID second = submit(services, changed, savepoint);
            awaitAllRead(services, traffic.size());
            services.flink.cancel(second);
            upgraded = services.topics.read(LocalTopics.SEND_COMMANDS, SendCommand.class);
        }

        // what was in flight at the savepoint: carts not yet due, and sends deferred to the morning
        Set<String> decidedBefore = beforeUpgrade.stream().filter(d -> d.getOutcome() != DecisionOutcome.DEFERRED)
                .map(Decision::getDecisionId).collect(Collectors.toSet());
        Set<String> deferredAtSavepoint = beforeUpgrade.stream()
                .filter(d -> d.getOutcome() == DecisionOutcome.DEFERRED && !decidedBefore.contains(d.getDecisionId()))
                .map(Decision::getDecisionId).collect(Collectors.toSet());
        assertThat(deferredAtSavepoint).as("sends deferred when the job was stopped").isNotEmpty();
        Set<String> sentBefore = beforeUpgrade.stream().filter(d -> d.getOutcome() == DecisionOutcome.SENT)
                .map(Decision::getSendId).collect(Collectors.toSet());
        List<SendCommand> sentAfter = upgraded.stream().filter(c -> !sentBefore.contains(c.getSendId())).toList();
        assertThat(sentAfter).as("carts abandoned before the cut, sent after the restore")
                .anySatisfy(c -> {
                    assertThat(c.getScenarioId()).isEqualTo("cart-abandonment");
                    assertThat(c.getTriggerTime()).isBefore(CUT);
                });
        assertThat(sentAfter).as("deferred sends released after the restore")
                .anySatisfy(c -> assertThat(deferredAtSavepoint).contains(c.getSendId()));

        System.out.printf("upgrade: %d send commands in the reference run, %d after the upgrade; %d deferred and "
                        + "%d sent after the restore%n", reference.size(), upgraded.size(), deferredAtSavepoint.size(),
                sentAfter.size());
        // none lost, none doubled
        assertThat(sendIds(reference)).as("send ids of the reference run are unique").doesNotHaveDuplicates();
        assertThat(sendIds(upgraded)).as("no send command twice").doesNotHaveDuplicates();
        assertThat(sendIds(upgraded)).as("the same send commands as without the upgrade")
                .containsExactlyInAnyOrderElementsOf(sendIds(reference));
        assertThat(reference.size()).isGreaterThan(100);
    }

    private static List<String> sendIds(List<SendCommand> commands) {
        return commands.stream().map(SendCommand::getSendId).toList();
    }

    private JobID submit(LocalServices services, Path scenarios, String savepoint) throws Exception {
        Settings settings = Settings.parse(DecisionOptions.all())
                .with(KafkaOptions.BOOTSTRAP_SERVERS, services.kafka.bootstrapServers())
                .with(KafkaOptions.STARTING_OFFSETS, KafkaOptions.StartingOffsets.EARLIEST)
                // empty topics (engagement, delivery results) must not hold event time back for a minute
                .with(KafkaOptions.SOURCE_IDLENESS, Duration.ofSeconds(1))
                .with(DecisionOptions.SCENARIOS_DIR, scenarios.toString());
        ScenarioLoader.Configuration configuration = DecisionJob.loadConfiguration(settings);
        return services.flink.submit(DecisionJob.NAME, env -> DecisionJob.wire(env, settings, configuration), savepoint);
    }

    /** Scenario files as a marketer changes them between runs: fewer cart lines, another text. */
    private Path changedScenarios(Path shipped) throws Exception {
        Path changed = Files.createDirectories(work.resolve("scenarios-v2"));
        try (var files = Files.list(shipped)) {
            for (Path file : files.toList()) {
                String text = Files.readString(file);
                if (file.getFileName().toString().equals("cart-abandonment.yaml")) {
                    String edited = text.replace("maxItems: 5", "maxItems: 3")
                            .replace("Cart left without buying for two hours", "Cart left for two hours (three lines)");
                    assertThat(edited).isNotEqualTo(text);
                    text = edited;
                }
                Files.writeString(changed.resolve(file.getFileName()), text);
            }
        }
        return changed;
    }

    /**
     * Waits until the job's consumer group has committed every input record (offsets are committed
     * on checkpoints, after the outputs of everything before them), then until the send commands
     * stop changing for a few checkpoints (decisions the last watermark allows).
     */
    private static void awaitAllRead(LocalServices services, int records) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String group = Settings.parse(DecisionOptions.all()).get(DecisionOptions.GROUP_ID);
        List<String> inputs = List.of(LocalTopics.PROFILES, LocalTopics.CLICKSTREAM, LocalTopics.ORDERS,
                LocalTopics.INVENTORY);
        for (long unread; (unread = FaultSuite.unread(services.kafka.bootstrapServers(), group, inputs)) > 0; ) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(unread + " of " + records + " input records still unread");
            }
            Thread.sleep(200);
        }
        Set<String> previous = null;
        for (int stable = 0; stable < 3; ) {
            Thread.sleep(1_500);
            Set<String> now = new HashSet<>(sendIds(services.topics.read(LocalTopics.SEND_COMMANDS, SendCommand.class)));
            stable = now.equals(previous) ? stable + 1 : 0;
            previous = now;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("send commands still changing");
            }
        }
    }
}
