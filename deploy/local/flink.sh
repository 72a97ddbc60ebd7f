#!/usr/bin/env bash
# Flink's command line for the local cluster: deploy/local/flink.sh list, stop, cancel, run ...
source "$(dirname "$0")/lib.sh"
flink_cli "$@"
