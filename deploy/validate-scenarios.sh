#!/usr/bin/env bash
# Checks scenario YAML without running anything: ./deploy/validate-scenarios.sh [file-or-folder ...]
# Needs the decision job jar (mvn -q -DskipTests package builds it). Exit code 1 when a file is invalid.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=$(ls "$here"/../jobs/decision/target/decision-job-*-job.jar 2>/dev/null | head -n 1 || true)
if [ -z "$jar" ]; then
  echo "decision job jar not found: run 'mvn -q -DskipTests package' first" >&2
  exit 2
fi
[ $# -gt 0 ] || set -- "$here/scenarios"
exec java -cp "$jar" io.lifecyclemail.decision.scenario.ValidateScenarios "$@"
