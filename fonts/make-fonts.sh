#!/usr/bin/env bash
# Rebuilds the shipped fonts from Debian's fonts-noto-cjk (faces 2, 3 and 4 of each .ttc are
# Simplified Chinese, Traditional Chinese for Taiwan, and for Hong Kong).
# Needs: apt-get install fonts-noto-cjk; pip install fonttools
# Keeps: CJK Unified Ideographs (U+4E00–9FFF) (and Extension A in Regular), CJK symbols and punctuation,
# full-width forms, general punctuation, Latin-1 and Latin Extended-A, digits, and a few
# symbols newspapers print. Drops OpenType layout features (paiban does its own punctuation
# compression and no vertical writing) and hinting, which halves the size.
set -euo pipefail
cd "$(dirname "$0")"
SRC=/usr/share/fonts/opentype/noto
COMMON="U+0020-007E,U+00A0-017F,U+02C6-02DD,U+0391-03C9,U+0401-0451,U+2000-206F,U+2100-218F,U+2190-21FF,U+2200-22FF,U+2460-24FF,U+2500-257F,U+25A0-25FF,U+2600-26FF,U+3000-303F,U+3040-30FF,U+3105-312F,U+31C0-31EF,U+3200-32FF,U+4E00-9FFF,U+FE10-FE1F,U+FE30-FE4F,U+FF00-FFEF"
# Body text also gets Extension A and the compatibility ideographs (rare characters in names);
# headlines (Bold) fall back to the Regular face for those.
EXTRA=",U+3400-4DBF,U+F900-FAFF"
for w in Regular Bold; do
  pyftsubset "$SRC/NotoSerifCJK-$w.ttc" --font-number=2 --unicodes="$COMMON$([ $w = Regular ] && echo "$EXTRA")" \
    --layout-features='' --no-hinting --name-IDs='*' --name-languages='*' \
    --output-file="NotoSerifSC-$w.otf"
done
# The Traditional editions' regional faces (src/edition/mod.rs): the same ranges, and in Regular
# the face's Extension B characters too (HKSCS and Taiwan's names use them); they keep the
# vertical alternates (`vert`, `vrt2`) that vertical editions draw punctuation with.
for region in TC:3 HK:4; do
  for w in Regular Bold; do
    pyftsubset "$SRC/NotoSerifCJK-$w.ttc" --font-number="${region#*:}" \
      --unicodes="$COMMON$([ $w = Regular ] && echo "$EXTRA,U+20000-2FFFF")" \
      --layout-features='vert,vrt2' --no-hinting --name-IDs='*' --name-languages='*' \
      --output-file="NotoSerif${region%:*}-$w.otf"
  done
done
ls -l NotoSerif*.otf
