package io.lifecyclemail.quickstart;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A Flink mini cluster that runs several jobs side by side, configured the way deploy/flink/config.yaml
 * configures a real cluster: RocksDB, periodic checkpoints, explicit uids required.
 */
public final class LocalFlink implements AutoCloseable {
    private final MiniCluster cluster;
    private final Configuration config;

    private LocalFlink(MiniCluster cluster, Configuration config) {
        this.cluster = cluster;
        this.config = config;
    }

    /** The settings a job gets here; the same keys a cluster's config.yaml has. */
    public static Configuration configuration(Path workDir, Duration checkpointInterval) {
        Configuration config = new Configuration();
        config.setString("state.backend.type", "rocksdb");
        config.setString("execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString());
        config.setString("execution.checkpointing.savepoint-dir", workDir.resolve("savepoints").toUri().toString());
        config.setString("execution.checkpointing.interval", checkpointInterval.toMillis() + " ms");
        config.setString("execution.checkpointing.mode", "EXACTLY_ONCE");
        config.setString("state.backend.rocksdb.localdir", workDir.resolve("rocksdb").toString());
        config.setString("state.backend.rocksdb.use-bloom-filter", "true");
        config.setString("pipeline.auto-generate-uids", "false");
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "5");
        config.setString("restart-strategy.fixed-delay.delay", "1 s");
        config.setString("parallelism.default", "2");
        return config;
    }

    public static LocalFlink start(Configuration config, int slots) throws Exception {
        Configuration clusterConfig = new Configuration(config);
        clusterConfig.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        clusterConfig.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(64));
        clusterConfig.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(64));
        clusterConfig.setString("rest.port", "0");
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(clusterConfig)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        cluster.start();
        return new LocalFlink(cluster, config);
    }

    /** Builds a job with {@code wiring} and submits it, restoring from {@code savepoint} when given. */
    public JobID submit(String name, Consumer<StreamExecutionEnvironment> wiring, String savepoint) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration(config));
        wiring.accept(env);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(name);
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return cluster.submitJob(graph).get().getJobID();
    }

    public JobStatus status(JobID job) throws Exception {
        return cluster.getJobStatus(job).get();
    }

    public JobResult awaitResult(JobID job) throws Exception {
        return cluster.requestJobResult(job).get();
    }

    /** Stops the job after a savepoint; returns the savepoint's path. */
    public String stopWithSavepoint(JobID job, Path directory) throws Exception {
        return cluster.stopWithSavepoint(job, directory.toUri().toString(), false, SavepointFormatType.CANONICAL).get();
    }

    public void cancel(JobID job) throws Exception {
        cluster.cancelJob(job).get();
        cluster.requestJobResult(job).get();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
