#!/usr/bin/env bash
# Stops what deploy/local/up.sh started: each running job with a savepoint (the next up.sh
# resumes from it), then the TaskManager, the JobManager, the SMTP server and Kafka.
#
#   deploy/local/down.sh [--discard-state]   --discard-state: cancel the jobs and delete all data
source "$(dirname "$0")/lib.sh"

DISCARD=false
[[ ${1:-} == --discard-state ]] && DISCARD=true

if running jobmanager && running taskmanager; then
    while read -r id name; do
        [[ -z $id ]] && continue
        job=${name##* }                          # "lifecycle-mail decision" -> decision
        if $DISCARD; then
            flink_cli cancel "$id" >/dev/null && say "cancelled $name ($id)"
            continue
        fi
        say "stopping $name ($id) with a savepoint"
        output=$(flink_cli stop --type canonical --savepointPath "$LCM_RUN/savepoints" "$id" 2>&1) \
            || die "stop-with-savepoint of $name failed (the job keeps running): $output"
        path=$(sed -n 's/^Savepoint completed\. Path: //p' <<<"$output")
        echo "$path" >"$LCM_RUN/savepoints/$job.latest"
        say "savepoint of $name: $path"
    done <<<"$(running_jobs)"
fi

stop_process taskmanager
stop_process jobmanager
stop_process smtp 10
stop_process kafka 60
if $DISCARD; then
    rm -rf "$LCM_RUN"/{kafka,flink,savepoints,secrets}
    say "state discarded (the logs in $LCM_RUN/logs and the fetched jars in $LCM_LIB stay)"
fi
say "down."
