#!/usr/bin/env bash
# The audit join's cost: wall time and peak RSS of grantsweep sweeping a large directory
# audit log beside a large sign-in log, and proof that a sweep without audit records is
# no slower than before the audit join.
#
#   bench/audit.sh [AUDIT_RECORDS] [SIGNIN_MB]   default 1000000 and 1024
#   bench/audit.sh same FILE [RUNS]               FILE swept by the grantsweep of BASE and by
#                                                 this checkout's, RUNS times each (default 5)
#
# The first form writes bench/data/audit.md: sweeps of the sign-ins alone, of the audit
# log alone, and of both (the join), each `sweep --format json -o FILE` under
# /usr/bin/time -v, with wall time, peak RSS, the audit records read, the change records
# the rule set keeps (the only audit state held: other activities are counted and
# dropped; counted from the partial the summary carries), the failures in scope and those
# a change explains. Every sweep runs under the default memory budget (64 MiB), which
# spills in-scope events but not change records (grouping needs them all at once); the
# join once more with --memory 8GiB, which spills nothing. Data (kept in bench/data/ between runs, named by size):
#   - gensamples -shape audit-monitor -records AUDIT_RECORDS: diagnostic-settings
#     AuditLogs lines of a real mix (most activities of no change kind, about one in ten
#     of one, every kind among them; targets 50,000 users, 20,000 devices, and now and then
#     the sign-in samples' people, whose failures the changes then explain);
#   - gensamples -shape lines, 3% in scope, SIGNIN_MB of Graph records one per line.
#
# The second form is what bench/compare.sh runs on its JSON Lines file: BASE (default
# 615886b, the last commit before the audit join's code, whose Event already has the join
# fields but nothing fills them) is built from `git archive` into bench/data/base/; each
# run alternates the two binaries on the page-cached FILE; it prints a Markdown table
# row: FILE, runs, median wall of BASE and of this checkout, now/base, and both peak RSS.
#
# Needs bash, coreutils, git, GNU time (/usr/bin/time) and Go.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/gnutime.sh
data=bench/data
mkdir -p "$data"

# measure ERRFILE COMMAND...: runs COMMAND under /usr/bin/time -v, its stdout dropped,
# its stderr into ERRFILE; sets rc, wall_cs (centiseconds) and rss_kb.
measure() {
  local err=$1 line h m s cs
  shift
  rc=0
  /usr/bin/time -v -o "$data/audit-time.txt" "$@" >/dev/null 2>"$err" || rc=$?
  read_gnu_time "$data/audit-time.txt"
}

# div A B [DIGITS]: A/B rounded to DIGITS decimals.
div() {
  local a=$1 b=$2 d=${3:-0} p=1 i q
  ((b != 0)) || b=1
  for ((i = 0; i < d; i++)); do p=$((p * 10)); done
  q=$(((a * p * 2 + b) / (2 * b)))
  if ((d == 0)); then echo "$q"; else printf '%d.%0*d\n' $((q / p)) "$d" $((q % p)); fi
}

# first NAME FILE: the first "NAME": N of a JSON summary (totals come first).
first() {
  grep -o "\"$1\": *[0-9]*" "$2" | head -1 | grep -o '[0-9]*$' || echo 0
}

# sum NAME FILE: the sum of every "NAME": N of a JSON summary (causes[].explained).
sum() {
  grep -o "\"$1\": *[0-9]*" "$2" | grep -o '[0-9]*$' | awk '{s += $1} END {print s + 0}'
}

build() {
  go build -o "$data/grantsweep" ./cmd/grantsweep
  go build -o "$data/gensamples" ./cmd/gensamples
}

same() {
  local file=$1 runs=${2:-5} base=${BASE:-615886b} i b n bw=() nw=() br=0 nr=0
  [[ -s $file ]] || { echo "audit.sh same: $file: no such file" >&2; exit 2; }
  go build -o "$data/grantsweep" ./cmd/grantsweep
  if [[ ! -x $data/base/grantsweep || $(cat "$data/base/rev" 2>/dev/null) != "$(git rev-parse "$base")" ]]; then
    rm -rf "$data/base" && mkdir -p "$data/base/src"
    git archive "$base" | tar -x -C "$data/base/src"
    (cd "$data/base/src" && go build -o ../grantsweep ./cmd/grantsweep)
    git rev-parse "$base" >"$data/base/rev"
  fi
  cat "$file" >/dev/null
  for ((i = 0; i < runs; i++)); do
    for b in base now; do
      if [[ $b == base ]]; then
        measure "$data/audit-stderr.txt" "$data/base/grantsweep" sweep --format json -o /dev/null "$file"
      else
        measure "$data/audit-stderr.txt" "$data/grantsweep" sweep --format json -o /dev/null "$file"
      fi
      ((rc == 0)) || { echo "audit.sh same: $b failed (exit $rc): $(head -c 300 "$data/audit-stderr.txt")" >&2; exit 1; }
      if [[ $b == base ]]; then bw+=("$wall_cs"); ((rss_kb > br)) && br=$rss_kb; else nw+=("$wall_cs"); ((rss_kb > nr)) && nr=$rss_kb; fi
    done
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  b=$(median "${bw[@]}") n=$(median "${nw[@]}")
  echo "| $(basename "$file") | $runs | $(div "$b" 100 2) | $(div "$n" 100 2) | $(div "$n" "$b" 2) | $(div "$br" 1024 1) | $(div "$nr" 1024 1) |"
}

join() {
  local audit=${1:-1000000} mb=${2:-1024} records afile sfile out name args
  build
  records=$((mb * 645)) # about 1.55 KB per Graph record
  afile=$data/audit-$audit.json
  sfile=$data/lines-${mb}m.jsonl
  [[ -s $afile ]] || { echo "generating $afile" >&2; "$data/gensamples" -shape audit-monitor -records "$audit" -o "$afile"; }
  [[ -s $sfile ]] || { echo "generating $sfile" >&2; "$data/gensamples" -shape lines -records "$records" -inscope 0.03 -o "$sfile"; }
  cat "$afile" "$sfile" >/dev/null
  out=$data/audit-summary.json
  {
    echo "Audit join: $(div "$(stat -c %s "$afile")" 1000000) MB of $audit audit records (\`gensamples -shape audit-monitor\`) beside $(div "$(stat -c %s "$sfile")" 1000000) MB of sign-ins ($records records, 3% in scope), $(nproc) cores, $(go version | cut -d' ' -f3)."
    echo
    echo "| sweep | wall (s) | peak RSS (MiB) | audit records | change records kept | in scope | explained |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for name in sign-ins audit join join-8GiB; do
      case $name in
      sign-ins) args=("$sfile") ;;
      audit) args=("$afile") ;;
      join) args=("$afile" "$sfile") ;;
      join-8GiB) args=(--memory 8GiB "$afile" "$sfile") ;;
      esac
      mkdir -p "$data/spill"
      measure "$data/audit-stderr.txt" "$data/grantsweep" sweep --format json --spill-dir "$data/spill" -o "$out" "${args[@]}"
      if ((rc != 0)); then
        echo "| $name | failed (exit $rc: $(head -c 120 "$data/audit-stderr.txt" | tr '\n|' '  ')) | | | | | |"
        continue
      fi
      echo "| $name | $(div "$wall_cs" 100 2) | $(div "$rss_kb" 1024 1) | $(first audit_records "$out") | $(changes "$out") | $(first in_scope "$out") | $(sum explained "$out") |"
    done
  } | tee "$data/audit.md"
}

# changes FILE: the change records a partial summary carries (its "changes" rows).
changes() {
  awk '/"changes": *\[/ {on = 1; next} on && /^ *\[/ {n++} on && /^ *\]/ {on = 0} END {print n + 0}' "$1"
}

case ${1:-} in
same) shift; same "$@" ;;
*) join "$@" ;;
esac
