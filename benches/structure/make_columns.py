#!/usr/bin/env python3
"""Build round-trip test pairs typeset in REAL newspaper and book column widths (N characters a line).

Extends ../shared/tools/make_roundtrip.py (same method, same converters, same output format) with
`--measure N`: the column (text) width is exactly N em at the body size, so every full line of running
text holds N Chinese characters.  Layouts depend on the measure:

  narrow measures (N <= 20, newspaper columns: 11, 14, 16)
    broadsheet  对开 page 500 mm high, 18 mm side margins, body 9 pt, as many columns of N em as fit a ~310 mm text width
                (N=11: 7 columns, 14: 6, 16: 5), 6 mm gutters (narrower gutters make pdftotext read
                across the columns).  The headline group at the start of the
                document (the `#` title and any `##` heads that follow it directly) is set across ALL
                columns at the top of the first page (a float in the page's parent scope), centred,
                bold, at 24 pt (`#`) / 14 pt (`##`), wrapping over two or more lines when long.  Section
                heads (`##`) later in the text stay in their column, bold, 10 pt, centred, wrapping inside
                the column.  Running head: date with weekday · paper name · `第N版 版名` (mirrored on even
                pages); no footer.
    tabloid     4开 page 370 mm high, 15 mm side margins, body 9 pt, columns to fill ~230 mm (N=11: 5, 14: 4, 16: 4),
                headline 20 pt across all columns; running head paper name · date, footer `第 N 版 版名`.
    octavo      8开 page 260 mm high, body 9 pt, columns to fill ~150 mm (N=11: 3, 14: 3, 16: 2), headline
                16 pt across them, furniture as tabloid: a short page, so multi-column text runs over
                several pages (page breaks, not only column breaks).
    strip       ONE column of N em alone on a tall narrow page (N em + 24 mm wide, 330 mm high), body
                10 pt, headline in the column at 14 pt (wrapping over several lines); running head
                paper name · `第N版 版名`, footer date with weekday.  Every converter reads it in order,
                so every converter has narrow-column data; it is also the fallback (below).
  book / report measures (N > 20: 33, 45)
    single-column pages in the styles of make_roundtrip.py: `a5-head` (A5, 10 pt; paper + date above a
    rule, `第 N 版` below), `b5-head` (B5, 11 pt; `第N版` + 版名 above, paper + date below),
    `b5-small` (B5, 9 pt, same furniture), `a4-head` (A4, 10.5 pt, like a5-head), `a5-folio` /
    `a4-folio` (bare folio `— N —`), whichever fit the measure with side margins between 12 and 40 mm
    (N=33: a5-head, b5-head, b5-small, a5-folio; N=45: b5-small, a4-head, a4-folio).

Each document gets one layout by a hash of measure + name; the first folio is hash-chosen too.  All
text is justified with a 2-em first-line indent and no space between paragraphs.

REFERENCE (break-free) rendering: the same column width and the same headline block (same width, so it
wraps the same), no running head, no folio: one page of automatic height for markitdown and pdftotext;
pages of automatic height broken only between two ordinary paragraphs for pymupdf4llm (as in
make_roundtrip.py, whose docstring says why), about every 600 characters -- or 400, 900, 300, 1200
where pymupdf4llm reads a page of it as a table (`|...<br>...|`), which a reference must not carry;
where every length does, the 600 one is kept and NAME.json says `reference_read_as_table: true` (its
NAME.clean.md is then no fair reference for score_roundtrip.py; score_structure.py does not read it).

Reading order: where a converter scrambles a multi-column page (8+ characters of the reference missing
from the paginated output at their place), the document is typeset again for that converter with 12 mm
gutters (`*-wide`, fewer columns), and if that is scrambled too, in the `strip`
layout of the same measure; NAME.json says so (layout_fallback_from / _reason), and the scrambled
output is kept as OUT/scrambled/CONVERTER/NAME.LAYOUT.damaged.md for study.  Real multi-column
pages are kept wherever the converter reads them in order.

Break positions come from the PAGINATED PDF: every character of the body area (running head and folio
excluded) is read with PyMuPDF and assigned to the headline block (characters set at headline size in a
multi-column layout) or to the column that holds its centre; each page gives [headline], column 1..n in
that order, and their concatenation must equal the source text.  Boundaries between consecutive
segments are page or column breaks (the headline -> column 1 boundary is none: the headline ends there).
They are mapped into the converter outputs by a difflib alignment of whitespace-free streams, as in
make_roundtrip.py, and written as NAME.breaks.json (scorer format) and NAME.json.

Usage
  python3 make_columns.py --measure N --src DIR --out DIR [--converters pymupdf4llm markitdown pdftotext]
                          [--manifest FILE] [--jobs 2] [--only NAME ...] [--keep-pdf] [--source-copy DIR]

Deterministic: every choice derives from the measure and document name (SHA-256 of "col1:N:" + name).
"""
import argparse, collections, datetime, difflib, glob, hashlib, json, math, os, re, shutil, subprocess, sys, tempfile
from concurrent.futures import ProcessPoolExecutor

DEFAULT_MANIFEST = None  # default: SRC/index.json when present
CONVERTERS = ("pymupdf4llm", "markitdown", "pdftotext")
WEEKDAYS = "一二三四五六日"
WS = re.compile(r"\s+")
PT = 25.4 / 72  # mm per pt
SECTION = {"government-work-report": "政务", "news-release": "要闻", "communique": "要闻",
           "official-notice": "要闻", "resolution": "要闻", "speech": "政务", "feature": "综合",
           "signed-article": "理论", "news-briefs": "要闻", "report": "政务"}

# ---------------------------------------------------------------------------------
# layouts (lengths in mm, sizes in pt).  kind: multi (several columns, spanning headline), strip (one
# narrow column), book (one wide column).  style: which running head / folio furniture.
NARROW = {
    "broadsheet": dict(kind="multi", w=None, side=18, h=500, t=28, b=20, size=9, gutter=6, target=310,
                       head_size=24, sub_size=14, h2_size=10, style="news3"),
    "tabloid": dict(kind="multi", w=None, side=15, h=370, t=24, b=20, size=9, gutter=6, target=230,
                    head_size=20, sub_size=13, h2_size=10, style="tabloid"),
    "octavo": dict(kind="multi", w=None, side=15, h=260, t=22, b=18, size=9, gutter=6, target=150,
                   head_size=16, sub_size=12, h2_size=10, style="tabloid"),
    "strip": dict(kind="strip", w=None, h=330, t=22, b=18, size=10, gutter=0, side=12,
                  head_size=14, sub_size=12, h2_size=11, style="strip"),
}
NARROW_ORDER = ("broadsheet", "tabloid", "octavo", "strip")
# second try for a multi-column page a converter scrambled: the same page with 12 mm gutters
NARROW["broadsheet-wide"] = dict(NARROW["broadsheet"], gutter=12)
NARROW["tabloid-wide"] = dict(NARROW["tabloid"], gutter=12)
NARROW["octavo-wide"] = dict(NARROW["octavo"], gutter=12)
BOOK = {
    "a5-head": dict(kind="book", w=148, h=210, t=20, b=18, size=10, style="a5-head"),
    "b5-head": dict(kind="book", w=176, h=250, t=22, b=20, size=11, style="b5-head"),
    "b5-small": dict(kind="book", w=176, h=250, t=22, b=20, size=9, style="b5-head"),
    "a4-head": dict(kind="book", w=210, h=297, t=24, b=20, size=10.5, style="a5-head"),
    "a5-folio": dict(kind="book", w=148, h=210, t=16, b=20, size=10, style="folio"),
    "a4-folio": dict(kind="book", w=210, h=297, t=20, b=22, size=10.5, style="folio"),
}
BOOK_ORDER = ("a5-head", "b5-head", "b5-small", "a4-head", "a5-folio", "a4-folio")
FALLBACK = "strip"  # one narrow column, used when a converter scrambles a multi-column page
REF_CHUNKS = (600, 400, 900, 300, 1200)  # page lengths (characters) tried for pymupdf4llm's reference
TABLE_MARKUP = re.compile(r"<br>|^\|.*\|$", re.M)


def layouts_for(measure):
    """{name: resolved layout} usable at this measure (column width = measure em at body size)."""
    out = {}
    if measure <= 20:
        for name in NARROW:
            L = dict(NARROW[name])
            colw = measure * L["size"] * PT
            if L["kind"] == "multi":
                n = max(2, int((L["target"] + L["gutter"]) // (colw + L["gutter"])))
                L["cols"] = n
                L["w"] = round(n * colw + (n - 1) * L["gutter"] + 2 * L["side"], 3)
            else:
                L["cols"] = 1
                L["w"] = round(colw + 2 * L["side"], 3)
            out[name] = L
    else:
        for name in BOOK_ORDER:
            L = dict(BOOK[name], cols=1, gutter=0)
            colw = measure * L["size"] * PT
            side = (L["w"] - colw) / 2
            if 12 <= side <= 40:
                out[name] = L
    for L in out.values():
        # + 0.01 mm so that N full-width characters always fit (rounding of the printed lengths)
        colw = measure * L["size"] * PT + 0.01
        L["col"] = colw
        L["textw"] = L["cols"] * colw + (L["cols"] - 1) * L["gutter"]
        L["l"] = L["r"] = round((L["w"] - L["textw"]) / 2, 3)
        L["measure"] = measure
    return out


def tstr(s):
    """A Typst string literal in markup: every character is literal text."""
    return '#"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_blocks(md):
    out = []
    for b in re.split(r"\n[ \t]*\n", md.strip("\n")):
        b = b.strip()
        if not b:
            continue
        b = " ".join(x.strip() for x in b.split("\n"))  # (the corpus has one line per block)
        if b.startswith("## "):
            out.append(("h2", b[3:].strip()))
        elif b.startswith("# "):
            out.append(("h1", b[2:].strip()))
        else:
            out.append(("p", b))
    return out


def headline_group(blocks):
    """Number of leading blocks that form the headline group: a `#` title and the `##` heads right after it."""
    if not blocks or blocks[0][0] != "h1":
        return 0
    n = 1
    while n < len(blocks) and blocks[n][0] == "h2":
        n += 1
    return n


def block_markup(kind, text):
    return {"h1": "= ", "h2": "== ", "p": ""}[kind] + tstr(text)


def fmt(x):
    return f"{x:.4f}".rstrip("0").rstrip(".")


def preamble(L):
    s = L["size"]
    # justified CJK text, 2-em indent on every paragraph, no extra space between paragraphs
    pre = (f'#set text(font: "Noto Serif CJK SC", size: {s}pt, lang: "zh", region: "cn", cjk-latin-spacing: none)\n'
           f"#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 0.75em, spacing: 0.75em)\n"
           f'#show heading: set text(weight: "bold")\n')
    if L["kind"] == "book":
        pre += ("#show heading: set block(above: 1.2em, below: 1.0em)\n"
                f"#show heading.where(level: 1): it => align(center, text(size: {s + 5}pt, it.body))\n"
                f"#show heading.where(level: 2): it => text(size: {s + 1.5}pt, it.body)\n")
    else:
        # newspaper: section heads centred in their column, a little larger than the body
        pre += ("#show heading: set block(above: 1.0em, below: 0.8em)\n"
                f"#show heading.where(level: 1): it => align(center, text(size: {L['head_size']}pt, it.body))\n"
                f"#show heading.where(level: 2): it => align(center, text(size: {L['h2_size']}pt, it.body))\n")
    return pre


def headline_markup(L, head):
    """The headline group as a block as wide as the text (all columns) -- multi-column layouts only."""
    inner = "\n\n".join(block_markup(k, t) for k, t in head)
    return (f"#block(width: {fmt(L['textw'])}mm)[\n"
            f"#show heading: set block(above: 0.5em, below: 0.5em)\n"
            f"#show heading.where(level: 1): it => align(center, text(size: {L['head_size']}pt, it.body))\n"
            f"#show heading.where(level: 2): it => align(center, text(size: {L['sub_size']}pt, it.body))\n"
            f"{inner}\n]")


def split_head(L, blocks):
    n = headline_group(blocks) if L["kind"] == "multi" else 0
    return blocks[:n], blocks[n:]


def paginated_body(L, blocks):
    head, rest = split_head(L, blocks)
    parts = []
    if head:
        parts.append(f"#place(top + center, float: true, scope: \"parent\", clearance: 8mm)["
                     f"{headline_markup(L, head)}]")
    parts += [block_markup(k, t) for k, t in rest]
    return "\n\n".join(parts) + "\n"


def ref_body(L, blocks, chunk=None):
    """Break-free body: the headline block as wide as in print, then the text in one column.
    With chunk: page breaks only between two ordinary paragraphs (>= 30 chars each), about every
    `chunk` characters (pymupdf4llm)."""
    head, rest = split_head(L, blocks)
    parts = [headline_markup(L, head)] if head else []
    n = 0
    for i, (k, t) in enumerate(rest):
        if (chunk and parts and n >= chunk and k == "p" and len(t) >= 30 and i > 0 and rest[i - 1][0] == "p"
                and len(rest[i - 1][1]) >= 30):
            parts.append("#pagebreak()")
            n = 0
        parts.append(block_markup(k, t))
        n += len(t)
    return "\n\n".join(parts) + "\n"


def page_setup(L, meta, first_page):
    paper = tstr(meta["paper"])
    date = tstr(meta["date_cn"])
    sect = tstr(meta["section"])
    # the folio is the physical page number plus an offset, computed where it is shown, so that page 1
    # carries the first folio too (a counter update in the body reaches page 1's header too late)
    folio = f"context str(here().page() + {first_page - 1})"
    rule = "#v(-5pt) #line(length: 100%, stroke: 0.4pt)"
    style = L["style"]
    if style == "news3":
        # 2026年2月12日 星期四 · 内蒙古日报 · 第3版 政务, mirrored on even pages
        odd = f"{date} #h(1fr) {paper} #h(1fr) 第#{folio}版 #h(0.5em) {sect}"
        even = f"第#{folio}版 #h(0.5em) {sect} #h(1fr) {paper} #h(1fr) {date}"
        header = (f"[#set text(size: 10pt); #context if calc.odd(here().page() + {first_page - 1}) "
                  f"[{odd}] else [{even}] {rule}]")
        footer = "none"
    elif style == "tabloid":
        header = f"[#set text(size: 9pt); {paper} #h(1fr) {date} {rule}]"
        footer = f"[#set text(size: 8.5pt); #align(center)[第 #{folio} 版 #h(0.5em) {sect}]]"
    elif style == "strip":
        header = f"[#set text(size: 7pt); {paper} #h(1fr) 第#{folio}版 #h(0.3em) {sect} {rule}]"
        footer = f"[#set text(size: 7pt); #align(center)[{date}]]"
    elif style == "a5-head":
        header = f"[#set text(size: 8pt); {paper} #h(1fr) {date} {rule}]"
        footer = f"[#set text(size: 8pt); #align(center)[第 #{folio} 版]]"
    elif style == "b5-head":
        header = f"[#set text(size: 8.5pt); 第#{folio}版 #h(1fr) {sect} {rule}]"
        footer = f"[#set text(size: 8pt); #align(center)[{paper} #h(1em) {date}]]"
    else:  # folio
        header = "none"
        footer = f"[#set text(size: 9pt); #align(center)[— #{folio} —]]"
    return (f"#set page(width: {fmt(L['w'])}mm, height: {L['h']}mm, "
            f"margin: (left: {fmt(L['l'])}mm, right: {fmt(L['r'])}mm, top: {L['t']}mm, bottom: {L['b']}mm), "
            f"columns: {L['cols']}, header: {header}, footer: {footer})\n"
            f"#set columns(gutter: {L['gutter']}mm)\n")


def ref_setup(L, has_head):
    # text area = one column; the headline block (as wide as all columns) may overhang into the right margin
    extra = (L["textw"] - L["col"]) if has_head else 0
    w = L["l"] + L["textw"] + L["r"] if has_head else L["l"] + L["col"] + L["r"]
    return (f"#set page(width: {fmt(w)}mm, height: auto, "
            f"margin: (left: {fmt(L['l'])}mm, right: {fmt(L['r'] + extra)}mm, top: {L['t']}mm, bottom: {L['b']}mm), "
            f"header: none, footer: none)\n")


# ---------------------------------------------------------------------------------
def font_dir():
    try:
        f = subprocess.run(["fc-match", "-f", "%{file}", "Noto Serif CJK SC"], capture_output=True,
                           text=True).stdout.strip()
        if "NotoSerifCJK" in f:
            return os.path.dirname(f)
    except OSError:
        pass
    return "/usr/share/fonts/opentype/noto"


def compile_typst(src, pdf, fonts):
    import typst
    typ = pdf[:-4] + ".typ"
    with open(typ, "w", encoding="utf-8") as fh:
        fh.write(src)
    typst.compile(typ, output=pdf, font_paths=[fonts])


def tidy(t):
    t = t.replace("\r\n", "\n").replace("\r", "\n")
    t = "\n".join(ln.rstrip() for ln in t.split("\n"))
    t = re.sub(r"\n{3,}", "\n\n", t).strip("\n")
    return t + "\n"


def join_pages(pages):
    return tidy("\n\n".join(p.strip("\n") for p in pages))


def convert(conv, pdf):
    if conv == "pymupdf4llm":
        import pymupdf4llm
        chunks = pymupdf4llm.to_markdown(pdf, page_chunks=True, show_progress=False)
        return join_pages([c["text"] for c in chunks])
    if conv == "markitdown":
        from markitdown import MarkItDown
        t = MarkItDown().convert(pdf).text_content
        return join_pages(t.split("\f"))
    if conv == "pdftotext":
        t = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True, check=True,
                           text=True).stdout
        return join_pages(t.split("\f"))
    raise ValueError(conv)



# ---------------------------------------------------------------------------------
def read_lines(chars):
    """Characters (baseline y, extraction order, char) read line by line: lines are runs of baselines
    less than 2 pt apart, top to bottom; within a line the PDF's own order (x can mislead: Typst sets
    a dash pair or a trimmed bracket with overlapping origins)."""
    lines, cur, y0 = [], [], None
    for y, n, c in sorted(chars):
        if y0 is not None and y - y0 >= 2:
            lines.append(cur)
            cur = []
        if not cur:
            y0 = y
        cur.append((n, c))
    if cur:
        lines.append(cur)
    return "".join(c for ln in lines for _, c in sorted(ln))


def body_segments(pdf, L):
    """Whitespace-free body text of each page: [headline], column 1..n (running head/folio excluded).

    Every character inside the body area is read; in a multi-column layout a character set larger than
    the in-column section heads belongs to the spanning headline block, any other one to the column
    that holds its centre.  Within a segment characters are read line by line."""
    import pymupdf
    mm = 72 / 25.4
    head_min = (L.get("h2_size", L["size"]) + 1.5) if L["kind"] == "multi" else 1e9
    segs = []
    with pymupdf.open(pdf) as doc:
        for pno, page in enumerate(doc):
            top, bot = L["t"] * mm - 1, page.rect.height - L["b"] * mm + 1
            left, pitch = L["l"] * mm, (L["col"] + L["gutter"]) * mm
            buckets = collections.defaultdict(list)
            seq = 0
            for b in page.get_text("rawdict")["blocks"]:
                for ln in b.get("lines", []):
                    for sp in ln["spans"]:
                        for ch in sp["chars"]:
                            c = ch["c"]
                            seq += 1
                            if c.isspace():
                                continue
                            x0, y0, x1, y1 = ch["bbox"]
                            yc = (y0 + y1) / 2
                            if yc < top or yc > bot:
                                continue
                            if sp["size"] >= head_min:
                                key = 0
                            else:
                                # column boundaries in the middle of the gutters (a line-initial
                                # opening bracket hangs half an em to the left of its column)
                                xc = (x0 + x1) / 2 - left + L["gutter"] * mm / 2
                                key = 1 + min(L["cols"] - 1, max(0, int(xc // pitch)))
                            buckets[key].append((ch["origin"][1], seq, c))
            if buckets.get(0):
                segs.append(dict(page=pno + 1, column=0, headline=True, text=read_lines(buckets[0])))
            for col in range(1, L["cols"] + 1):
                segs.append(dict(page=pno + 1, column=col, text=read_lines(buckets.get(col, []))))
        npages = doc.page_count
    return segs, npages


def stream_with_index(t):
    chars, idx = [], []
    for i, ch in enumerate(t):
        if not ch.isspace():
            chars.append(ch)
            idx.append(i)
    return "".join(chars), idx


class Aligner:
    """Maps positions of the source stream onto a converter output's stream."""

    def __init__(self, src_stream, text):
        self.text = text
        self.s, self.idx = stream_with_index(text)
        sm = difflib.SequenceMatcher(None, src_stream, self.s, autojunk=False)
        self.blocks = [b for b in sm.get_matching_blocks() if b.size]

    def pos(self, k):
        """Stream index in the output of source char k, or None if unmatched."""
        for a, b, n in self.blocks:
            if a <= k < a + n:
                return b + (k - a)
        return None

    def offset(self, k):
        p = self.pos(k)
        return None if p is None else self.idx[p]


def block_starts(text):
    """Code point offsets where each blank-line separated block starts (first non-ws char)."""
    starts = []
    for m in re.finditer(r"(?:^|\n[ \t\u3000]*\n)\s*(\S)", text):
        starts.append(m.start(1))
    return starts


def is_han(c):
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF


def locate_breaks(src_stream, segs, clean, damaged):
    """Break records in the scorer's breaks.json format (+ extra fields)."""
    ca, da = Aligner(src_stream, clean), Aligner(src_stream, damaged)
    cstarts = set(block_starts(clean))
    dstream, didx = da.s, da.idx
    breaks, k = [], 0
    for i, seg in enumerate(segs[:-1]):
        k += len(seg["text"])
        if not seg["text"] or k >= len(src_stream) or seg.get("headline"):
            continue  # (the end of the spanning headline block is no break)
        nxt = segs[i + 1]
        kind_of = "page" if nxt["page"] != seg["page"] else "column"
        prev_c, next_c = src_stream[k - 1], src_stream[k]
        c_off = ca.offset(k)
        c_prev = ca.offset(k - 1)
        d_prev, d_next = da.pos(k - 1), da.pos(k)
        rec = dict(break_type=kind_of, page=nxt["page"], column=nxt["column"])
        if c_off is None or c_prev is None:
            rec.update(kind="unmapped")
            breaks.append(rec)
            continue
        # a true boundary if a clean block starts after c_prev and at or before c_off
        at_boundary = any(c_prev < s <= c_off for s in cstarts)
        if at_boundary:
            c_off = min(s for s in cstarts if c_prev < s <= c_off)
        style = ("boundary" if at_boundary else
                 "mid-word" if is_han(prev_c) and is_han(next_c) else
                 "after-comma" if prev_c in "，,、" else
                 "after-full-stop" if prev_c in "。！？" else "other")
        header, d_off = [], None
        if d_prev is not None:
            d_off = didx[d_prev] + 1
            d_end = didx[d_next] if d_next is not None else None
            if d_end is not None and d_end > d_off:
                mid = damaged[d_off:d_end]
                # material between the two halves, minus the markup that wraps the text
                header = [ln.strip() for ln in mid.split("\n") if ln.strip()]
        rec.update(kind="at-paragraph-boundary" if at_boundary else "mid-paragraph", style=style,
                   clean_offset=c_off, damaged_offset=d_off, dup="", header=header,
                   context=clean[max(0, c_off - 12):c_off] + "|" + clean[c_off:c_off + 12])
        breaks.append(rec)
    # leftovers at the very start / end of the damaged file
    first, last = da.pos(0), da.pos(len(src_stream) - 1)
    if first is not None:
        head = [ln.strip() for ln in damaged[:didx[first]].split("\n") if ln.strip()]
        head = [h for h in head if not re.fullmatch(r"[#*_ ]+", h)]
        if head:
            breaks.insert(0, dict(break_type="doc-start", kind="at-paragraph-boundary", style="doc-start",
                                  clean_offset=0, damaged_offset=0, dup="", header=head, page=1))
    if last is not None:
        tail = [ln.strip() for ln in damaged[didx[last] + 1:].split("\n") if ln.strip()]
        tail = [h for h in tail if not re.fullmatch(r"[#*_ ]+", h)]
        if tail:
            breaks.append(dict(break_type="doc-end", kind="at-paragraph-boundary", style="doc-end",
                               clean_offset=len(clean), damaged_offset=didx[last] + 1, dup="",
                               header=tail, page=segs[-1]["page"]))
    return breaks


def unexplained_diffs(clean, damaged, breaks, window=40):
    """Differences between the whitespace-free clean and damaged streams that lie
    farther than `window` characters from every break (= converter noise that is not
    page-break damage)."""
    cs, cidx = stream_with_index(clean)
    ds, _ = stream_with_index(damaged)
    pos = []
    for b in breaks:
        if b.get("clean_offset") is not None:
            pos.append(len(WS.sub("", clean[:b["clean_offset"]])))
    out = []
    sm = difflib.SequenceMatcher(None, ds, cs, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        if any(j1 - window <= p <= j2 + window for p in pos):
            continue
        out.append(dict(tag=tag, damaged=ds[i1:i2][:60], clean=cs[j1:j2][:60], clean_pos=j1))
    return out


def missing_text(clean, damaged, min_chars=8):
    """Text of the clean file that is absent from the damaged file at its place.
    Page-break damage only ever adds material (blank lines, running heads, folios),
    so a missing run of text means the converter moved text out of reading order."""
    cs, _ = stream_with_index(clean)
    ds, _ = stream_with_index(damaged)
    sm = difflib.SequenceMatcher(None, ds, cs, autojunk=False)
    return [cs[j1:j2][:60] for tag, i1, i2, j1, j2 in sm.get_opcodes()
            if tag in ("insert", "replace") and len(re.sub(r"[*#_<>/u|\\-]", "", cs[j1:j2])) >= min_chars]


# ---------------------------------------------------------------------------------
def doc_meta(name, manifest):
    m = manifest.get(name, {})
    date = m.get("date") or "2026-01-01"
    d = datetime.date.fromisoformat(date)
    return dict(paper=m.get("paper") or "人民日报",
                date_cn=f"{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}",
                section=SECTION.get(m.get("genre", ""), "综合"))


def choose_layout(name, measure, names):
    h = int.from_bytes(hashlib.sha256(f"col1:{measure}:{name}".encode("utf-8")).digest()[:8], "big")
    return names[h % len(names)], 1 + (h >> 8) % 12


def process(args):
    path, out, converters, manifest, keep_pdf, versions, measure = args
    name = os.path.basename(path)[: -len(".clean.md")]
    md = open(path, encoding="utf-8").read()
    blocks = parse_blocks(md)
    src_stream = "".join(WS.sub("", t) for _, t in blocks)
    lays = layouts_for(measure)
    layout0, first_page = choose_layout(name, measure, [k for k in lays if not k.endswith("-wide")])
    meta = doc_meta(name, manifest)
    fonts = font_dir()
    log = []
    with tempfile.TemporaryDirectory() as tmp:
        rendered = {}

        def render(layout, conv):
            """PAGINATED PDF (cached) + the REFERENCE PDF this converter needs (cached)."""
            L = lays[layout]
            if layout not in rendered:
                pag = os.path.join(tmp, layout + ".paginated.pdf")
                compile_typst(preamble(L) + page_setup(L, meta, first_page) + paginated_body(L, blocks), pag, fonts)
                segs, npages = body_segments(pag, L)
                got = "".join(x["text"] for x in segs)
                ok = got == src_stream
                if not ok:
                    sm = difflib.SequenceMatcher(None, src_stream, got, autojunk=False)
                    diff = [(t, src_stream[a:b][:30], got[c:d][:30]) for t, a, b, c, d in sm.get_opcodes()
                            if t != "equal"][:3]
                    log.append(f"{name} [{layout}]: body text of the paginated PDF differs from the source: {diff}")
                rendered[layout] = dict(pag=pag, segs=segs, npages=npages, ok=ok)
            R = rendered[layout]
            kind = "ref_chunk" if conv == "pymupdf4llm" else "ref_tall"
            if kind not in R:
                has_head = bool(split_head(L, blocks)[0])
                ref = os.path.join(tmp, f"{layout}.{kind}.pdf")
                if kind == "ref_tall":
                    compile_typst(preamble(L) + ref_setup(L, has_head) + ref_body(L, blocks), ref, fonts)
                else:
                    # pymupdf4llm's layout model now and then reads a tall page of narrow running text
                    # as a table (`|…<br>…|`); the reference must not carry that, so other page lengths
                    # are tried until one reads as text
                    R["ref_table"] = True
                    for chunk in REF_CHUNKS:
                        compile_typst(preamble(L) + ref_setup(L, has_head) + ref_body(L, blocks, chunk=chunk),
                                      ref, fonts)
                        if not TABLE_MARKUP.search(convert(conv, ref)):
                            R["ref_table"] = False
                            break
                    else:
                        # every page length reads as a table somewhere: keep the usual one, say so
                        chunk = REF_CHUNKS[0]
                        compile_typst(preamble(L) + ref_setup(L, has_head) + ref_body(L, blocks, chunk=chunk),
                                      ref, fonts)
                    if chunk != REF_CHUNKS[0] or R["ref_table"]:
                        log.append(f"{name} [{layout}]: pymupdf4llm reads the reference as a table at "
                                   + ("every page length" if R["ref_table"] else f"600 characters a page; {chunk} used"))
                    R["ref_chunk_size"] = chunk
                R[kind] = ref
            return R, R[kind]

        for conv in converters:
            layout, fallback_reason = layout0, None
            while True:
                L = lays[layout]
                R, ref = render(layout, conv)
                clean = convert(conv, ref)
                damaged = convert(conv, R["pag"])
                breaks = locate_breaks(src_stream, R["segs"], clean, damaged)
                noise = unexplained_diffs(clean, damaged, breaks)
                moved = missing_text(clean, damaged)
                if L["cols"] > 1 and moved:
                    sd = os.path.join(out, "scrambled", conv)
                    os.makedirs(sd, exist_ok=True)
                    with open(os.path.join(sd, f"{name}.{layout}.damaged.md"), "w", encoding="utf-8") as fh:
                        fh.write(damaged)
                    # The converter got the reading order of the multi-column pages wrong (columns
                    # interleaved line by line, or blocks out of order).  That is not page-break damage
                    # and no normalizer can repair it: try wider gutters, then one narrow column.
                    nxt = layout + "-wide" if layout + "-wide" in lays else FALLBACK
                    fallback_reason = ((fallback_reason + "; ") if fallback_reason else "") + (
                        f"{layout}: {len(moved)} text region(s) out of reading order "
                        f"in the {conv} output, e.g. {moved[0]}")
                    log.append(f"{name} [{conv}]: {layout}: {len(moved)} region(s) out of order -> {nxt}")
                    layout = nxt
                    continue
                break
            d = os.path.join(out, conv)
            with open(os.path.join(d, name + ".clean.md"), "w", encoding="utf-8") as fh:
                fh.write(clean)
            with open(os.path.join(d, name + ".damaged.md"), "w", encoding="utf-8") as fh:
                fh.write(damaged)
            sb = [b for b in breaks if b.get("kind") in ("mid-paragraph", "at-paragraph-boundary")
                  and b.get("clean_offset") is not None]
            with open(os.path.join(d, name + ".breaks.json"), "w", encoding="utf-8") as fh:
                json.dump(dict(doc=name, punct_ascii_rate=0.0, breaks=sb), fh, ensure_ascii=False, indent=1)
            params = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in L.items()}
            info = dict(doc=name, converter=conv, converter_version=versions.get(conv),
                        typst_version=versions.get("typst"), measure=measure, layout=layout,
                        layout_params=params, columns=L["cols"],
                        layout_fallback_from=(layout0 if fallback_reason else None),
                        layout_fallback_reason=fallback_reason,
                        column_width_mm=round(L["col"], 3), body_size_pt=L["size"], first_folio=first_page,
                        headline_spans_columns=(L["cols"] if split_head(L, blocks)[0] else None),
                        running_head=dict(paper=meta["paper"], date=meta["date_cn"],
                                          section=meta["section"]) if L["style"] != "folio" else None,
                        pages=R["npages"],
                        reference=(f"pages broken only between paragraphs, about every "
                                   f"{R.get('ref_chunk_size', 600)} characters" if conv == "pymupdf4llm"
                                   else "one page of automatic height"),
                        typeset_text_matches_source=R["ok"],
                        reference_read_as_table=R.get("ref_table", False) if conv == "pymupdf4llm" else False,
                        breaks=breaks, unexplained_differences=noise,
                        reading_order_problems=moved)
            with open(os.path.join(d, name + ".json"), "w", encoding="utf-8") as fh:
                json.dump(info, fh, ensure_ascii=False, indent=1)
            if noise:
                log.append(f"{name} [{conv}]: {len(noise)} difference(s) away from breaks")
            if moved:
                log.append(f"{name} [{conv}] ({layout}): text missing/moved: {moved[:2]}")
        if keep_pdf:
            for lay, R in rendered.items():
                for k in ("pag", "ref_tall", "ref_chunk"):
                    if k in R:
                        shutil.copy(R[k], os.path.join(out, "pdf", name + "." + os.path.basename(R[k])))
                with open(os.path.join(out, "pdf", f"{name}.{lay}.segments.json"), "w", encoding="utf-8") as fh:
                    json.dump(R["segs"], fh, ensure_ascii=False, indent=0)
    return name, log


def versions():
    v = {}
    try:
        import typst
        v["typst"] = "typst (Python binding) " + getattr(typst, "__version__", "?")
    except ImportError:
        pass
    try:
        import pymupdf4llm, pymupdf
        v["pymupdf4llm"] = f"pymupdf4llm {pymupdf4llm.__version__} (PyMuPDF {pymupdf.__version__})"
        try:
            import importlib.metadata as im
            v["pymupdf4llm"] += f", pymupdf-layout {im.version('pymupdf-layout')}"
        except Exception:
            pass
    except ImportError:
        pass
    try:
        import markitdown, importlib.metadata as im
        v["markitdown"] = f"markitdown {markitdown.__version__} (pdfminer.six {im.version('pdfminer.six')})"
    except ImportError:
        pass
    try:
        r = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True)
        v["pdftotext"] = (r.stderr or r.stdout).splitlines()[0].strip() + " (poppler)"
    except OSError:
        pass
    return v



README = """# Column-width round-trip corpus — {conv}, {measure} characters a line

Pairs for scoring a Markdown content normalizer (page/column-break damage, and the structure of the
original text) on output of a real PDF converter ({ver}) from pages set in a real column width: every full
line of running text holds {measure} Chinese characters.

## How it was made

`make_columns.py --measure {measure}` (an extension of `../shared/tools/make_roundtrip.py`; its docstring
gives every detail) typeset each clean source document with Typst ({typst}) in Noto Serif CJK SC,
justified, 2-em first-line indent, no extra space between paragraphs, in a column exactly {measure} em wide
at the body size, twice:

* **paginated** — one layout per document, chosen by a hash of measure and name:
{layouts}
  Page numbers start at a hash-chosen page; newspaper names and dates are those of the manifest.
* **reference** — the same content, one column of the same width, the headline block (if any) as wide
  as in print so it wraps the same, no running head and no folio, {refdesc}

Where {conv} got the reading order of a multi-column page wrong (8+ characters of text out of place),
that document was typeset again with 12 mm gutters (`broadsheet-wide` / `tabloid-wide`), and where that
was scrambled too, in the single narrow-column `strip` layout of the same measure, for this converter; `NAME.json` records it (`layout_fallback_from`, `layout_fallback_reason`); {fallbacks}

Both PDFs were converted page by page: {how}  Both outputs then got only trailing spaces stripped per
line and runs of blank lines collapsed.  The reference conversion is `NAME.clean.md` (expected output of
page-break repair), the paginated one `NAME.damaged.md` (input).  The ORIGINAL texts (for
`score_structure.py`) are in `../../source/NAME.clean.md`.

## Files

| file | what it is |
| --- | --- |
| `NAME.damaged.md` | converter output of the paginated PDF (input to the normalizer) |
| `NAME.clean.md` | converter output of the reference PDF |
| `NAME.breaks.json` | page/column breaks in the scorer's format (`kind`, `clean_offset`, `damaged_offset`, `style`, `header` = lines found between the two halves in the damaged file) |
| `NAME.json` | converter and versions, measure, layout and its parameters, columns, page count, every break, `unexplained_differences` (converter noise away from breaks), `reading_order_problems` |

## Scoring

```
python3 ../shared/tools/score_structure.py --source SOURCE --cmd 'target/release/paiban normalize {{in}}' DIR
python3 ../shared/tools/score_roundtrip.py --source SOURCE --cmd 'target/release/paiban normalize {{in}}' DIR
```

Source texts: public official documents (government work reports, official communiqués and notices,
news releases); see the source corpus's README / index.json for provenance and licence status.
"""

LAYOUT_DESC = {
    "broadsheet": "`broadsheet` (350 x 500 mm, body 9 pt, {cols} columns, 6 mm gutters; the headline group — `#` title and the `##` heads right after it — across all columns at the top of page 1 at 24/14 pt, wrapping when long; later `##` heads centred in their column at 10 pt; running head date · paper · `第N版 版名`, mirrored on even pages)",
    "broadsheet-wide": "`broadsheet-wide` (the same with 12 mm gutters: {cols} columns, {w} mm wide; second try when a converter scrambled `broadsheet`)",
    "octavo": "`octavo` ({w} x 260 mm, body 9 pt, {cols} columns, 6 mm gutters; headline group across all columns at 16/12 pt; furniture as tabloid)",
    "octavo-wide": "`octavo-wide` (the same with 12 mm gutters: {cols} columns, {w} mm wide; second try when a converter scrambled `octavo`)",
    "tabloid-wide": "`tabloid-wide` (the same with 12 mm gutters: {cols} columns, {w} mm wide; second try when a converter scrambled `tabloid`)",
    "tabloid": "`tabloid` ({w} x 370 mm, body 9 pt, {cols} columns, 6 mm gutters; headline group across all columns at 20/13 pt; running head paper · date, footer `第 N 版 版名`)",
    "strip": "`strip` (one column alone on a {w} x 330 mm page, body 10 pt, headline in the column at 14 pt; running head paper · `第N版 版名`, footer date with weekday)",
    "a5-head": "`a5-head` (A5, 10 pt; paper + date above a rule, `第 N 版` below)",
    "b5-head": "`b5-head` (B5, 11 pt; `第N版` + 版名 above a rule, paper + date below)",
    "b5-small": "`b5-small` (B5, 9 pt; `第N版` + 版名 above a rule, paper + date below)",
    "a4-head": "`a4-head` (A4, 10.5 pt; paper + date above a rule, `第 N 版` below)",
    "a5-folio": "`a5-folio` (A5, 10 pt, bare folio `— N —`)",
    "a4-folio": "`a4-folio` (A4, 10.5 pt, bare folio `— N —`)",
}
HOW = {
    "pymupdf4llm": "`pymupdf4llm.to_markdown(pdf, page_chunks=True)` in its default mode "
                   "(with the pymupdf-layout model), chunk texts joined with a blank line.",
    "markitdown": "`MarkItDown().convert(pdf).text_content`; the form feed at each page end replaced by a blank line.",
    "pdftotext": "`pdftotext -enc UTF-8 PDF -` (default reading-order mode); the form feed at each "
                 "page end replaced by a blank line.",
}
REFDESC = {
    "pymupdf4llm": "on pages of automatic height broken only between two ordinary paragraphs (about 600 "
                   "characters a page; a single tall page makes pymupdf4llm's layout model merge paragraphs).",
    "markitdown": "on one page of automatic height: no page break at all.",
    "pdftotext": "on one page of automatic height: no page break at all.",
}


def write_readme(out, conv, measure, v):
    d = os.path.join(out, conv)
    infos = [json.load(open(f, encoding="utf-8")) for f in sorted(glob.glob(os.path.join(d, "*.json")))
             if not f.endswith(".breaks.json")]
    lays = layouts_for(measure)
    lay = collections.Counter(i["layout"] for i in infos)
    fb = [i["doc"] for i in infos if i.get("layout_fallback_from")]
    nb = collections.Counter((b.get("break_type"), b.get("kind")) for i in infos for b in i["breaks"])
    stats = (f"in this folder: {len(fb)} of {len(infos)} documents"
             + (f" ({', '.join(fb)})" if fb else "") + ".\n\n"
             + "Layouts used: " + ", ".join(f"`{k}` {n}" for k, n in sorted(lay.items()))
             + f"; {sum(i['pages'] for i in infos)} pages in all.  Breaks: "
             + ", ".join(f"{k[0]} {k[1]} {n}" for k, n in sorted(nb.items(), key=str)) + ".")
    ld = "\n".join("  * " + LAYOUT_DESC[k].format(cols=L["cols"], w=round(L["w"])) for k, L in lays.items())
    with open(os.path.join(d, "README.md"), "w", encoding="utf-8") as fh:
        fh.write(README.format(conv=conv, measure=measure, ver=v.get(conv, conv), typst=v.get("typst", "typst"),
                               layouts=ld, how=HOW[conv], refdesc=REFDESC[conv], fallbacks=stats))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--measure", type=int, required=True, help="characters per line (column width in em)")
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--converters", nargs="+", default=list(CONVERTERS), choices=CONVERTERS)
    ap.add_argument("--manifest", default=DEFAULT_MANIFEST)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--keep-pdf", action="store_true")
    ap.add_argument("--source-copy", help="also copy each original NAME.clean.md into this folder")
    a = ap.parse_args()
    if not layouts_for(a.measure):
        sys.exit(f"no layout fits a measure of {a.measure} characters")
    mpath = a.manifest or os.path.join(a.src, "index.json")
    manifest = {m["name"]: m for m in json.load(open(mpath, encoding="utf-8"))} if os.path.exists(mpath) else {}
    files = sorted(glob.glob(os.path.join(a.src, "*.clean.md")))
    if a.only:
        files = [f for f in files if os.path.basename(f)[: -len(".clean.md")] in a.only]
    if not files:
        sys.exit("no *.clean.md in --src")
    v = versions()
    for conv in a.converters:
        d = os.path.join(a.out, conv)
        if not a.only and os.path.isdir(d):
            for f in glob.glob(os.path.join(d, "*")):
                os.remove(f)
        os.makedirs(d, exist_ok=True)
    if a.keep_pdf:
        os.makedirs(os.path.join(a.out, "pdf"), exist_ok=True)
    if a.source_copy:
        os.makedirs(a.source_copy, exist_ok=True)
        for f in files:
            shutil.copy(f, os.path.join(a.source_copy, os.path.basename(f)))
    jobs = [(f, a.out, a.converters, manifest, a.keep_pdf, v, a.measure) for f in files]
    logs = []
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as ex:
            for name, log in ex.map(process, jobs):
                print(name, flush=True)
                logs += log
    else:
        for j in jobs:
            name, log = process(j)
            print(name, flush=True)
            logs += log
    for ln in logs:
        print("NOTE", ln)
    for conv in a.converters:
        write_readme(a.out, conv, a.measure, v)


if __name__ == "__main__":
    main()
