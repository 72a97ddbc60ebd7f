#!/usr/bin/env bash
# Starts the engine on this machine as separate processes: a Kafka broker (KRaft), an SMTP server
# (GreenMail), a Flink standalone session cluster (JobManager + TaskManager), creates the topics and
# submits the decision and delivery jobs. Jobs stopped by down.sh resume from their savepoints.
#
#   deploy/local/up.sh [--no-jobs]       then: deploy/local/down.sh
#
# Needs a JDK 17, Maven and curl. Ports (env): KAFKA_PORT 9092, KAFKA_CONTROLLER_PORT 9093,
# SMTP_PORT 3025, SMTP_API_PORT 8083, FLINK_REST_PORT 8081 (web UI), Prometheus 9249-9259.
# SCENARIOS_DIR (default deploy/scenarios) is what the decision job loads; DECISION_OPTIONS and
# DELIVERY_OPTIONS add job options; CHECKPOINT_INTERVAL / CHECKPOINT_MIN_PAUSE (10 s each). See docs/operations.md.
source "$(dirname "$0")/lib.sh"

SUBMIT_JOBS=true
[[ ${1:-} == --no-jobs ]] && SUBMIT_JOBS=false
SCENARIOS_DIR=$(cd "${SCENARIOS_DIR:-$LCM_ROOT/deploy/scenarios}" && pwd)
mkdir -p "$LCM_RUN"/{logs,pids,savepoints,secrets} "$LCM_LIB"

# --- jars: the jobs from this checkout, the processes from Maven Central -------------------------
if [[ -z $(job_jar decision) || -z $(job_jar delivery) ]]; then
    say "building the job jars (mvn package)"
    mvn -q -f "$LCM_ROOT/pom.xml" -DskipTests package
fi
for part in flink kafka smtp; do
    if [[ ! -f $LCM_LIB/$part/.complete ]]; then
        say "fetching the $part jars"
        rm -rf "$LCM_LIB/$part"
        mvn -q -f "$LCM_HERE/pom.xml" -P"$part" dependency:copy-dependencies -DincludeScope=runtime \
            -DoutputDirectory="$LCM_LIB/$part"
        touch "$LCM_LIB/$part/.complete"
    fi
done

# --- Kafka: one KRaft node, broker and controller ------------------------------------------------
mkdir -p "$KAFKA_DIR"
cat >"$KAFKA_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://localhost:$KAFKA_PORT,CONTROLLER://localhost:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://localhost:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=$TOPIC_PARTITIONS
# one node: every internal topic has one replica, or groups and transactions hang
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
cat >"$KAFKA_DIR/log4j2.properties" <<EOF
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
appender.file.type=File
appender.file.name=file
appender.file.fileName=$LCM_RUN/logs/kafka.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=%d{ISO8601} %-5p %c{1} - %m%n
EOF
if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
    say "formatting Kafka's storage"
    cluster_id=$(java -cp "$(classpath kafka)" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    java -cp "$(classpath kafka)" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
        kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" >"$LCM_RUN/logs/kafka-format.out"
fi
say "starting Kafka on $BOOTSTRAP"
start_kafka

# --- SMTP: GreenMail, mail kept in memory, listed over its REST API --------------------------------
say "starting the SMTP server on localhost:$SMTP_PORT (GreenMail API http://localhost:$SMTP_API_PORT/api/user)"
start_smtp

# --- Flink: the shipped cluster configuration, with local paths, slots for both jobs and metrics -
mkdir -p "$FLINK_CONF" "$LCM_RUN/flink"/{checkpoints,rocksdb,tmp}
local_settings=$(cat <<EOF
execution.checkpointing.interval: ${CHECKPOINT_INTERVAL:-10 s}
execution.checkpointing.min-pause: ${CHECKPOINT_MIN_PAUSE:-10 s}
execution.checkpointing.dir: file://$LCM_RUN/flink/checkpoints
execution.checkpointing.savepoint-dir: file://$LCM_RUN/savepoints
state.backend.rocksdb.localdir: $LCM_RUN/flink/rocksdb
io.tmp.dirs: $LCM_RUN/flink/tmp
jobmanager.rpc.address: localhost
jobmanager.rpc.port: ${JOBMANAGER_RPC_PORT:-6123}
jobmanager.bind-host: localhost
taskmanager.bind-host: localhost
taskmanager.host: localhost
rest.address: localhost
rest.bind-address: localhost
rest.port: $FLINK_REST_PORT
jobmanager.memory.process.size: 1024m
taskmanager.memory.process.size: 3g
taskmanager.numberOfTaskSlots: $((2 * JOB_PARALLELISM))
parallelism.default: $JOB_PARALLELISM
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: ${PROMETHEUS_PORTS:-9249-9259}
EOF
)
# The shipped configuration without the keys set here (YAML allows no key twice), then these.
overridden=$(sed 's/:.*//; s/\./\\./g' <<<"$local_settings" | paste -sd'|')
{
    grep -v -E "^($overridden):" "$LCM_ROOT/deploy/flink/config.yaml"
    printf '\n# --- deploy/local/up.sh: this machine (both jobs on one TaskManager) ---\n%s\n' "$local_settings"
} >"$FLINK_CONF/config.yaml"
cat >"$FLINK_CONF/log4j.properties" <<'EOF'
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
appender.file.type=File
appender.file.name=file
appender.file.fileName=${sys:log.file}
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=%d{ISO8601} %-5p %c{1} - %m%n
EOF
printf 'rootLogger.level=WARN\nrootLogger.appenderRef.console.ref=console\nappender.console.type=Console\nappender.console.name=console\nappender.console.layout.type=PatternLayout\nappender.console.layout.pattern=%%m%%n\n' \
    >"$FLINK_CONF/log4j-cli.properties"

say "starting the Flink JobManager (web UI http://localhost:$FLINK_REST_PORT)"
start_jobmanager
say "starting the Flink TaskManager"
start_taskmanager

wait_for_port kafka "$KAFKA_PORT" 90
wait_for_port smtp "$SMTP_PORT" 30
wait_for_port jobmanager "$FLINK_REST_PORT" 90

# --- topics, as deploy/kafka/topics.conf lists them -------------------------------------------
existing=$(java -cp "$(classpath kafka)" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list 2>/dev/null)
while read -r topic configs; do
    [[ -z $topic || $topic == \#* ]] && continue
    grep -qx "$topic" <<<"$existing" && continue
    args=()
    for config in $configs; do args+=(--config "$config"); done
    java -cp "$(classpath kafka)" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
        org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic "$topic" \
        --partitions "$TOPIC_PARTITIONS" --replication-factor 1 "${args[@]}" >/dev/null
    say "created topic $topic ($TOPIC_PARTITIONS partitions, $configs)"
done <"$LCM_ROOT/deploy/kafka/topics.conf"

# --- the jobs -------------------------------------------------------------------------------
# The TaskManager must have registered its slots before a submission can be scheduled.
for ((i = 0; i < 600; i++)); do
    curl -sf "http://localhost:$FLINK_REST_PORT/overview" | grep -q '"slots-total":[1-9]' && break
    running taskmanager || die "the TaskManager exited: see $LCM_RUN/logs/taskmanager.log"
    sleep 0.1
done
if [[ ! -f $LCM_RUN/secrets/token-key ]]; then # signs unsubscribe, open and click links
    (umask 077 && head -c 48 /dev/urandom | base64 -w0 >"$LCM_RUN/secrets/token-key")
fi
if $SUBMIT_JOBS; then
    # shellcheck disable=SC2086
    submit decision --scenarios.dir "$SCENARIOS_DIR" ${DECISION_OPTIONS:-}
    # shellcheck disable=SC2086
    submit delivery --smtp.host 127.0.0.1 --smtp.port "$SMTP_PORT" --smtp.security none \
        --tokens.secret-file "$LCM_RUN/secrets/token-key" ${DELIVERY_OPTIONS:-}
    running_jobs | sed 's/^/[local] running: /'
fi
say "up. Kafka $BOOTSTRAP, SMTP localhost:$SMTP_PORT, Flink http://localhost:$FLINK_REST_PORT; logs in $LCM_RUN/logs"
