#!/usr/bin/env python3
"""Writes OUTDIR/NotoSerifCJK-{Regular,Bold}.ttc whose faces 3 and 4 are Noto Serif CJK TC
and HK cut as fonts/make-fonts.sh cuts the shipped SC faces (the same Unicode ranges, no
hinting) but keeping the `vert` feature vertical editions use. Not used by paiban: it
measures what a Traditional edition would cost with such faces instead of the system's
full, hinted collection (README "Editions", Cost):

    python3 benches/unhinted_regional_faces.py /tmp/faces
    PAIBAN_NOTO_CJK=/tmp/faces benches/edition.sh

Needs fonts-noto-cjk and fonttools (pip install fonttools). Faces 0-2 repeat face 3 (only
the regional faces are read).
"""
import os
import subprocess
import sys
import tempfile

from fontTools.ttLib import TTFont
from fontTools.ttLib.ttCollection import TTCollection

SRC = "/usr/share/fonts/opentype/noto"
# fonts/make-fonts.sh's ranges (Regular also keeps Extension A and the compatibility ideographs).
COMMON = ("U+0020-007E,U+00A0-017F,U+02C6-02DD,U+0391-03C9,U+0401-0451,U+2000-206F,"
          "U+2100-218F,U+2190-21FF,U+2200-22FF,U+2460-24FF,U+2500-257F,U+25A0-25FF,"
          "U+2600-26FF,U+3000-303F,U+3040-30FF,U+3105-312F,U+31C0-31EF,U+3200-32FF,"
          "U+4E00-9FFF,U+FE10-FE1F,U+FE30-FE4F,U+FF00-FFEF")
EXTRA = ",U+3400-4DBF,U+F900-FAFF"


def main(out):
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for weight in ["Regular", "Bold"]:
            faces = []
            for index in [3, 4]:
                path = os.path.join(tmp, f"{weight}-{index}.otf")
                unicodes = COMMON + (EXTRA if weight == "Regular" else "")
                subprocess.run(
                    ["pyftsubset", f"{SRC}/NotoSerifCJK-{weight}.ttc", f"--font-number={index}",
                     f"--unicodes={unicodes}", "--layout-features=vert", "--no-hinting",
                     "--name-IDs=*", "--name-languages=*", f"--output-file={path}"],
                    check=True)
                faces.append(TTFont(path))
            collection = TTCollection()
            collection.fonts = [faces[0]] * 4 + [faces[1]]
            collection.save(os.path.join(out, f"NotoSerifCJK-{weight}.ttc"))
    print(f"wrote {out}/NotoSerifCJK-{{Regular,Bold}}.ttc (face 3 TC, face 4 HK, unhinted)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
