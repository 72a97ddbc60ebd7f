#!/usr/bin/env bash
# Stops one process of the local cluster and starts it again: what a machine failure and its
# replacement look like to the rest. The fault suite (docs/reliability.md) uses it.
#
#   deploy/local/restart.sh <kafka|smtp|jobmanager|taskmanager> [--kill] [--down-for <seconds>]
#     --kill          SIGKILL (a crash) instead of SIGTERM (a clean stop)
#     --down-for N    wait N seconds before starting it again
source "$(dirname "$0")/lib.sh"
name=${1:?which process: kafka, smtp, jobmanager or taskmanager}
shift
kill_it=false down_for=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --kill) kill_it=true ;;
        --down-for) down_for=$2; shift ;;
        *) die "unknown argument $1" ;;
    esac
    shift
done
if $kill_it && running "$name"; then
    kill -9 "$(cat "$(pid_file "$name")")"
    sleep 0.5
    rm -f "$(pid_file "$name")"
    say "killed $name"
else
    stop_process "$name"
fi
sleep "$down_for"
"start_$name"
case $name in
    kafka) wait_for_port kafka "$KAFKA_PORT" 90 ;;
    smtp) wait_for_port smtp "$SMTP_PORT" 30 ;;
    jobmanager) wait_for_port jobmanager "$FLINK_REST_PORT" 90 ;;
esac
say "started $name again"
