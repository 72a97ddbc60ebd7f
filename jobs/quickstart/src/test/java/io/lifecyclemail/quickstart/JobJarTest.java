package io.lifecyclemail.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.SendCommand;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jars as a cluster runs them: submitted with Flink's own command line
 * ({@code flink run}, local target) in a JVM whose classpath has Flink's jars and none of ours, so
 * anything the jar forgot to bundle fails here.
 */
class JobJarTest {
    static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");

    @TempDir
    Path work;

    static Path jobJar(String module) throws IOException {
        try (Stream<Path> files = Files.list(Path.of("../" + module + "/target"))) {
            return files.filter(p -> p.getFileName().toString().endsWith("-job.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no shaded jar in jobs/" + module + "/target"));
        }
    }

    int flinkRun(Path jar, String... jobArgs) throws Exception {
        Path conf = Files.createDirectories(work.resolve("conf"));
        Files.writeString(conf.resolve("config.yaml"), String.join("\n",
                "pipeline.auto-generate-uids: false",
                "state.backend.type: rocksdb",
                "state.backend.rocksdb.localdir: " + work.resolve("rocksdb"),
                "execution.checkpointing.interval: 1 s",
                "execution.checkpointing.dir: " + work.resolve("checkpoints").toUri(),
                "parallelism.default: 2",
                "taskmanager.numberOfTaskSlots: 2",
                "rest.port: 0", ""));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        for (String option : System.getProperty("job.jvm.options", "").split(" ")) {
            if (!option.isBlank()) {
                command.add(option);
            }
        }
        command.addAll(List.of("-cp", Files.readString(Path.of("target/flink-classpath.txt")).trim(),
                "org.apache.flink.client.cli.CliFrontend", "run", "-t", "local", jar.toAbsolutePath().toString()));
        command.addAll(List.of(jobArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(jar.getFileName() + ".log").toFile());
        builder.environment().put("FLINK_CONF_DIR", conf.toString());
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("flink run did not finish: " + Files.readString(work.resolve(jar.getFileName() + ".log")));
        }
        if (process.exitValue() != 0) {
            System.err.println(Files.readString(work.resolve(jar.getFileName() + ".log")));
        }
        return process.exitValue();
    }

    @Test
    void bothShadedJarsRunOnFlinkAloneFromKafkaToMail() throws Exception {
        int smtpPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            smtpPort = socket.getLocalPort();
        }
        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            LocalTopics topics = new LocalTopics(kafka.bootstrapServers());
            topics.createAll(kafka, 2);
            topics.produce(LocalTopics.PROFILES, List.of(CustomerProfile.newBuilder().setEventId("p1")
                            .setEventTime(T0).setCustomerId("yui").setEmail("yui@example.com").setName("Yui")
                            .setLocale("ja-JP").setMarketingConsent(true).build()),
                    CustomerProfile.class, CustomerProfile::getCustomerId, CustomerProfile::getEventTime);
            topics.produce(LocalTopics.CLICKSTREAM, List.of(ClickstreamEvent.newBuilder().setEventId("e1")
                            .setEventTime(T0.plus(Duration.ofMinutes(1))).setCustomerId("yui").setType(ClickType.CART_ADD)
                            .setProduct(SampleShop.product(1)).build()),
                    ClickstreamEvent.class, ClickstreamEvent::getCustomerId, ClickstreamEvent::getEventTime);

            String kafkaArgs = "--kafka.bootstrap-servers " + kafka.bootstrapServers()
                    + " --kafka.bounded true --kafka.starting-offsets earliest";
            assertThat(flinkRun(jobJar("decision"),
                    (kafkaArgs + " --decide.until " + T0.plus(Duration.ofDays(1))).split(" "))).isZero();
            List<SendCommand> commands = topics.read(LocalTopics.SEND_COMMANDS, SendCommand.class);
            assertThat(commands).singleElement().satisfies(c -> assertThat(c.getCustomerId()).isEqualTo("yui"));

            assertThat(flinkRun(jobJar("delivery"), (kafkaArgs + " --smtp.host 127.0.0.1 --smtp.port " + smtpPort
                    + " --smtp.security none --tokens.secret-file " + Quickstart.Run.newTokenKey(work)).split(" "))).isZero();
            assertThat(smtp.getReceivedMessages()).singleElement()
                    .satisfies(mail -> assertThat(mail.getSubject()).startsWith("Yui様"));
        } finally {
            smtp.stop();
        }
    }
}
