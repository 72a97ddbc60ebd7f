#!/usr/bin/env bash
# Mail templates for marketers:
#   ./deploy/templates.sh validate [--folder=deploy/templates] [--locales=en,ja,ko,zh-CN]
#   ./deploy/templates.sh preview <template> <locale> [output folder] [--folder=deploy/templates]
# Needs the delivery job jar (mvn -q -DskipTests package builds it). validate exits 1 when a file is invalid.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=$(ls "$here"/../jobs/delivery/target/delivery-job-*-job.jar 2>/dev/null | head -n 1 || true)
# the job jar leaves logging to Flink; the tracking service's jar brings slf4j, which Avro needs
logging=$(ls "$here"/../services/tracking/target/tracking-service-*-service.jar 2>/dev/null | head -n 1 || true)
if [ -z "$jar" ] || [ -z "$logging" ]; then
  echo "delivery job or tracking service jar not found: run 'mvn -q -DskipTests package' first" >&2
  exit 2
fi
[ $# -gt 0 ] || set -- validate "--folder=$here/templates"
exec java -cp "$jar:$logging" io.lifecyclemail.delivery.mail.TemplatesTool "$@"
