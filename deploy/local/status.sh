#!/usr/bin/env bash
# What the local cluster is doing: processes, jobs, and the engine's counters from the
# Prometheus endpoints (decisions by outcome, mails accepted, dead letters, late events).
source "$(dirname "$0")/lib.sh"
for name in kafka smtp jobmanager taskmanager; do
    if running "$name"; then say "$name: running (pid $(cat "$(pid_file "$name")"))"; else say "$name: not running"; fi
done
running jobmanager || exit 0
running_jobs | sed 's/^/[local] job running: /'
# Sums a metric over every subtask of every reporting process; by the label given, if any.
metric() { # name [label]
    local range=${PROMETHEUS_PORTS:-9249-9259}
    for port in $(seq "${range%-*}" "${range#*-}"); do
        curl -sf "http://localhost:$port/metrics" 2>/dev/null || true
    done | awk -v name="flink_taskmanager_job_task_operator_$1" -v label="${2:-}" '
        index($0, name "{") == 1 {
            key = "total"
            if (label != "" && match($0, label "=\"[^\"]*\"")) key = substr($0, RSTART + length(label) + 2, RLENGTH - length(label) - 3)
            sums[key] += $NF
        }
        END { for (key in sums) printf "%s=%d ", key, sums[key]; print "" }'
}
say "decisions by outcome: $(metric outcome_rule_decisions outcome)"
say "mails accepted by the SMTP server: $(metric mailsAccepted)"
say "dead letters: $(metric deadLetters)"
say "late events: $(metric lateEvents), too late: $(metric tooLateEvents)"
