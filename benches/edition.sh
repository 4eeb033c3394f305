#!/usr/bin/env bash
# What a Traditional edition costs: `paiban build SAMPLE` against `paiban build SAMPLE
# --edition zh-TW` (that edition alone: the same files, converted and drawn with the TC
# face), for both samples. Reports CPU time (task-clock, user + system, `perf stat`; runs
# alternate between the two commands in rounds, so the machine's load falls on both alike)
# and, with valgrind, instructions (callgrind: load-independent), and the edition's cost in
# %. Target (issue 21): +20 % at most; exit status 1 if missed.
# Usage: benches/edition.sh [ROUNDS] [EDITION]   (default 5 rounds of 10 runs; zh-TW)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
EDITION=${2:-zh-TW}
cargo build --release --quiet
BIN=target/release/paiban
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
command -v perf >/dev/null || { echo "perf is needed (apt-get install linux-perf)"; exit 2; }

# Milliseconds of task-clock per run, over 10 runs.
cpu_ms() {
  perf stat -x, -e task-clock -r 10 "$BIN" build "$@" -o "$OUT" 2>&1 >/dev/null |
    awk -F, '$3 == "task-clock" { printf "%.2f", $1 }'
}
instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg" "$BIN" build "$@" -o "$OUT" 2>&1 |
    awk '/Collected/ { print $4 }'
}
status=0
for sample in content/wujin-2023-12-29.md content/shili-2023-04-11; do
  "$BIN" build "$sample" --edition "$EDITION" -o "$OUT" >/dev/null 2>&1 # warm the page cache
  base=0; ed=0
  for _ in $(seq "$ROUNDS"); do
    base=$(echo "$base + $(cpu_ms "$sample")" | bc)
    ed=$(echo "$ed + $(cpu_ms "$sample" --edition "$EDITION")" | bc)
  done
  pct=$(echo "scale=1; ($ed - $base) * 100 / $base" | bc)
  printf '%s: CPU %.1f ms, --edition %s %.1f ms: %+.1f %%\n' "$sample" \
    "$(echo "$base / $ROUNDS" | bc -l)" "$EDITION" "$(echo "$ed / $ROUNDS" | bc -l)" "$pct"
  if command -v valgrind >/dev/null; then
    bi=$(instructions "$sample"); ei=$(instructions "$sample" --edition "$EDITION")
    ipct=$(echo "scale=1; ($ei - $bi) * 100 / $bi" | bc)
    printf '%s: instructions %s, --edition %s %s: %+.1f %%\n' "$sample" "$bi" "$EDITION" "$ei" "$ipct"
  fi
  (( $(echo "$pct > 20" | bc) )) && status=1
done
exit $status
