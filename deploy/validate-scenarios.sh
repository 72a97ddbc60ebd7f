#!/usr/bin/env bash
# Checks scenario YAML without running anything: ./deploy/validate-scenarios.sh [file-or-folder ...]
# Without arguments it checks deploy/scenarios and deploy/templates (see deploy/templates.sh).
# Needs the decision job jar (mvn -q -DskipTests package builds it). Exit code 1 when a file is invalid.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=$(ls "$here"/../jobs/decision/target/decision-job-*-job.jar 2>/dev/null | head -n 1 || true)
if [ -z "$jar" ]; then
  echo "decision job jar not found: run 'mvn -q -DskipTests package' first" >&2
  exit 2
fi
if [ $# -gt 0 ]; then
  exec java -cp "$jar" io.lifecyclemail.decision.scenario.ValidateScenarios "$@"
fi
# no arguments: the shipped scenarios, then the shipped templates (languages, values, footer)
status=0
java -cp "$jar" io.lifecyclemail.decision.scenario.ValidateScenarios "$here/scenarios" || status=$?
"$here/templates.sh" validate "--folder=$here/templates" || status=$?
exit $status
