#!/usr/bin/env bash
# Memory benchmark: peak RSS of each stage on a large issue (default 50 MB, the sample
# repeated; see large_issue.py), measured with /usr/bin/time -v, against the target of
# 10× the input size. Exit status 1 if a stage misses it.
# Usage: benches/memory.sh [SIZE_MB]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-50}
cargo build --release --quiet
BIN=target/release/paiban
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ISSUE="$WORK/large-$SIZE.md"
python3 benches/large_issue.py "$ISSUE" "$SIZE"
bytes=$(stat -c %s "$ISSUE")
limit_kb=$(( bytes * 10 / 1024 ))
ok=1
run() {
  local name=$1; shift
  /usr/bin/time -v -o "$WORK/t" "$@" >/dev/null 2>"$WORK/err" || { echo "$name: FAILED"; tail -3 "$WORK/err"; ok=0; return; }
  local rss wall
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/t")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/t")
  printf '%-22s peak RSS %6d MB = %4.1f× input   wall %s\n' "$name" $(( rss / 1024 )) \
    "$(echo "scale=1; $rss * 1024 / $bytes" | bc)" "$wall"
  (( rss <= limit_kb )) || { echo "  MISSED: over 10× the input"; ok=0; }
}
echo "input: $(( bytes / 1048576 )) MB; target: peak RSS under $(( limit_kb / 1024 )) MB"
run "normalize"   "$BIN" normalize "$ISSUE" -q
run "check"       "$BIN" check "$ISSUE"
run "build --epub" "$BIN" build "$ISSUE" --epub -o "$WORK/out"
run "build --pdf"  "$BIN" build "$ISSUE" --pdf -o "$WORK/out"
run "build (both)" "$BIN" build "$ISSUE" -o "$WORK/out"
run "build --ofd"  "$BIN" build "$ISSUE" --pdf --ofd -o "$WORK/out"
(( ok )) || exit 1
