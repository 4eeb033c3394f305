#!/usr/bin/env bash
# Benchmark of `paiban batch` on 200 issues made from the corpus fixtures:
# issues/s with --jobs 1 and --jobs 2, peak memory (/usr/bin/time -v), and the time of
# the second, incremental run (everything up to date; target: under 1 s).
#
#   benches/batch.sh [--format epub|pdf|epub,pdf] [--issues N]
# Builds the release binary first. Prints one line per measurement.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
format="epub,pdf"
issues=200
while [ $# -gt 0 ]; do
  case "$1" in
    --format) format="$2"; shift 2 ;;
    --issues) issues="$2"; shift 2 ;;
    *) echo "usage: $0 [--format F] [--issues N]" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/paiban"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 200 file issues in nested year/source folders, cycling through the clean corpus texts.
mapfile -t texts < <(ls "$root"/tests/fixtures/corpus/*.clean.md | sort)
for ((i = 0; i < issues; i++)); do
  src="${texts[$((i % ${#texts[@]}))]}"
  stem="$(basename "$src" .clean.md)"
  dir="$work/in/$((2000 + i / ${#texts[@]}))/${stem%%-*}"
  mkdir -p "$dir"
  cp "$src" "$dir/$stem-$i.md"
done
bytes=$(du -sb "$work/in" | cut -f1)
echo "corpus: $issues issues, $((bytes / 1024)) KiB of Markdown, format $format, $(nproc) cores"

# Runs one batch, prints wall seconds, peak RSS and the summary's counts.
measure() {
  local label="$1"; shift
  /usr/bin/time -v -o "$work/time.txt" "$bin" batch "$work/in" --format "$format" \
    --summary-json "$work/summary.json" "$@" 2>"$work/stderr.txt" >/dev/null || {
    echo "$label: paiban batch failed:" >&2; tail -5 "$work/stderr.txt" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  python3 - "$label" "$wall" "$rss" "$work/summary.json" <<'PY'
import json, sys
label, wall, rss, path = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = json.load(open(path))
rate = s["converted"] / wall if wall > 0 and s["converted"] else 0.0
print(f"{label}: {wall:.2f} s wall, {rate:.1f} issues/s, peak RSS {rss / 1024:.0f} MiB "
      f"(converted {s['converted']}, skipped {s['skipped']}, failed {s['failed']})")
PY
}

measure "jobs 1, fresh" -o "$work/out1" --jobs 1
measure "jobs 2, fresh" -o "$work/out2" --jobs 2
measure "jobs 2, incremental (nothing changed)" -o "$work/out2" --jobs 2
touch_one="$(find "$work/in" -name '*.md' | sort | head -1)"
echo "" >>"$touch_one"
measure "jobs 2, incremental (one issue edited)" -o "$work/out2" --jobs 2
