#!/usr/bin/env bash
# Benchmark of the PDF backend, whole process: `paiban build SAMPLE --pdf`, run N times.
# Reports the fastest and median wall time, CPU time, peak RSS and the file size, and
# compares them with the targets (50 ms, 100 MB, 180 KB). Exit status 1 if a target is missed.
# Usage: benches/pdf.sh [N] [ISSUE.md]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
ISSUE=${2:-content/wujin-2023-12-29.md}
cargo build --release --quiet
BIN=target/release/paiban
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$BIN" build "$ISSUE" --pdf -o "$OUT" 2>/dev/null   # warm the page cache
walls=(); cpus=(); rss=0
for _ in $(seq "$N"); do
  t0=$EPOCHREALTIME
  /usr/bin/time -f "%U %S %M" -o "$OUT/t" "$BIN" build "$ISSUE" --pdf -o "$OUT" 2>/dev/null
  t1=$EPOCHREALTIME
  read -r u s m < "$OUT/t"
  walls+=("$(echo "($t1 - $t0) * 1000 / 1" | bc)"); cpus+=("$(echo "($u + $s) * 1000 / 1" | bc)")
  (( m > rss )) && rss=$m
done
sorted() { printf '%s\n' "$@" | sort -n; }
wmin=$(sorted "${walls[@]}" | head -1); wmed=$(sorted "${walls[@]}" | sed -n "$(( (N + 1) / 2 ))p")
cmed=$(sorted "${cpus[@]}" | sed -n "$(( (N + 1) / 2 ))p")
size=$(stat -c %s "$OUT"/*.pdf)
pages=$(pdfinfo "$OUT"/*.pdf 2>/dev/null | awk '/^Pages:/ {print $2}')
echo "issue:      $ISSUE ($N runs, load $(cut -d' ' -f1 /proc/loadavg))"
echo "wall:       min ${wmin} ms, median ${wmed} ms   (target < 50 ms)"
echo "cpu:        median ${cmed} ms (user + sys, 10 ms resolution)"
echo "peak RSS:   $(( rss / 1024 )) MB   (target < 100 MB)"
echo "file:       $(( size / 1024 )) KB, ${pages:-?} pages   (target < 180 KB)"
ok=1
(( $(echo "$wmin < 50" | bc) )) || { echo "MISSED: time"; ok=0; }
(( rss < 100 * 1024 )) || { echo "MISSED: memory"; ok=0; }
(( size < 180 * 1024 )) || { echo "MISSED: size"; ok=0; }
(( ok )) && echo "all targets met"
(( ok ))
