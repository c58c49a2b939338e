#!/usr/bin/env bash
# grantsweep reading blobs from a storage account (Azurite, the emulator, on loopback)
# against the same files on local disk.
#
#   bench/storage.sh [MB] [HOURS]   defaults: 1000 MB of blobs, 8760 hours (a year)
#
# 1. Throughput: MB of JSON Lines blobs (gensamples -files: 16 hourly PT1H.json) swept
#    from Azurite and from local disk: wall time, MB/s and peak RSS (/usr/bin/time -v),
#    and whether the two JSON summaries are the same bytes once the inputs' names are
#    read alike.
# 2. Pruning: a simulated archive of HOURS hourly blobs (10 records each) swept nightly,
#    --since the start of its last day, and unpruned (--no-prune): the blobs listed and opened, the
#    partition folders pruned, wall time; remote and local.
#
# Data is kept in bench/data/storage/ between runs (named by size); Azurite's files are
# there too, and it is stopped at the end. Needs bash, coreutils, GNU time, Go and
# Azurite (.ci/run installs it into .ci/node_modules; so does this script when absent).
# Prints Markdown tables (bench/data/storage.md). A quick run: bench/storage.sh 20 200.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/gnutime.sh
mb=${1:-1000}
hours=${2:-8760}
data=bench/data/storage
mkdir -p "$data"

if [[ ! -x .ci/node_modules/.bin/azurite-blob ]]; then
  echo "installing azurite for the storage benchmark" >&2
  npm install --no-audit --no-fund --loglevel=error --prefix .ci azurite@3.37.0 >/dev/null
fi
go build -o "$data/grantsweep" ./cmd/grantsweep
go build -o "$data/gensamples" ./cmd/gensamples
go build -o "$data/blobload" ./bench/blobload

# Azurite on a free port, its files in $data/azurite-$mb-$hours, stopped on exit.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 10123)
store=$data/azurite-$mb-$hours
mkdir -p "$store"
.ci/node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort "$port" --location "$store" --silent --skipApiVersionCheck --loose >"$data/azurite.log" 2>&1 &
azurite=$!
trap 'kill "$azurite" 2>/dev/null; wait "$azurite" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
account=devstoreaccount1
key=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw== # the emulator's published key
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$port/$account;"
service=http://127.0.0.1:$port/$account

# measure ERRFILE COMMAND...: COMMAND under /usr/bin/time -v, its stdout into $data/out.json,
# stderr into ERRFILE; sets rc, wall_cs (centiseconds) and rss_kb (peak RSS).
measure() {
  local err=$1 line h m s cs
  shift
  rc=0
  /usr/bin/time -v -o "$data/time.txt" "$@" >"$data/out.json" 2>"$err" || rc=$?
  read_gnu_time "$data/time.txt"
  if ((rc != 0)); then
    echo "storage.sh: $* exited $rc:" >&2
    head -5 "$err" >&2
  fi
}

# div A B [DIGITS]: A/B rounded to DIGITS decimals.
div() {
  local a=$1 b=$2 d=${3:-0} p=1 i q
  ((b > 0)) || b=1
  for ((i = 0; i < d; i++)); do p=$((p * 10)); done
  q=$(((a * p * 2 + b) / (2 * b)))
  if ((d == 0)); then echo "$q"; else printf '%d.%0*d\n' $((q / p)) "$d" $((q % p)); fi
}

# opened FILE: the inputs a JSON summary names that were read (not pruned); pruned FILE:
# the partition folders its pruned entries count.
opened() { grep -c '^    {"path":.*"format":' "$1" | { read -r n; p=$(grep -c '"format":"pruned"' "$1" || true); echo $((n - p)); }; }
pruned() {
  local n=0 line
  while IFS= read -r line; do
    [[ $line =~ \"pruned\":([0-9]+) ]] && n=$((n + BASH_REMATCH[1]))
  done < <(grep '"format":"pruned"' "$1" || true)
  echo "$n"
}

# 1. Throughput.
files=16
records=$((mb * 660 / files)) # about 1.5 KB per JSON record
bulk=$data/bulk-$mb
if [[ ! -d $bulk ]]; then
  "$data/gensamples" -shape lines -records "$records" -inscope 0.03 -files "$files" -o "$bulk.tmp"
  mv "$bulk.tmp" "$bulk"
fi
"$data/blobload" bulk "$bulk" 2>/dev/null
size=$(du -sb "$bulk" | cut -f1)
{
  echo "## $(div "$size" 1000000) MB of JSON Lines blobs ($files files), from Azurite and from local disk"
  echo
  echo "| source | wall (s) | MB/s | peak RSS (MiB) |"
  echo "|---|---:|---:|---:|"
} | tee "$data/storage.md"
cat "$bulk"/*/*/*/*/*/PT1H.json >/dev/null # local disk from the page cache, as Azurite's are
measure "$data/local.err" "$data/grantsweep" sweep --format json "$bulk"
cp "$data/out.json" "$data/bulk-local.json"
echo "| local disk | $(div "$wall_cs" 100 2) | $(div "$size" $((wall_cs * 10000))) | $(div "$rss_kb" 1024 1) |" | tee -a "$data/storage.md"
measure "$data/remote.err" "$data/grantsweep" sweep --format json "$service/bulk/"
echo "| Azurite | $(div "$wall_cs" 100 2) | $(div "$size" $((wall_cs * 10000))) | $(div "$rss_kb" 1024 1) |" | tee -a "$data/storage.md"
sed -e "s|$service/bulk/|$bulk/|g" -e 's|"shard": *"sha256:[0-9a-f]*"|"shard":"X"|' "$data/out.json" >"$data/bulk-remote.json"
sed -i 's|"shard": *"sha256:[0-9a-f]*"|"shard":"X"|' "$data/bulk-local.json"
if cmp -s "$data/bulk-local.json" "$data/bulk-remote.json"; then same=yes; else same=NO; fi
echo "| summaries the same bytes | $same | | |" | tee -a "$data/storage.md"

# 2. Pruning: HOURS hourly blobs from gensamples' day on; the nightly sweep reads the last day.
archive=$data/archive-$hours
if [[ ! -d $archive ]]; then
  "$data/gensamples" -shape lines -records 10 -inscope 0.1 -files "$hours" -o "$archive.tmp"
  mv "$archive.tmp" "$archive"
fi
"$data/blobload" -workers 32 archive "$archive" 2>/dev/null
last=$(find "$archive" -name PT1H.json | sort | tail -1)
[[ $last =~ y=([0-9]+)/m=([0-9]+)/d=([0-9]+)/ ]]
since=${BASH_REMATCH[1]}-${BASH_REMATCH[2]}-${BASH_REMATCH[3]}T00:00:00Z
{
  echo
  echo "## a nightly sweep (--since $since) over $hours hourly blobs, pruned and not"
  echo
  echo "| source | sweep | inputs listed and opened | partition folders pruned | wall (s) | peak RSS (MiB) |"
  echo "|---|---|---:|---:|---:|---:|"
} | tee -a "$data/storage.md"
for src in "Azurite|$service/archive/" "local disk|$archive"; do
  name=${src%%|*} arg=${src#*|}
  measure "$data/pruned.err" "$data/grantsweep" sweep --format json --since "$since" "$arg"
  echo "| $name | pruned | $(opened "$data/out.json") | $(pruned "$data/out.json") | $(div "$wall_cs" 100 2) | $(div "$rss_kb" 1024 1) |" | tee -a "$data/storage.md"
  measure "$data/unpruned.err" "$data/grantsweep" sweep --format json --since "$since" --no-prune "$arg"
  echo "| $name | --no-prune | $(opened "$data/out.json") | $(pruned "$data/out.json") | $(div "$wall_cs" 100 2) | $(div "$rss_kb" 1024 1) |" | tee -a "$data/storage.md"
done
