#!/usr/bin/env python3
"""Print-quality benchmark (issue #20): builds each input as a PDF with paiban and measures,
from `pdftotext -bbox-layout`, what a Chinese desk would not let through. The word check uses
Python `jieba` — a different segmenter build from the one paiban ships (jieba-rs), so a break
the shipped one allows and jieba sees inside a word still counts.

    pip install jieba
    python3 benches/print_quality.py [--bin target/release/paiban] INPUT...

INPUT: .md files or issue folders. Prints one line per input and the totals:
  word      headline line breaks inside a word (jieba on the two lines joined)
  title     headline line breaks between words but inside a book title 《…》
  single    headline lines of one character (punctuation aside)
  bracket   spaces between a full-width bracket or quote and a Chinese character
  uneven    lines whose mid-line `，、。；：` (not next to another mark) differ in advance or
            are below half an em
  spaced    lines of Han text whose characters stand more than a quarter em apart on average
  kinsoku   lines that start with a closing mark or end with an opening one
  justified share of body lines, other than a paragraph's last, that fill their column
  fill      pages (but a 版's last and the document's last) less than 90% filled
"""
import argparse
import html
import os
import re
import subprocess
import sys
import tempfile
import time

import jieba

jieba.setLogLevel(60)

NO_START = set("，。、；：？！）》」』】〕〗〙〛｝］〉”’…—～·‥・%‰℃")
NO_END = set("（《「『【〔〖〘〚｛［〈“‘")
BRACKETS = set("（）《》「」『』【】〔〕〖〗“”‘’")
MID = set("，、。；：")
# Top and bottom margins of the A4 style, in points (16 mm).
MARGIN = 16 * 72 / 25.4


def is_han(c):
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def is_punct(c):
    return ("\u3000" <= c <= "\u303f") or ("\uff00" <= c <= "\uffef") or c in "“”‘’—…·"


def words_of(page_xml):
    """Lines of a page: (size, x0, x1, y0, [(x0, x1, text)])."""
    lines = []
    for m in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                         page_xml, re.S):
        x0, y0, x1, y1 = map(float, m.groups()[:4])
        ws = [(float(a), float(b), html.unescape(t)) for a, b, t in
              re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', m.group(5))]
        lines.append([round(y1 - y0, 1), x0, x1, y0, ws])
    # A half-width mark's box overlaps the next glyph: poppler splits the line there.
    merged = []
    for l in lines:
        if merged and abs(merged[-1][3] - l[3]) < 0.01 and merged[-1][0] == l[0] and l[1] < merged[-1][2] + 0.5 \
                and l[2] > merged[-1][2]:
            merged[-1][2] = l[2]
            merged[-1][4] += l[4]
        else:
            merged.append(l)
    return merged


def text(l):
    return "".join(w[2] for w in l[4])


def measure(pdf, body):
    out = subprocess.run(["pdftotext", "-bbox-layout", pdf, "-"], capture_output=True, text=True).stdout
    pages = out.split("<page ")[1:]
    r = dict(word=0, title=0, single=0, bracket=0, uneven=0, spaced=0, kinsoku=0, body=0, full=0, pages=len(pages),
             fill_bad=0, examples=[])
    page_h = None
    bottoms = []
    for p in pages:
        page_h = float(re.search(r'height="([\d.]+)"', p).group(1))
        lines = words_of(p)
        text_lines = [l for l in lines if l[0] >= body - 0.5]
        # Headline lines: larger than the body, grouped by size and vertical adjacency.
        heads = [l for l in lines if l[0] >= body * 1.25]
        for a, b in zip(heads, heads[1:]):
            if a[0] != b[0] or not (0 < b[3] - a[3] < a[0] * 2.0):
                continue
            left, right = text(a), text(b)
            joined = left + right
            cut = len(left)
            pos = 0
            inside = False
            for w in jieba.cut(joined):
                if pos < cut < pos + len(w):
                    inside = True
                pos += len(w)
            if inside:
                r["word"] += 1
                r["examples"].append(f"word: {left} / {right}")
            elif left.count("《") > left.count("》"):
                # Between words, but inside a book title (one longer than the line must
                # break somewhere): counted apart.
                r["title"] += 1
                r["examples"].append(f"title: {left} / {right}")
        for l in heads:
            solid = [c for c in text(l) if not is_punct(c) and not c.isspace()]
            if len(solid) == 1:
                r["single"] += 1
                r["examples"].append(f"single: {text(l)}")
        for l in text_lines:
            ws = l[4]
            # A space is a gap wider than the line's usual one between words (a justified
            # line's stretch makes poppler split it at every character).
            gaps = sorted(b[0] - a[1] for a, b in zip(ws, ws[1:]))
            lens = sorted(len(w[2]) for w in ws)
            split = lens[len(lens) // 2] <= 1 if lens else False
            usual = gaps[len(gaps) // 2] if gaps and split else 0
            for a, b in zip(ws, ws[1:]):
                ea, sb = a[2][-1:], b[2][:1]
                gap = b[0] - a[1]
                if gap < 0.2 * l[0] or gap < usual + 0.1 * l[0]:
                    continue
                if (ea in BRACKETS and is_han(sb)) or (is_han(ea) and sb in BRACKETS):
                    r["bracket"] += 1
                    r["examples"].append(f"bracket: {a[2]} {b[2]}")
            t = text(l)
            if t and (t[0] in NO_START and not t.startswith("——") and not t.startswith("……")) or (t and t[-1] in NO_END):
                r["kinsoku"] += 1
                r["examples"].append(f"kinsoku: {t}")
            # Letter-spacing: a line of Han text (and marks) whose glyphs sit wider than
            # a quarter em apart on average.
            n = len(t)
            if n >= 4 and all(is_han(c) or is_punct(c) for c in t):
                extra = (l[2] - l[1] - n * l[0]) / (n - 1)
                if extra > 0.25 * l[0]:
                    r["spaced"] += 1
                    r["examples"].append(f"spaced: {t}")
        # Uneven reduction: within one line, mid-line marks not next to another mark keep
        # one advance, at least half an em. A mark's advance is read as the distance to the
        # next glyph, which -bbox-layout gives only at word edges: use characters of words
        # split evenly (the layout draws whole ems or exact halves).
        for l in text_lines:
            chars = []
            for x0, x1, t in l[4]:
                k = len(t)
                for i, c in enumerate(t):
                    chars.append((x0 + (x1 - x0) * i / k, c))
            adv = []
            for i in range(1, len(chars) - 1):
                c = chars[i][1]
                if c in MID and not is_punct(chars[i + 1][1]) and not is_punct(chars[i - 1][1]):
                    adv.append(chars[i + 1][0] - chars[i][0])
            if adv and (max(adv) - min(adv) > 0.05 * l[0] or min(adv) < 0.5 * l[0] - 0.05):
                r["uneven"] += 1
        # Justification: body lines in columns; a line that is not a paragraph's last
        # (the next line in the column starts flush, not indented) fills the column.
        body_lines = [l for l in lines if abs(l[0] - body) < 0.6]
        cols = {}
        for l in body_lines:
            cols.setdefault(round(l[1] / 40), []).append(l)
        right = {}
        for k, ls in cols.items():
            # The column's edge: the right end most lines share (a line may end in a mark
            # whose full-em box poppler reports past it).
            ends = [round(l[2], 1) for l in ls]
            right[k] = max(set(ends), key=ends.count)
        for k, ls in cols.items():
            ls.sort(key=lambda l: l[3])
            left = min(l[1] for l in ls)
            for a, b in zip(ls, ls[1:]):
                if not (0 < b[3] - a[3] < body * 2.2) or b[1] > left + body * 1.5:
                    continue
                if abs(b[1] - left) > 0.6:
                    continue
                r["body"] += 1
                if a[2] >= right[k] - 0.6 or len(ls) < 3:
                    r["full"] += 1
                else:
                    r["examples"].append(f"ragged: {text(a)}")
        ys = [l[3] + l[0] for l in lines if l[0] >= body - 0.5 and l[3] < page_h - MARGIN]
        ban = re.search(r"<word[^>]*>(第\d+版)</word>", p)
        bottoms.append((max(ys) if ys else 0, ban.group(1) if ban else None))
    # Fill: a page that is neither its 版's last nor the document's last reaches 90% of the
    # text area's height (page 1 carries no head: its 版 is the first named one).
    bans = [b for _, b in bottoms]
    first = next((b for b in bans if b), None)
    bans = [b or (first if i == 0 else None) for i, b in enumerate(bans)]
    text_h = page_h - 2 * MARGIN
    r["fills"] = []
    for i in range(len(bottoms) - 1):
        if bans[i] is not None and bans[i + 1] != bans[i]:
            continue
        f = (bottoms[i][0] - MARGIN) / text_h
        r["fills"].append(f)
        if f < 0.9:
            r["fill_bad"] += 1
            r["examples"].append(f"fill: page {i + 1} {f:.0%}")
    r.pop("fills")
    return r, bottoms, page_h


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/paiban")
    ap.add_argument("--body", type=float, default=10.0, help="body size of the style, pt")
    ap.add_argument("-v", action="store_true", help="print each finding")
    ap.add_argument("inputs", nargs="+")
    a = ap.parse_args()
    tot = {}
    t0 = time.time()
    with tempfile.TemporaryDirectory() as d:
        for i, inp in enumerate(a.inputs):
            out = os.path.join(d, str(i))
            p = subprocess.run([a.bin, "build", inp, "--pdf", "-q", "-o", out], capture_output=True, text=True)
            if p.returncode != 0:
                p = subprocess.run([a.bin, "build", inp, "--pdf", "-o", out], capture_output=True, text=True)
            pdfs = [f for f in os.listdir(out)] if os.path.isdir(out) else []
            pdfs = [os.path.join(out, f) for f in pdfs if f.endswith(".pdf")]
            if not pdfs:
                print(f"{inp}: no PDF ({p.stderr.strip()[:200]})")
                continue
            r, bottoms, page_h = measure(pdfs[0], a.body)
            ex = r.pop("examples")
            for k, v in r.items():
                tot[k] = tot.get(k, 0) + v
            just = r["full"] / r["body"] if r["body"] else 1.0
            print(f"{os.path.basename(inp.rstrip('/'))}: pages {r['pages']} word {r['word']} title {r['title']} single {r['single']} "
                  f"bracket {r['bracket']} uneven {r['uneven']} spaced {r['spaced']} kinsoku {r['kinsoku']} "
                  f"justified {just:.4f} underfilled {r['fill_bad']}")
            if a.v:
                for e in ex:
                    print("   ", e)
    just = tot["full"] / tot["body"] if tot.get("body") else 1.0
    print(f"TOTAL {len(a.inputs)} inputs, {tot.get('pages', 0)} pages: word {tot.get('word', 0)} "
          f"title {tot.get('title', 0)} "
          f"single {tot.get('single', 0)} bracket {tot.get('bracket', 0)} uneven {tot.get('uneven', 0)} "
          f"spaced {tot.get('spaced', 0)} kinsoku {tot.get('kinsoku', 0)} justified {just:.4f} "
          f"underfilled {tot.get('fill_bad', 0)} "
          f"({tot.get('full', 0)}/{tot.get('body', 0)}) in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
