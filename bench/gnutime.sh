# Sourced by the bench scripts: read_gnu_time FILE sets wall_cs (wall time in hundredths
# of a second) and rss_kb (peak RSS in KiB) from what `/usr/bin/time -v -o FILE` wrote.
read_gnu_time() {
  local line cs h m s
  wall_cs=0 rss_kb=0
  while IFS= read -r line; do
    case $line in
    *"Elapsed (wall clock) time"*)
      # h:mm:ss or m:ss.cc
      line=${line##*: } cs=0
      [[ $line == *.* ]] && { cs=${line##*.}; line=${line%.*}; }
      IFS=: read -r h m s <<<"$line"
      [[ -z $s ]] && { s=$m; m=$h; h=0; }
      wall_cs=$(((((10#$h * 60 + 10#$m) * 60) + 10#$s) * 100 + 10#$cs))
      ;;
    *"Maximum resident set size"*) rss_kb=${line##*: } ;;
    esac
  done <"$1"
}
