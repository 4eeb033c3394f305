#!/bin/sh
# Runs one or all fuzz targets for SECONDS each (default 1800), one after another, on one
# core, built as cargo-fuzz does by default: optimized, with debug assertions and overflow
# checks. Crashes, timeouts and out-of-memory inputs are kept in fuzz/artifacts/<target>/
# and the run goes on (-fork=1 -ignore_*), so one finding does not end a long run.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")"
secs=${1:-1800}
[ $# -gt 0 ] && shift
targets=${*:-normalize markdown build_issue image}
[ -d corpus/image ] || ./seed.sh
for t in $targets; do
  mkdir -p "artifacts/$t"
  echo "== $t for ${secs}s ($(date -u +%H:%M:%S))"
  cargo +nightly fuzz run "$t" "corpus/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict=paiban.dict -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1
done
