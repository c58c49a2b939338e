#!/usr/bin/env bash
# Checks grantsweep's KQL export with Kusto.Language (@kusto/language-service-next, the
# parser behind the Logs blade) against the SigninLogs and AADNonInteractiveUserSignInLogs
# schemas (schemas.js): the default rules and a user rule file, with --since as a duration
# and as a time, must give no diagnostic; and a query broken on purpose must give one, so
# that a check that cannot fail fails. Needs node and npm (installs the package here, in
# node_modules, from package-lock.json: once, then cached); fails without them.
#
#   bench/kusto/check.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "kusto check: $tool is missing (install nodejs and npm)" >&2; exit 1; }
done
stamp=$here/node_modules/.installed-from-lock
if ! cmp -s "$here/package-lock.json" "$stamp" 2>/dev/null; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json "$stamp")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/grantsweep" ./cmd/grantsweep)
gs=$work/grantsweep
user=$root/rules/testdata/engines-extend.yaml
"$gs" rules export --kql > "$work/default.kql"
"$gs" rules export --kql --since 2w > "$work/default-2w.kql"
"$gs" rules export --kql --since 36h > "$work/default-36h.kql"
"$gs" rules export --kql --since 2026-11-24T08:00:00.25Z > "$work/default-at.kql"
"$gs" rules export --kql --since 7d --rules "$user" > "$work/user-extend.kql"
node "$here/check.js" "$work"/*.kql

# The controls: the same query with a column that neither table has, with the casts
# before the union taken out (the bug of KS142), and with a column AuditLogs lacks in the
# audit join, must each be refused.
sed 's/ResultDescription/ResultDescriptionX/' "$work/default.kql" > "$work/broken-column.kql"
sed -E 's/ \| extend Status = tostring\(Status\)(, [A-Za-z]+ = tostring\([A-Za-z]+\))*\)/)/' "$work/default.kql" > "$work/broken-union.kql"
sed 's/mv-expand Target = TargetResources$/mv-expand Target = TargetResource/' "$work/default.kql" > "$work/broken-audit.kql"
for q in broken-column broken-union broken-audit; do
  if cmp -s "$work/default.kql" "$work/$q.kql"; then
    echo "kusto check: the control $q.kql is the query unbroken (the export changed: update the control)" >&2
    exit 1
  fi
  if node "$here/check.js" "$work/$q.kql" > "$work/$q.out"; then
    echo "kusto check: the control $q.kql passed: the check cannot fail" >&2
    exit 1
  fi
  grep -q 'KS142' "$work/$q.out" || { echo "kusto check: $q.kql failed without KS142:" >&2; cat "$work/$q.out" >&2; exit 1; }
done
echo "kusto check: ok (the controls with an unknown column, without the casts and with an unknown AuditLogs column fail with KS142)"
