# Shared by the local cluster scripts (sourced, not run). Everything lives under $LCM_RUN
# (default deploy/local/run): jars, configuration, data, logs, pids, savepoints.
set -euo pipefail

LCM_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LCM_ROOT=$(cd "$LCM_HERE/../.." && pwd)
LCM_RUN=${LCM_RUN:-$LCM_HERE/run}
LCM_LIB=${LCM_LIB:-$LCM_RUN/lib}          # the fetched jars; several runs may share them
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
SMTP_PORT=${SMTP_PORT:-3025}
SMTP_API_PORT=${SMTP_API_PORT:-8083}
FLINK_REST_PORT=${FLINK_REST_PORT:-8081}
TOPIC_PARTITIONS=${TOPIC_PARTITIONS:-2}
JOB_PARALLELISM=${JOB_PARALLELISM:-2}
BOOTSTRAP=localhost:$KAFKA_PORT
FLINK_CONF=$LCM_RUN/flink/conf
KAFKA_DIR=$LCM_RUN/kafka

say() { printf '[local] %s\n' "$*"; }
die() { printf '[local] error: %s\n' "$*" >&2; exit 1; }

# The Java module openings Flink needs on Java 17, from the cluster configuration.
java_opts() { sed -n 's/^env\.java\.opts\.all: *//p' "$LCM_ROOT/deploy/flink/config.yaml"; }

classpath() { echo "$LCM_LIB/$1/*"; }

pid_file() { echo "$LCM_RUN/pids/$1.pid"; }

running() { # name
    local file; file=$(pid_file "$1")
    [[ -f $file ]] && kill -0 "$(cat "$file")" 2>/dev/null
}

# Starts a process in the background with its output in logs/<name>.out and its pid in pids/<name>.pid.
start_process() { # name command...
    local name=$1; shift
    mkdir -p "$LCM_RUN/logs" "$LCM_RUN/pids"
    if running "$name"; then
        say "$name is already running (pid $(cat "$(pid_file "$name")"))"
        return
    fi
    nohup "$@" >"$LCM_RUN/logs/$name.out" 2>&1 </dev/null &
    echo $! >"$(pid_file "$name")"
}

# SIGTERM (each process shuts down cleanly on it), then SIGKILL after a grace period.
stop_process() { # name [grace seconds]
    local name=$1 grace=${2:-30} file pid
    file=$(pid_file "$name")
    [[ -f $file ]] || return 0
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for ((i = 0; i < grace * 10; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            say "$name did not stop within ${grace}s: killing it"
            kill -9 "$pid" 2>/dev/null || true
        fi
        say "stopped $name"
    fi
    rm -f "$file"
}

wait_for_port() { # name port seconds
    local name=$1 port=$2 seconds=${3:-60}
    for ((i = 0; i < seconds * 10; i++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        running "$name" || die "$name exited while starting: see $LCM_RUN/logs/$name.out"
        sleep 0.1
    done
    die "$name is not listening on $port after ${seconds}s: see $LCM_RUN/logs/$name.out"
}

# Flink's command line, configured for this cluster.
flink_cli() {
    # shellcheck disable=SC2046
    FLINK_CONF_DIR=$FLINK_CONF java $(java_opts) -cp "$(classpath flink)" \
        -Dlog4j.configurationFile="$FLINK_CONF/log4j-cli.properties" \
        org.apache.flink.client.cli.CliFrontend "$@"
}

# The jobs in state RUNNING: "<id> <name>" per line.
running_jobs() {
    flink_cli list -r 2>/dev/null | sed -n 's/^.* : \([0-9a-f]\{32\}\) : \(.*\) (RUNNING)$/\1 \2/p'
}

# --- the processes, once up.sh has written their configuration (restart.sh uses these too) ---
start_kafka() {
    start_process kafka java -Xmx512m -cp "$(classpath kafka)" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
        kafka.Kafka "$KAFKA_DIR/server.properties"
}

start_smtp() {
    start_process smtp java -Xmx256m -Dgreenmail.smtp.hostname=127.0.0.1 -Dgreenmail.smtp.port="$SMTP_PORT" \
        -Dgreenmail.api.hostname=127.0.0.1 -Dgreenmail.api.port="$SMTP_API_PORT" -Dgreenmail.auth.disabled \
        -jar "$(ls "$LCM_LIB"/smtp/greenmail-standalone-*.jar)"
}

# Memory settings computed as Flink's own start scripts do (BashJavaUtils): JVM options, then -D options.
resource_params() { # GET_JM_RESOURCE_PARAMS | GET_TM_RESOURCE_PARAMS
    java -cp "$(classpath flink)" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$FLINK_CONF" \
        2>/dev/null | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

start_flink_process() { # name entrypoint params-kind
    local name=$1 entrypoint=$2 params jvm dynamic
    params=$(resource_params "$3")
    jvm=$(sed -n 1p <<<"$params")
    dynamic=$(sed -n 2p <<<"$params")
    # shellcheck disable=SC2086,SC2046
    start_process "$name" java $jvm $(java_opts) -cp "$(classpath flink)" -Dlog.file="$LCM_RUN/logs/$name.log" \
        -Dlog4j.configurationFile="$FLINK_CONF/log4j.properties" "$entrypoint" --configDir "$FLINK_CONF" $dynamic
}

start_jobmanager() {
    start_flink_process jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint GET_JM_RESOURCE_PARAMS
}

start_taskmanager() {
    start_flink_process taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner GET_TM_RESOURCE_PARAMS
}

job_jar() { ls "$LCM_ROOT"/jobs/"$1"/target/"$1"-job-*-job.jar 2>/dev/null | head -1; }

# Submits a job (decision or delivery) with its options, from the savepoint down.sh noted, if any.
submit() { # job name, then its options
    local job=$1; shift
    local name savepoint=() running
    running=$(running_jobs)
    if grep -q "lifecycle-mail $job\$" <<<"$running"; then
        say "the $job job is already running"
        return
    fi
    if [[ -f $LCM_RUN/savepoints/$job.latest ]]; then
        savepoint=(--fromSavepoint "$(cat "$LCM_RUN/savepoints/$job.latest")")
        say "submitting the $job job from its savepoint ${savepoint[1]}"
    else
        say "submitting the $job job"
    fi
    flink_cli run -d "${savepoint[@]}" "$(job_jar "$job")" --kafka.bootstrap-servers "$BOOTSTRAP" "$@" \
        >"$LCM_RUN/logs/submit-$job.out" 2>&1 || die "submitting the $job job failed: see $LCM_RUN/logs/submit-$job.out"
    rm -f "$LCM_RUN/savepoints/$job.latest"
}
