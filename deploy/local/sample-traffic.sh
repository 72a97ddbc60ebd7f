#!/usr/bin/env bash
# Writes the quickstart's sample shop traffic (profiles, clicks, orders, stock; four days from
# 2026-11-02) to the local cluster's Kafka, then shows what the jobs made of it so far.
#
#   deploy/local/sample-traffic.sh [customers]      (default 300)
source "$(dirname "$0")/lib.sh"
running kafka || die "the local cluster is not up: deploy/local/up.sh"
mvn -q -f "$LCM_ROOT/pom.xml" -pl jobs/quickstart -am -Pquickstart -DskipTests install \
    -Dquickstart.args="--produce-to $BOOTSTRAP --customers ${1:-300}"
say "waiting 30 s for a checkpoint or two (output to Kafka is committed on checkpoints)"
sleep 30
"$LCM_HERE/status.sh"
