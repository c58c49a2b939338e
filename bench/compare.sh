#!/usr/bin/env bash
# grantsweep beside its peers on the same files, in one sitting, on this machine:
# DuckDB (through github.com/duckdb/duckdb-go/v2, the bench/duckdb module), jq, grep -c,
# cat and zcat. Writes bench/RESULTS.md.
#
#   bench/compare.sh [GB]      (default 1; generated data is kept in bench/data/)
#
# Every tool answers the same question where it can: how many in-scope failures per
# error code and how many distinct users. grantsweep does more (every cause, every table).
set -euo pipefail
cd "$(dirname "$0")/.."
gb=${1:-1}
data=bench/data
mkdir -p "$data"
records=$((gb * 660000))

echo "building" >&2
go build -o "$data/grantsweep" ./cmd/grantsweep
go build -o "$data/gensamples" ./cmd/gensamples
(cd bench/duckdb && go build -o ../data/duckdb .)

make_file() { # shape records file [gensamples flags...]
  [[ -s $data/$3 ]] || { echo "generating $3" >&2; "$data/gensamples" -shape "$1" -records "$2" -inscope 0.03 -o "$data/$3" "${@:4}"; }
}
lines=lines-${gb}g.jsonl
array=array-${gb}g.json
graph=graph-${gb}g.json # the same records as $array, as one Graph page
pq=flat-${gb}g.parquet     # 2,000-row groups: many row groups, much metadata
pqrg=flat-${gb}g-rg.parquet # 122,880-row groups, as DuckDB writes them (Spark: 128 MB)
make_file lines "$records" "$lines"
make_file graph-array "$records" "$array"
make_file graph-v1 "$records" "$graph"
make_file parquet-flat "$records" "$pq"
make_file parquet-flat "$records" "$pqrg" -rowgroup 122880
[[ -s $data/$lines.gz ]] || gzip -1 -c "$data/$lines" > "$data/$lines.gz"

codes=$("$data/grantsweep" rules export --kql | sed -n 's/^| where Code in (\(.*\))$/\1/p')
qcodes=$(echo "$codes" | sed "s/\([0-9][0-9]*\)/'\1'/g")
cols="columns={status: 'STRUCT(errorCode BIGINT)', userPrincipalName: 'VARCHAR'}"
declare -A duck=(
  [$lines]="SELECT status.errorCode, count(*), count(DISTINCT userPrincipalName) FROM read_json('$data/$lines', format='newline_delimited', $cols) WHERE status.errorCode IN ($codes) GROUP BY ALL"
  [$array]="SELECT status.errorCode, count(*), count(DISTINCT userPrincipalName) FROM read_json('$data/$array', format='array', $cols) WHERE status.errorCode IN ($codes) GROUP BY ALL"
  [$lines.gz]="SELECT status.errorCode, count(*), count(DISTINCT userPrincipalName) FROM read_json('$data/$lines.gz', format='newline_delimited', compression='gzip', $cols) WHERE status.errorCode IN ($codes) GROUP BY ALL"
  [$pq]="SELECT ResultType, count(*), count(DISTINCT UserPrincipalName) FROM read_parquet('$data/$pq') WHERE ResultType IN ($qcodes) GROUP BY ALL"
  [$pqrg]="SELECT ResultType, count(*), count(DISTINCT UserPrincipalName) FROM read_parquet('$data/$pqrg') WHERE ResultType IN ($qcodes) GROUP BY ALL"
)

# run NAME FILE CMD...: time one command with /usr/bin/time -v; prints "seconds rss_kib".
run() {
  local out=$data/time.txt
  /usr/bin/time -v "${@:3}" > "$data/out.txt" 2> "$out" || { echo "$1 failed on $2:" >&2; tail -5 "$out" >&2; echo "- -"; return; }
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; w=s}
              /Maximum resident set size/ {r=$2} END {print w, r}' "$out"
}

rows=()
row() { # tool file bytes seconds rss duck_seconds
  local mbs ratio
  if [[ $4 == - ]]; then rows+=("| $1 | $2 | failed | | | |"); return; fi
  mbs=$(awk -v b="$3" -v s="$4" 'BEGIN { printf "%.0f", b/1e6/(s>0?s:0.001) }')
  ratio=$(awk -v s="$4" -v d="$6" 'BEGIN { if (d > 0 && s > 0) printf "%.2fx", d/s; else print "" }')
  rows+=("| $1 | $2 | $4 | $mbs | $ratio | $(awk -v r="$5" 'BEGIN { printf "%.0f", r/1024 }') |")
}

for f in "$lines" "$array" "$graph" "$lines.gz" "$pq" "$pqrg"; do
  path=$data/$f
  size=$(stat -c %s "$path")
  [[ $f == *.gz ]] && content=$(gzip -dc "$path" | wc -c) || content=$size
  cat "$path" > /dev/null # warm the page cache for every tool alike
  if [[ $f == "$graph" ]]; then
    ds=$array_ds # DuckDB cannot read a 1 GB page as one object: compared with it on the array
  else
    read -r ds dr < <(run duckdb "$f" "$data/duckdb" "${duck[$f]}")
    row "DuckDB" "$f" "$content" "$ds" "$dr" "$ds"
  fi
  [[ $f == "$array" ]] && array_ds=$ds
  read -r gs gr < <(run grantsweep "$f" "$data/grantsweep" sweep --format json -o /dev/null "$path")
  row "grantsweep" "$f" "$content" "$gs" "$gr" "$ds"
  read -r g1 r1 < <(run grantsweep1 "$f" "$data/grantsweep" sweep --workers 1 --format json -o /dev/null "$path")
  row "grantsweep --workers 1" "$f" "$content" "$g1" "$r1" "$ds"
  case $f in
  *.gz)
    read -r zs zr < <(run zcat "$f" sh -c "zcat '$path' > /dev/null")
    row "zcat" "$f" "$content" "$zs" "$zr" "$ds" ;;
  *.parquet) ;;
  *)
    read -r cs cr < <(run cat "$f" sh -c "cat '$path' > /dev/null")
    row "cat" "$f" "$content" "$cs" "$cr" "$ds"
    read -r gs2 gr2 < <(run grep "$f" grep -c '"errorCode":70000' "$path")
    row "grep -c" "$f" "$content" "$gs2" "$gr2" "$ds"
    if [[ $f == "$lines" ]] && command -v jq >/dev/null; then
      head -c 200000000 "$path" | head -n -1 > "$data/jq-sample.jsonl" || true
      js=$(stat -c %s "$data/jq-sample.jsonl")
      read -r qs qr < <(run jq "$f" sh -c "jq -c 'select(.status.errorCode != 0) | .status.errorCode' '$data/jq-sample.jsonl' | sort | uniq -c")
      row "jq (first 200 MB)" "$f" "$js" "$qs" "$qr" ""
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
  echo "Audit join at scale (from \`bench/audit.sh\`, 1,000,000 audit records beside 1 GB of sign-ins):"
  echo
  cat "$data/audit.md" 2>/dev/null || echo "(run bench/audit.sh first)"
}
# ---- end of the audit join block ----

{
  echo "# grantsweep beside its peers"
  echo
  echo "Measured $(date -u +%F) on this machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB, $(go version | cut -d' ' -f3)."
  echo "Data: \`gensamples\` with ${records} records per file, 3% in scope (\`bench/compare.sh $gb\`)."
  echo "MB/s is of uncompressed content; \"vs DuckDB\" is DuckDB's time over the tool's (higher is faster)."
  echo "grantsweep classifies every record by cause and builds every table; DuckDB counts in-scope"
  echo "events and distinct users per error code; grep -c counts one code; cat only reads."
  echo "$graph holds the records of $array as one Graph page; its \"vs DuckDB\" is against DuckDB on $array"
  echo "(the same records, so the time ratio is the ratio of records per second)."
  echo
  echo "| tool | input | seconds | MB/s | vs DuckDB | peak RSS (MiB) |"
  echo "|---|---|---:|---:|---:|---:|"
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
