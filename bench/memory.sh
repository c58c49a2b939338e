#!/usr/bin/env bash
# Peak memory of grantsweep, in two sections.
#
#   bench/memory.sh [GB]             throughput: one multi-GB input of each kind (default 5)
#   bench/memory.sh scale [FACTOR]   bounded memory at any scale (default 1; 0.01 for a quick run)
#
# SCENARIOS="a c linear" bench/memory.sh scale runs only those (default: a b c d linear).
#
# Data is kept in bench/data/ between runs (named by size, so each FACTOR has its own);
# the binaries are built there each time. Needs bash, coreutils, gzip, GNU time
# (/usr/bin/time) and Go, nothing else.
#
# Throughput prints a Markdown table (bench/data/memory.md): input, size, wall time, MB/s
# and peak RSS (/usr/bin/time -v) of JSON Lines, a Graph page (one JSON value holding
# every record), gzip and Parquet.
#
# Scale (bench/data/scale.md) runs every input under the default memory budget,
# `--memory 64MiB --spill-dir bench/data/spill --format json -o FILE`, and again with a
# budget that needs no spill (--memory 8GiB), and prints per scenario: input size, wall
# time, peak RSS, the bytes spilled (from the "grantsweep: spilled N bytes in R runs to
# DIR (memory budget B)" line on stderr, 0 without it), the JSON summary's size, and
# whether the two summaries are the same bytes (cmp). Counts at FACTOR 1:
#   a. 1,000,000 distinct in-scope events (gensamples -distinct -inscope 1: a mass
#      revocation, every user, IP address and event id different), as JSON Lines and as
#      Parquet (parquet-flat)
#   b. 10 GiB of one in-scope JSON line repeated, gzip -1: in_scope 1, the rest duplicates
#   c. 50,000 small files (gensamples -files: PT1H.json, one an hour, 10 records each)
#   d. grantsweep merge of 30 daily partial summaries of 300,000 distinct in-scope events
#      each (the days are Parquet; generating and sweeping them is not timed)
# and a linear-cost table: JSON Lines with -distinct at 125k, 250k, 500k and 1M events
# (the first lines of a.), events, MB, wall, RSS and bytes spilled against size.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/gnutime.sh
data=bench/data
mkdir -p "$data"

build() {
  go build -o "$data/grantsweep" ./cmd/grantsweep
  go build -o "$data/gensamples" ./cmd/gensamples
}

# div A B [DIGITS]: A/B rounded to DIGITS decimals (integers in, text out).
div() {
  local a=$1 b=$2 d=${3:-0} p=1 i q
  for ((i = 0; i < d; i++)); do p=$((p * 10)); done
  q=$(((a * p * 2 + b) / (2 * b)))
  if ((d == 0)); then echo "$q"; else printf '%d.%0*d\n' $((q / p)) "$d" $((q % p)); fi
}

# commas N: N with thousands separators.
commas() {
  local n=$1 out=""
  while ((${#n} > 3)); do out=,${n: -3}$out; n=${n:0:${#n}-3}; done
  echo "$n$out"
}

# measure ERRFILE COMMAND...: runs COMMAND under /usr/bin/time -v, its stdout dropped, its
# stderr into ERRFILE, and sets rc, wall_cs (wall time in centiseconds), rss_kb (peak
# RSS) and spilled (bytes, from the spill line in ERRFILE; 0 without one).
measure() {
  local err=$1 line h m s cs n=0
  shift
  rc=0
  /usr/bin/time -v -o "$data/time.txt" "$@" >/dev/null 2>"$err" || rc=$?
  read_gnu_time "$data/time.txt"
  spilled=0
  while IFS= read -r line; do
    if [[ $line =~ ^grantsweep:\ spilled\ ([0-9]+)\ bytes\ in\ [0-9]+\ runs?\ to\ .*\(memory\ budget\ .*\)$ ]]; then
      spilled=${BASH_REMATCH[1]}
      n=$((n + 1))
    fi
  done <"$err"
  ((n <= 1)) || echo "memory.sh: $n spill lines in one run of $*, the last counted" >&2
  return 0
}

# failure: what a failed run said first, fit for a table cell.
failure() {
  local first=""
  IFS= read -r first <"$1" || true
  first=${first//|/\\|}
  echo "failed (exit $rc: ${first:0:120})"
}

throughput() {
  local gb=$1 records f path size
  build
  records=$((gb * 660000)) # about 1.5 KB per JSON record

  make_file() { # shape records file [gensamples flags...]
    [[ -s $data/$3 ]] || "$data/gensamples" -shape "$1" -records "$2" -inscope 0.03 -o "$data/$3" "${@:4}"
  }
  make_file lines "$records" "lines-${gb}g.jsonl"
  make_file graph-v1 "$records" "graph-${gb}g.json"
  make_file parquet-flat "$records" "flat-${gb}g.parquet"
  make_file parquet-flat "$records" "flat-${gb}g-rg.parquet" -rowgroup 122880
  [[ -s $data/lines-1g.jsonl.gz ]] || { make_file lines 660000 lines-1g.jsonl; gzip -1 -c "$data/lines-1g.jsonl" >"$data/lines-1g.jsonl.gz"; }

  {
    echo "| input | size (MB) | wall (s) | MB/s of the file | peak RSS (MiB) |"
    echo "|---|---:|---:|---:|---:|"
    for f in "lines-${gb}g.jsonl" "graph-${gb}g.json" "lines-1g.jsonl.gz" "flat-${gb}g.parquet" "flat-${gb}g-rg.parquet"; do
      path=$data/$f
      size=$(stat -c %s "$path")
      cat "$path" >/dev/null # from the page cache, as a nightly job re-reading fresh logs would
      measure "$data/stderr.txt" "$data/grantsweep" sweep --format json -o /dev/null "$path"
      ((rc == 0)) || { echo "| $f | $(div "$size" 1000000) | $(failure "$data/stderr.txt") | | |"; continue; }
      echo "| $f | $(div "$size" 1000000) | $(div "$wall_cs" 100 2) | $(div "$size" $((wall_cs * 10000 > 0 ? wall_cs * 10000 : 1))) | $(div "$rss_kb" 1024 1) |"
    done
  } | tee "$data/memory.md"
}

# scaled N: N times FACTOR, rounded, at least 1.
scaled() {
  local n=$1 int frac num den
  int=${factor%%.*} frac=""
  [[ $factor == *.* ]] && frac=${factor#*.}
  den=$((10 ** ${#frac}))
  num=$((10#${int:-0} * den + 10#${frac:-0}))
  n=$(((n * num * 2 + den) / (2 * den)))
  echo $((n > 0 ? n : 1))
}

# total NAME FILE: the first "NAME": N of a JSON summary (its totals come first).
total() {
  local line
  while IFS= read -r line; do
    if [[ $line =~ \"$1\":\ ([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; return; fi
  done <"$2"
  echo "?"
}

# expect FILE NAME WANT: says on stderr when a summary's total is not what the input holds.
expect() {
  local got
  [[ -s $1 ]] || return 0 # the run failed, as its row says
  got=$(total "$2" "$1")
  [[ $got == "$3" ]] || echo "memory.sh: $1 has $2 $got, want $3" >&2
}

spill=$data/spill
budget=(--memory 64MiB --spill-dir "$spill")
nospill=(--memory 8GiB --spill-dir "$spill")

# spill_check: a run must leave nothing in the spill directory; empty it for the next.
spill_check() {
  local left=("$spill"/* "$spill"/.[!.]*)
  local n=0 f
  for f in "${left[@]}"; do [[ -e $f ]] && n=$((n + 1)); done
  if ((n > 0)); then
    echo "memory.sh: $n entries left in $spill after a run; removed" >&2
    rm -rf "${spill:?}"/* "${spill:?}"/.[!.]*
  fi
}

# row SCENARIO INPUTBYTES NAME ARGS...: a measured run of `grantsweep ARGS` with the
# default budget writing $data/out/NAME.json, its no-spill twin, and their table row.
row() {
  local scenario=$1 bytes=$2 name=$3 out="$data/out/$3" same
  shift 3
  rm -f "$out.json" "$out-8g.json"
  measure "$out.err" "$data/grantsweep" "$1" "${budget[@]}" --format json -o "$out.json" "${@:2}"
  spill_check
  if ((rc != 0)); then
    echo "| $scenario | $(div "$bytes" 1000000 1) | | | | | $(failure "$out.err") |"
    return
  fi
  local w=$wall_cs r=$rss_kb s=$spilled
  measure "$out-8g.err" "$data/grantsweep" "$1" "${nospill[@]}" --format json -o "$out-8g.json" "${@:2}"
  spill_check
  if ((rc != 0)); then
    same="no-spill run $(failure "$out-8g.err")"
  elif cmp -s "$out.json" "$out-8g.json"; then
    same=same
  else
    same=DIFFERENT
  fi
  ((rc != 0 || spilled == 0)) || same="$same (the 8GiB run spilled $spilled bytes too)"
  echo "| $scenario | $(div "$bytes" 1000000 1) | $(div "$w" 100 2) | $(div "$r" 1024 1) | $s | $(stat -c %s "$out.json") | $same |"
}

# bytes_of PATH...: the bytes of the files, read through once (which also puts them in
# the page cache, as a nightly job re-reading fresh logs would find them). Names go to wc
# on its standard input, so that any number of files fits.
bytes_of() {
  local last
  last=$(printf '%s\0' "$@" | wc -lc --files0-from=- | tail -n 1)
  read -r _ last _ <<<"$last"
  echo "$last"
}

# want S: whether scenario S (a, b, c, d or linear) is in SCENARIOS (default: all).
want() { [[ " ${SCENARIOS:-a b c d linear} " == *" $1 "* ]]; }

scale() {
  factor=$1
  [[ $factor =~ ^([0-9]+(\.[0-9]{0,6})?|\.[0-9]{1,6})$ ]] || { echo "memory.sh: FACTOR $factor: want a decimal number such as 1 or 0.01 (up to 6 decimals)" >&2; exit 2; }
  build
  mkdir -p "$data/out" "$spill"
  local gen=$data/gensamples n events f i seed len line count dir days ndays=30 tmp
  local scale_md=$data/scale.md linear_md=$data/linear.md

  # a. distinct in-scope events
  events=$(scaled 1000000)
  local lines=$data/lines-distinct-$events.jsonl flat=$data/flat-distinct-$events.parquet
  [[ -s $lines ]] || { echo "generating $lines" >&2; "$gen" -shape lines -records "$events" -inscope 1 -distinct -seed 1 -o "$lines.tmp"; mv "$lines.tmp" "$lines"; }
  [[ -s $flat ]] || { echo "generating $flat" >&2; "$gen" -shape parquet-flat -records "$events" -inscope 1 -distinct -seed 1 -o "$flat.tmp"; mv "$flat.tmp" "$flat"; }

  # b. one in-scope line repeated, gzipped: copies of one event id
  local size
  size=$(scaled 10737418240) # 10 GiB
  local repeat=$data/repeat-$size.jsonl.gz
  "$gen" -shape lines -records 1 -inscope 1 -distinct -seed 1 -o "$data/one.jsonl"
  len=$(stat -c %s "$data/one.jsonl") # the line and its newline
  count=$((size / len))
  count=$((count > 0 ? count : 1))
  if [[ ! -s $repeat ]]; then
    echo "generating $repeat" >&2
    line=$(<"$data/one.jsonl")
    { yes "$line" || true; } | head -n "$count" | gzip -1 >"$repeat.tmp"
    mv "$repeat.tmp" "$repeat"
  fi

  # c. many small files
  local nfiles
  nfiles=$(scaled 50000)
  dir=$data/files-$nfiles
  [[ -d $dir ]] || { echo "generating $dir" >&2; rm -rf "$dir.tmp"; "$gen" -shape monitor-crlf -files "$nfiles" -records 10 -inscope 0.1 -seed 1 -o "$dir.tmp"; mv "$dir.tmp" "$dir"; }
  local files=("$dir"/y=*/m=*/d=*/h=*/m=*/PT1H.json)

  # d. daily partials: generated once, swept each run (by this build, not timed)
  days=$(scaled 300000)
  local mdir=$data/merge-$ndays-$days
  mkdir -p "$mdir"
  for ((i = 1; i <= ndays; i++)); do
    f=$(printf '%s/day-%02d' "$mdir" "$i")
    seed=$((100 + i))
    [[ -s $f.parquet ]] || { echo "generating $f.parquet" >&2; "$gen" -shape parquet-flat -records "$days" -inscope 1 -distinct -seed "$seed" -o "$f.parquet.tmp"; mv "$f.parquet.tmp" "$f.parquet"; }
  done
  want d && echo "sweeping the $ndays days of $mdir" >&2
  for ((i = 1; i <= ndays; i++)); do
    want d || break
    f=$(printf '%s/day-%02d' "$mdir" "$i")
    rc=0
    "$data/grantsweep" sweep --spill-dir "$spill" --format json -o "$f.json" "$f.parquet" 2>"$f.err" >/dev/null || rc=$?
    ((rc == 0)) || { echo "memory.sh: sweeping $f.parquet: $(failure "$f.err")" >&2; rm -f "$f.json"; }
    spill_check
  done
  local partials=("$mdir"/day-*.json)

  {
    echo "Scale, FACTOR $factor: every run --memory 64MiB --spill-dir $spill; \"vs no spill\" compares its JSON summary with that of --memory 8GiB ($(nproc) cores, $(date -u +%F))"
    echo
    echo "| scenario | input (MB) | wall (s) | peak RSS (MiB) | spilled (bytes) | summary (bytes) | vs no spill |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    if want a; then
    n=$(bytes_of "$lines")
    row "a. $(commas "$events") distinct in-scope events, JSON Lines" "$n" a-lines sweep "$lines"
    expect "$data/out/a-lines.json" in_scope "$events"
    n=$(bytes_of "$flat")
    row "a. $(commas "$events") distinct in-scope events, Parquet" "$n" a-parquet sweep "$flat"
    expect "$data/out/a-parquet.json" in_scope "$events"
    fi
    if want b; then
    n=$(bytes_of "$repeat")
    row "b. one in-scope line $(commas "$count") times ($(div "$((count * len))" 1000000) MB), gzip -1" "$n" b-repeat sweep "$repeat"
    expect "$data/out/b-repeat.json" in_scope 1
    expect "$data/out/b-repeat.json" duplicates $((count - 1))
    fi
    if want c; then
    n=$(bytes_of "${files[@]}")
    row "c. $(commas "$nfiles") files of 10 records (PT1H.json)" "$n" c-files sweep "$dir"
    expect "$data/out/c-files.json" records $((nfiles * 10))
    fi
    if ! want d; then
      :
    elif [[ -e ${partials[0]} ]]; then
      n=$(bytes_of "${partials[@]}")
      row "d. merge of ${#partials[@]} daily summaries of $(commas "$days") distinct events" "$n" d-merge merge "${partials[@]}"
      expect "$data/out/d-merge.json" in_scope $((${#partials[@]} * days))
    else
      echo "| d. merge of $ndays daily summaries of $(commas "$days") distinct events | | | | | | no summaries: sweeping the days failed |"
    fi
  } | tee "$scale_md"

  want linear || return 0
  echo
  {
    echo "Linear cost, FACTOR $factor: distinct in-scope events as JSON Lines, --memory 64MiB"
    echo
    echo "| events | size (MB) | wall (s) | peak RSS (MiB) | spilled (bytes) |"
    echo "|---:|---:|---:|---:|---:|"
    for n in $(scaled 125000) $(scaled 250000) $(scaled 500000) "$events"; do
      f=$data/lines-distinct-$n.jsonl
      [[ -s $f ]] || { head -n "$n" "$lines" >"$f.tmp"; mv "$f.tmp" "$f"; }
      size=$(bytes_of "$f")
      tmp=$data/out/linear-$n
      measure "$tmp.err" "$data/grantsweep" sweep "${budget[@]}" --format json -o "$tmp.json" "$f"
      spill_check
      if ((rc != 0)); then
        echo "| $(commas "$n") | $(div "$size" 1000000 1) | $(failure "$tmp.err") | | |"
        continue
      fi
      echo "| $(commas "$n") | $(div "$size" 1000000 1) | $(div "$wall_cs" 100 2) | $(div "$rss_kb" 1024 1) | $spilled |"
    done
  } | tee "$linear_md"
}

case ${1:-} in
scale) scale "${2:-1}" ;;
"" | [0-9]*) throughput "${1:-5}" ;;
*)
  echo "usage: bench/memory.sh [GB] | bench/memory.sh scale [FACTOR]" >&2
  exit 2
  ;;
esac
