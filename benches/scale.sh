#!/usr/bin/env bash
# Archives at scale: the cost per issue, the catalog's cost, and throughput with Slurm
# array tasks. Not a test (it reads ../shared and needs an idle machine to mean much).
#
#   benches/scale.sh cost       # the 132 development issues, --jobs 2: both formats, EPUB
#                               # alone, PDF alone (issues/s, CPU seconds); cover sizes;
#                               # the sample's EPUB against pandoc's (`pandoc` on PATH)
#   benches/scale.sh catalog    # `paiban catalog` over 1,000 and 100,000 synthetic
#                               # manifest entries in 10 shard manifests: seconds, peak RSS
#   benches/scale.sh slurm      # the 132 issues as Slurm arrays of 1, 2 and 4 tasks
#                               # (SLURM_CONF of a running cluster; wall from submission
#                               # to the last task's end, catalog excluded)
#
# Builds the release binary first. Prints one line per measurement.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${PAIBAN_SHARED:-$root/../shared}"
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
# PAIBAN_BIN=path measures that binary instead (e.g. an older build, for before/after).
if [ -n "${PAIBAN_BIN:-}" ]; then
  bin="$PAIBAN_BIN"
else
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  bin="$root/target/release/paiban"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The 132 development issues: ../shared/corpus/*/*.damaged.md and roundtrip-dev/*/*.damaged.md.
dev_issues() {
  mkdir -p "$work/in"
  for f in "$shared"/corpus/*/*.damaged.md; do cp "$f" "$work/in/"; done
  for f in "$shared"/corpus/roundtrip-dev/*/*.damaged.md; do
    conv="$(basename "$(dirname "$f")")"
    mkdir -p "$work/in/$conv"
    cp "$f" "$work/in/$conv/"
  done
  echo "corpus: $(find "$work/in" -name '*.md' | wc -l) issues, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# One fresh batch run: wall, CPU, issues/s (median of 3 runs).
batch_rate() {
  local label="$1"; shift
  local lines=()
  for run in 1 2 3; do
    rm -rf "$work/out"
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$bin" batch "$work/in" -o "$work/out" \
      --jobs 2 --no-opds "$@" >/dev/null 2>"$work/err.txt" || { tail -3 "$work/err.txt" >&2; exit 1; }
    lines+=("$(cat "$work/time.txt")")
  done
  printf '%s\n' "${lines[@]}" | sort -n | sed -n 2p | while read -r wall user sys rss; do
    n=$(find "$work/in" -name '*.md' | wc -l)
    awk -v l="$label" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
      ms = (u + s) * 1000 / n
      printf "%s: %.2f s wall, %.1f issues/s, CPU %.2f s (%.1f ms an issue: at most %.0f issues/s on 2 idle cores), peak RSS %.0f MiB\n",
        l, w, n / w, u + s, ms, 2000 / ms, r / 1024 }'
  done
}

cost() {
  dev_issues
  batch_rate "epub,pdf" --format epub,pdf
  find "$work/out" -name '*.cover.png' -printf '%s\n' | sort -n | awk '{a[NR] = $1; s += $1}
    END { printf "covers: %d, mean %.1f KB, median %.1f KB, largest %.1f KB\n", NR, s / NR / 1024, a[int(NR / 2) + 1] / 1024, a[NR] / 1024 }'
  find "$work/out" -name '*.thumb.png' -printf '%s\n' | awk '{s += $1} END { printf "thumbnails: mean %.1f KB\n", s / NR / 1024 }'
  find "$work/out" -name '*.pdf' -printf '%s\n' | awk '{s += $1} END { printf "PDFs: %d, %.2f MB in all\n", NR, s / 1e6 }'
  batch_rate "epub" --format epub
  batch_rate "pdf" --format pdf

  # The sample's EPUB, paiban against pandoc (best of 10 each, wall).
  sample="$root/content/wujin-2023-12-29.md"
  if command -v pandoc >/dev/null; then
    best() {
      local b=999
      for _ in $(seq 10); do
        local s e
        s=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(date +%s.%N)
        b=$(echo "$e - $s" | bc -l | awk -v b="$b" '{print ($1 < b) ? $1 : b}')
      done
      echo "$b"
    }
    p=$(best "$bin" build "$sample" --epub -o "$work/sample-out")
    q=$(best pandoc "$sample" -o "$work/sample-pandoc.epub")
    awk -v p="$p" -v q="$q" 'BEGIN { printf "sample EPUB: paiban %.1f ms, pandoc %.1f ms (%.2f× pandoc)\n", p * 1000, q * 1000, p / q }'
    # CPU time (user + system, best of 10): what a loaded machine cannot inflate much.
    cpu() {
      local b=999
      for _ in $(seq 10); do
        /usr/bin/time -f "%U %S" -o "$work/cpu.txt" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
        b=$(awk -v b="$b" '{c = $1 + $2; print (c < b) ? c : b}' "$work/cpu.txt")
      done
      echo "$b"
    }
    p=$(cpu "$bin" build "$sample" --epub -o "$work/sample-out")
    q=$(cpu pandoc "$sample" -o "$work/sample-pandoc.epub")
    awk -v p="$p" -v q="$q" 'BEGIN { printf "sample EPUB, CPU: paiban %.0f ms, pandoc %.0f ms (%.2f× pandoc; /usr/bin/time has 10 ms steps)\n", p * 1000, q * 1000, p / q }'
    # perf's task clock resolves what /usr/bin/time cannot (mean of 20 runs each).
    if command -v perf >/dev/null; then
      task() {
        perf stat -r 20 -x, -e task-clock "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}'
      }
      p=$(task "$bin" build "$sample" --epub -o "$work/sample-out")
      q=$(task pandoc "$sample" -o "$work/sample-pandoc.epub")
      awk -v p="$p" -v q="$q" 'BEGIN { printf "sample EPUB, perf task-clock: paiban %.1f ms, pandoc %.1f ms (%.2f× pandoc)\n", p, q, p / q }'
    fi
  else
    echo "sample EPUB: pandoc not on PATH (apt-get install pandoc), skipped"
  fi
}

# N synthetic entries in 10 shard manifests (outputs: 1,000 real files shared among them,
# so the stat of each output is paid but the disk is not filled).
make_manifests() {
  local n="$1" dir="$2"
  python3 - "$n" "$dir" <<'PY'
import json, os, sys
n, d = int(sys.argv[1]), sys.argv[2]
os.makedirs(f"{d}/files", exist_ok=True)
stamps = []
for i in range(1000):
    p = f"{d}/files/{i}.epub"
    with open(p, "wb") as f:
        f.write(b"x" * 100)
    st = os.stat(p)
    stamps.append({"path": f"files/{i}.epub", "size": 100, "modified_ns": st.st_mtime_ns})
shards = [dict() for _ in range(10)]
for i in range(n):
    day = f"20{i % 25:02d}-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
    shards[i % 10][f"paper-{i % 40}/{i:07d}.md"] = {
        "fingerprint": "bench", "sources": {}, "images": {},
        "outputs": [stamps[i % 1000]],
        "about": {"title": f"测试日报 {day} 第{i}期", "newspaper": f"测试日报{i % 40}",
                  "date": day, "language": "zh-Hans", "headlines": ["头条新闻标题", "二条新闻标题"]},
    }
for k, s in enumerate(shards):
    with open(f"{d}/paiban-manifest.shard-{k + 1}-of-10.json", "w") as f:
        json.dump({"paiban_manifest": 1, "issues": s}, f, ensure_ascii=False)
PY
}

catalog() {
  for n in 1000 100000; do
    d="$work/cat-$n"
    make_manifests "$n" "$d"
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$bin" catalog "$d" 2>"$work/err.txt" >/dev/null ||
      { cat "$work/err.txt" >&2; exit 1; }
    read -r wall rss <"$work/time.txt"
    pages=$(ls "$d"/opds*.xml | wc -l)
    mb=$(du -cb "$d"/paiban-manifest.*.json | tail -1 | cut -f1)
    awk -v n="$n" -v w="$wall" -v r="$rss" -v p="$pages" -v m="$mb" 'BEGIN {
      printf "catalog of %d entries (%.1f MB of manifests): %.2f s, peak RSS %.0f MiB, %d pages\n", n, m / 1e6, w, r / 1024, p }'
  done
}

slurm() {
  [ -n "${SLURM_CONF:-}" ] || { echo "set SLURM_CONF to a running cluster's slurm.conf" >&2; exit 1; }
  dev_issues
  for tasks in 1 2 4; do
    out="$work/slurm-$tasks"
    jid=$(PAIBAN="$bin" sbatch --wait --parsable --array=0-$((tasks - 1)) --cpus-per-task=$((tasks == 1 ? 2 : 1)) \
      --output="$work/slurm-%A_%a.out" "$root/deploy/slurm/paiban.sbatch" "$work/in" "$out")
    # The array's span: its first task's start to its last task's end (scontrol, 1 s
    # resolution), without sbatch --wait's polling.
    scontrol show job "$jid" -o | python3 -c '
import datetime as dt, sys, glob, json
out, tasks = sys.argv[1], int(sys.argv[2])
starts, ends = [], []
for line in sys.stdin:
    f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    if f.get("JobName") != "paiban": continue
    starts.append(dt.datetime.fromisoformat(f["StartTime"])); ends.append(dt.datetime.fromisoformat(f["EndTime"]))
span = (max(ends) - min(starts)).total_seconds()
conv = sum(json.load(open(p))["converted"] for p in glob.glob(f"{out}/paiban-summary.task-*.json"))
print(f"slurm array of {tasks} task(s): {conv} converted, first start to last end {span:.0f} s ({conv / max(span, 1):.1f} issues/s)")
' "$out" "$tasks"
  done
}

case "${1:-}" in
  cost) cost ;;
  catalog) catalog ;;
  slurm) slurm ;;
  *) echo "usage: $0 cost|catalog|slurm" >&2; exit 2 ;;
esac
