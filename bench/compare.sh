#!/usr/bin/env bash
# grantsweep beside its peers on the same files, in one sitting, on this machine:
# DuckDB (through github.com/duckdb/duckdb-go/v2, the bench/duckdb module), jq, grep -c,
# cat and zcat. Writes bench/RESULTS.md.
#
#   bench/compare.sh [GB]      (default 1; generated data is kept in bench/data/)
#   RECORDS=20000 bench/compare.sh   (a small run, to check the script: files of that many records)
#
# DuckDB runs two queries on each file: the same question grantsweep answers (the query of
# grantsweep rules export --sql: every record classified by cause, de-duplicated, every cause,
# family and the by_app, by_user, by_ip and by_client tables; its in-scope count is checked
# against grantsweep's), and, as the floor, a count of in-scope failures and distinct users
# per error code from two columns. grep -c counts one code; cat and zcat only read.
# Generated data has a tenant's cardinality (gensamples -cardinality: 5,000 users, 300 apps,
# 800 IP addresses).
set -euo pipefail
cd "$(dirname "$0")/.."
gb=${1:-1}
data=bench/data
mkdir -p "$data"
records=${RECORDS:-$((gb * 660000))}
card=${CARDINALITY:-5000,300,800}

echo "building" >&2
go build -o "$data/grantsweep" ./cmd/grantsweep
go build -o "$data/gensamples" ./cmd/gensamples
(cd bench/duckdb && go build -o ../data/duckdb .)

make_file() { # shape records file [gensamples flags...]
  [[ -s $data/$3 ]] || { echo "generating $3" >&2; "$data/gensamples" -shape "$1" -records "$2" -inscope 0.03 -cardinality "$card" -o "$data/$3" "${@:4}"; }
}
tag=${records}r-${card//,/-} # names say the records and the cardinality: no stale file is reused
lines=lines-$tag.jsonl
array=array-$tag.json
graph=graph-$tag.json # the same records as $array, as one Graph page
pq=flat-$tag.parquet     # 2,000-row groups: many row groups, much metadata
pqrg=flat-$tag-rg.parquet # 122,880-row groups, as DuckDB writes them (Spark: 128 MB)
make_file lines "$records" "$lines"
make_file graph-array "$records" "$array"
make_file graph-v1 "$records" "$graph"
make_file parquet-flat "$records" "$pq"
make_file parquet-flat "$records" "$pqrg" -rowgroup 122880
[[ -s $data/$lines.gz ]] || gzip -1 -c "$data/$lines" > "$data/$lines.gz"
# A Parquet file written by DuckDB itself, as a lake export is: Log Analytics column names
# with the dynamic columns as JSON text (gensamples -shape la-text), dictionary pages,
# snappy, DuckDB's 122,880-row groups.
dpq=duckdb-written-$tag.parquet
if [[ ! -s $data/$dpq ]]; then
  make_file la-text "$records" "la-text-$tag.json"
  echo "writing $dpq with DuckDB" >&2
  "$data/duckdb" "COPY (SELECT * FROM read_json_auto('$data/la-text-$tag.json')) TO '$data/$dpq' (FORMAT parquet, ROW_GROUP_SIZE 122880)" >/dev/null
fi

codes=$("$data/grantsweep" rules export --kql | sed -n 's/^| where Code in (\(.*\))$/\1/p')
qcodes=$(echo "$codes" | sed "s/\([0-9][0-9]*\)/'\1'/g")
cols="columns={status: 'STRUCT(errorCode BIGINT)', userPrincipalName: 'VARCHAR'}"
declare -A duck=(
  [$lines]="SELECT status.errorCode, count(*), count(DISTINCT userPrincipalName) FROM read_json('$data/$lines', format='newline_delimited', $cols) WHERE status.errorCode IN ($codes) GROUP BY ALL"
  [$array]="SELECT status.errorCode, count(*), count(DISTINCT userPrincipalName) FROM read_json('$data/$array', format='array', $cols) WHERE status.errorCode IN ($codes) GROUP BY ALL"
  [$lines.gz]="SELECT status.errorCode, count(*), count(DISTINCT userPrincipalName) FROM read_json('$data/$lines.gz', format='newline_delimited', compression='gzip', $cols) WHERE status.errorCode IN ($codes) GROUP BY ALL"
  [$pq]="SELECT ResultType, count(*), count(DISTINCT UserPrincipalName) FROM read_parquet('$data/$pq') WHERE ResultType IN ($qcodes) GROUP BY ALL"
  [$pqrg]="SELECT ResultType, count(*), count(DISTINCT UserPrincipalName) FROM read_parquet('$data/$pqrg') WHERE ResultType IN ($qcodes) GROUP BY ALL"
  [$dpq]="SELECT ResultType, count(*), count(DISTINCT UserPrincipalName) FROM read_parquet('$data/$dpq') WHERE CAST(ResultType AS VARCHAR) IN ($qcodes) GROUP BY ALL"
)

# The same question: grantsweep's own export, reading each file in its shape.
export_sql() { # shape from
  "$data/grantsweep" rules export --sql --shape "$1" --from "$2"
}
# The columns the query reads, typed, as for the two-column count: DuckDB's JSON reader
# then skips the rest instead of inferring every nested field.
gcols="columns={id: 'VARCHAR', createdDateTime: 'VARCHAR', userPrincipalName: 'VARCHAR', userId: 'VARCHAR', appDisplayName: 'VARCHAR', appId: 'VARCHAR', ipAddress: 'VARCHAR', location: 'STRUCT(countryOrRegion VARCHAR)', clientAppUsed: 'VARCHAR', isInteractive: 'VARCHAR', status: 'STRUCT(errorCode BIGINT, failureReason VARCHAR, additionalDetails VARCHAR)'}"
declare -A same=(
  [$lines]=$(export_sql graph "read_json('$data/$lines', format='newline_delimited', $gcols)")
  [$array]=$(export_sql graph "read_json('$data/$array', format='array', $gcols)")
  [$lines.gz]=$(export_sql graph "read_json('$data/$lines.gz', format='newline_delimited', compression='gzip', $gcols)")
  [$pq]=$(export_sql log-analytics "read_parquet('$data/$pq')")
  [$pqrg]=$(export_sql log-analytics "read_parquet('$data/$pqrg')")
  [$dpq]=$(export_sql log-analytics "read_parquet('$data/$dpq')")
)

# run NAME FILE CMD...: time one command with /usr/bin/time -v; prints "seconds rss_kib".
run() {
  local out=$data/time.txt
  /usr/bin/time -v "${@:3}" > "$data/out.txt" 2> "$out" || { echo "$1 failed on $2:" >&2; tail -5 "$out" >&2; echo "- -"; return; }
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; w=s}
              /Maximum resident set size/ {r=$2} END {print w, r}' "$out"
}

rows=()
row() { # tool file bytes seconds rss duck_same_seconds duck_count_seconds
  local mbs same floor
  if [[ $4 == - ]]; then rows+=("| $1 | $2 | failed | | | | |"); return; fi
  mbs=$(awk -v b="$3" -v s="$4" 'BEGIN { printf "%.0f", b/1e6/(s>0?s:0.001) }')
  same=$(awk -v s="$4" -v d="$6" 'BEGIN { if (d > 0 && s > 0) printf "%.2fx", d/s; else print "" }')
  floor=$(awk -v s="$4" -v d="$7" 'BEGIN { if (d > 0 && s > 0) printf "%.2fx", d/s; else print "" }')
  rows+=("| $1 | $2 | $4 | $mbs | $same | $floor | $(awk -v r="$5" 'BEGIN { printf "%.0f", r/1024 }') |")
}

# in_scope FILE: the in-scope events of DuckDB's same-question run (the wrapper prints the
# first rows on stderr: the first is in_scope) and of grantsweep's JSON summary.
duck_in_scope() { awk -F'\t' '$2 == "in_scope" { print $8; exit }' "$data/time.txt"; }
gs_in_scope() { "$data/grantsweep" sweep --format json "$1" | sed -n 's/^ *"in_scope": *\([0-9]*\).*/\1/p' | head -1; }

for f in "$lines" "$array" "$graph" "$lines.gz" "$pq" "$pqrg" "$dpq"; do
  path=$data/$f
  size=$(stat -c %s "$path")
  [[ $f == *.gz ]] && content=$(gzip -dc "$path" | wc -c) || content=$size
  cat "$path" > /dev/null # warm the page cache for every tool alike
  if [[ $f == "$graph" ]]; then
    qs=$array_qs ds=$array_ds # DuckDB cannot read a 1 GB page as one object: compared with it on the array
  else
    read -r qs qr < <(run duckdb "$f" "$data/duckdb" "${same[$f]}")
    dq=$(duck_in_scope) gq=$(gs_in_scope "$path")
    if [[ $qs != - && $dq != "$gq" ]]; then
      echo "DuckDB's same question on $f: $dq in scope, grantsweep $gq: not the same question" >&2
      exit 1
    fi
    row "DuckDB, same question" "$f" "$content" "$qs" "$qr" "$qs" ""
    read -r ds dr < <(run duckdb "$f" "$data/duckdb" "${duck[$f]}")
    row "DuckDB, two-column count" "$f" "$content" "$ds" "$dr" "" "$ds"
  fi
  [[ $f == "$array" ]] && array_qs=$qs array_ds=$ds
  read -r gs gr < <(run grantsweep "$f" "$data/grantsweep" sweep --format json -o /dev/null "$path")
  row "grantsweep" "$f" "$content" "$gs" "$gr" "$qs" "$ds"
  read -r g1 r1 < <(run grantsweep1 "$f" "$data/grantsweep" sweep --workers 1 --format json -o /dev/null "$path")
  row "grantsweep --workers 1" "$f" "$content" "$g1" "$r1" "$qs" "$ds"
  case $f in
  *.gz)
    read -r zs zr < <(run zcat "$f" sh -c "zcat '$path' > /dev/null")
    row "zcat" "$f" "$content" "$zs" "$zr" "$qs" "$ds" ;;
  *.parquet) ;;
  *)
    read -r cs cr < <(run cat "$f" sh -c "cat '$path' > /dev/null")
    row "cat" "$f" "$content" "$cs" "$cr" "$qs" "$ds"
    read -r gs2 gr2 < <(run grep "$f" grep -c '"errorCode":70000' "$path")
    row "grep -c" "$f" "$content" "$gs2" "$gr2" "$qs" "$ds"
    if [[ $f == "$lines" ]] && command -v jq >/dev/null; then
      head -c 200000000 "$path" | head -n -1 > "$data/jq-sample.jsonl" || true
      js=$(stat -c %s "$data/jq-sample.jsonl")
      read -r jqs jqr < <(run jq "$f" sh -c "jq -c 'select(.status.errorCode != 0) | .status.errorCode' '$data/jq-sample.jsonl' | sort | uniq -c")
      row "jq (first 200 MB)" "$f" "$js" "$jqs" "$jqr" "" ""
    fi ;;
  esac
done

# ---- Audit join (issue 15): a sweep without audit records is no slower than before ----
# The same command on the same JSON Lines file by the grantsweep of the last commit before
# the audit join's code (BASE, default 615886b) and by this checkout's, alternately, five
# times each (bench/audit.sh same). Its rows go at the end of RESULTS.md, with the audit
# join's own table when bench/audit.sh was run.
audit_same=$(bash bench/audit.sh same "$data/$lines" 5)
audit_block() {
  echo
  echo "A sweep without audit records, before the audit join and now (\`bench/audit.sh same\`, medians):"
  echo
  echo "| input | runs | before (s) | now (s) | now/before | before RSS (MiB) | now RSS (MiB) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  echo "$audit_same"
  echo
  echo "Audit join at scale (from \`bench/audit.sh\`: by default 1,000,000 audit records beside 1 GB of sign-ins; its first line says the run's):"
  echo
  cat "$data/audit.md" 2>/dev/null || echo "(run bench/audit.sh first)"
}
# ---- end of the audit join block ----

{
  echo "# grantsweep beside its peers"
  echo
  echo "Measured $(date -u +%F) on this machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB, $(go version | cut -d' ' -f3)."
  echo "Data: \`gensamples -cardinality $card\` (users, apps, IP addresses) with ${records} records per file, 3% in scope (\`RECORDS=$records bench/compare.sh\`)."
  echo "MB/s is of uncompressed content; each \"vs\" column is DuckDB's time over the tool's (higher is faster):"
  echo "\"vs same question\" against DuckDB running grantsweep's own query (\`rules export --sql\`: every cause,"
  echo "family and the main tables, de-duplicated; its in-scope count checked equal to grantsweep's),"
  echo "\"vs two-column count\" against DuckDB counting in-scope events and users per code (the floor)."
  echo "grep -c counts one code; cat and zcat only read."
  echo "$graph holds the records of $array as one Graph page; its \"vs DuckDB\" is against DuckDB on $array"
  echo "(the same records, so the time ratio is the ratio of records per second)."
  echo
  echo "| tool | input | seconds | MB/s | vs same question | vs two-column count | peak RSS (MiB) |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Multi-GB inputs (from \`bench/memory.sh\`, same day):"
  echo
  cat "$data/memory.md" 2>/dev/null || echo "(run bench/memory.sh 5 first)"
  cat bench/ANALYSIS.md
  audit_block # the audit join block above
} > bench/RESULTS.md.new
mv bench/RESULTS.md.new bench/RESULTS.md
cat bench/RESULTS.md
