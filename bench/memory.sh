#!/usr/bin/env bash
# Peak memory and throughput of grantsweep on multi-GB inputs, one of each kind:
# JSON Lines, a Graph page (one JSON value holding every record), gzip, Parquet.
#
#   bench/memory.sh [GB]        (default 5; data is kept in bench/data/ between runs)
#
# Prints a Markdown table: input, size, wall time, MB/s and peak RSS (/usr/bin/time -v).
set -euo pipefail
cd "$(dirname "$0")/.."
gb=${1:-5}
data=bench/data
mkdir -p "$data"
go build -o "$data/grantsweep" ./cmd/grantsweep
go build -o "$data/gensamples" ./cmd/gensamples
records=$((gb * 660000)) # about 1.5 KB per JSON record

make_file() { # shape records file [gensamples flags...]
  [[ -s $data/$3 ]] || "$data/gensamples" -shape "$1" -records "$2" -inscope 0.03 -o "$data/$3" "${@:4}"
}
make_file lines "$records" "lines-${gb}g.jsonl"
make_file graph-v1 "$records" "graph-${gb}g.json"
make_file parquet-flat "$records" "flat-${gb}g.parquet"
make_file parquet-flat "$records" "flat-${gb}g-rg.parquet" -rowgroup 122880
[[ -s $data/lines-1g.jsonl.gz ]] || { make_file lines 660000 lines-1g.jsonl; gzip -1 -c "$data/lines-1g.jsonl" > "$data/lines-1g.jsonl.gz"; }

{
echo "| input | size (MB) | wall (s) | MB/s of the file | peak RSS (MiB) |"
echo "|---|---:|---:|---:|---:|"
for f in "lines-${gb}g.jsonl" "graph-${gb}g.json" "lines-1g.jsonl.gz" "flat-${gb}g.parquet" "flat-${gb}g-rg.parquet"; do
  path=$data/$f
  size=$(stat -c %s "$path")
  cat "$path" > /dev/null # from the page cache, as a nightly job re-reading fresh logs would
  /usr/bin/time -v "$data/grantsweep" sweep --format json -o /dev/null "$path" 2> "$data/time.txt" >/dev/null
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$data/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$data/time.txt")
  awk -v f="$f" -v size="$size" -v wall="$wall" -v rss="$rss" \
    'BEGIN { printf "| %s | %.0f | %.2f | %.0f | %.1f |\n", f, size/1e6, wall, size/1e6/wall, rss/1024 }'
done
} | tee "$data/memory.md"
