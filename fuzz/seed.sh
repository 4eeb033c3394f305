#!/bin/sh
# Seeds each target's corpus (fuzz/corpus/<target>/) from the repo's own issues: the sample
# issue, the normalizer corpus (damaged and clean) and the test fixtures. Inputs over
# 16 KiB are cut into 16 KiB pieces at line ends so libFuzzer mutates them efficiently.
set -eu
cd "$(dirname "$0")"
for t in normalize markdown build_issue; do
  mkdir -p "corpus/$t"
  find ../content ../tests/fixtures -name '*.md' -type f | sort | while read -r f; do
    base=$(echo "$f" | sed 's|^\.\./||; s|/|_|g')
    python3 - "$f" "corpus/$t/$base" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()
pieces, cur = [], b''
for line in data.splitlines(keepends=True):
    if len(cur) + len(line) > 16384 and cur:
        pieces.append(cur); cur = b''
    cur += line
pieces.append(cur)
for i, p in enumerate(pieces):
    open(f"{dst}.{i}", 'wb').write(p)
PY
  done
done
# The image target starts from the test images.
mkdir -p corpus/image
find ../tests/fixtures -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.svg' -o -name '*.gif' \) \
  | while read -r f; do cp "$f" "corpus/image/$(echo "$f" | sed 's|^\.\./||; s|/|_|g')"; done
echo "seeded: $(ls corpus/normalize | wc -l) inputs per target"
