#!/usr/bin/env python3
"""Side by side with Typst (the `typst` Python binding, `pip install typst`) on one issue:
the same repaired text (`paiban normalize`), the same fonts (fonts/), A4 in three columns,
headings as headings; Typst writes PDF/A-2u too. Prints size and time of both.

Usage: benches/typst_side_by_side.py [ISSUE.md] [RUNS]   (after `cargo build --release`)

Typst is given a folder holding just the two SC faces the text is set in (fonts/ also holds
the editions' TC and HK faces, which Typst would otherwise index at every start).
`TYPST_SOURCE=FILE.typ` also writes the Typst source there and `TYPST_FONTS=DIR` links the two
faces into DIR, so the typst CLI can be timed as a whole process against paiban's:
    typst compile --font-path DIR --ignore-system-fonts --pdf-standard a-2u FILE.typ OUT.pdf
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import typst

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
issue = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "content/wujin-2023-12-29.md")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
# Typst's standards: PDF/A-2u like paiban's default; `TYPST_STANDARDS=` (empty) for its plain PDF.
standards = [s for s in os.environ.get("TYPST_STANDARDS", "a-2u").split(",") if s]
paiban = os.path.join(root, "target/release/paiban")

md = subprocess.run([paiban, "normalize", issue, "-q"], capture_output=True, text=True, check=True).stdout
md = re.sub(r"\A---\n.*?\n---\n", "", md, flags=re.S)


def escape(s: str) -> str:
    return re.sub(r"([\\#*_$@<>\[\]`~=/-])", r"\\\1", s)


body = []
for block in re.split(r"\n\s*\n", md):
    block = " ".join(block.split("\n")).strip()
    if not block:
        continue
    m = re.match(r"^(#{1,6})\s+(.*)$", block)
    if m:
        body.append("=" * len(m.group(1)) + " " + escape(m.group(2)))
    else:
        body.append(escape(block))
doc = (
    '#set page(paper: "a4", columns: 3)\n'
    '#set text(font: "Noto Serif CJK SC", size: 10pt, lang: "zh")\n'
    "#set par(justify: true, first-line-indent: 2em)\n\n" + "\n\n".join(body) + "\n"
)

if os.environ.get("TYPST_SOURCE"):
    with open(os.environ["TYPST_SOURCE"], "w") as f:
        f.write(doc)

with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, "issue.typ")
    with open(src, "w") as f:
        f.write(doc)
    sc = os.environ.get("TYPST_FONTS") or os.path.join(d, "fonts")
    os.makedirs(sc, exist_ok=True)
    for face in ["NotoSerifSC-Regular.otf", "NotoSerifSC-Bold.otf"]:
        if not os.path.exists(os.path.join(sc, face)):
            os.symlink(os.path.join(root, "fonts", face), os.path.join(sc, face))
    fonts = [sc]
    t0 = time.perf_counter()
    for _ in range(runs):
        pdf = typst.compile(src, font_paths=fonts, ignore_system_fonts=True, pdf_standards=standards)
    typst_t = (time.perf_counter() - t0) / runs
    out = os.path.join(d, "out")
    t0 = time.perf_counter()
    for _ in range(runs):
        subprocess.run([paiban, "build", issue, "--pdf", "-o", out], capture_output=True, check=True)
    paiban_t = (time.perf_counter() - t0) / runs
    size = os.path.getsize(os.path.join(out, os.path.basename(issue)[:-3] + ".pdf"))
    print(f"typst 0.15 (in process): {len(pdf):>8} bytes  {typst_t * 1000:7.1f} ms")
    print(f"paiban (whole process):  {size:>8} bytes  {paiban_t * 1000:7.1f} ms")
    print(f"ratio:                   {size / len(pdf):8.2f}×  {paiban_t / typst_t:7.2f}×")
