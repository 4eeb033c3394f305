#!/usr/bin/env python3
"""Writes data/headline_dict.bin: jieba's dictionary (word, frequency, part-of-speech tag)
as a table sorted by UTF-8 bytes that src/headline_dict.rs searches in place, so a
process never parses the 5 MB text dictionary (jieba-rs did: ~0.1-0.2 s per process).

Usage: python3 benches/make_headline_dict.py PATH/TO/jieba-rs-0.8.1/src/data/dict.txt
Same input -> same bytes. Semantics follow jieba-rs `load_dict`: a repeated word keeps
its first tag and its last frequency; the total is the sum of the final frequencies.
"""
import struct
import sys


def main(src, out="data/headline_dict.bin"):
    words = {}
    order = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            w = parts[0]
            freq = int(parts[1]) if len(parts) > 1 else 0
            tag = parts[2] if len(parts) > 2 else ""
            if w in words:
                words[w] = (freq, words[w][1])
            else:
                words[w] = (freq, tag)
                order.append(w)
    total = sum(f for f, _ in words.values())
    keys = sorted(words, key=lambda w: w.encode("utf-8"))
    tags = sorted({t for _, t in words.values()})
    assert len(tags) < 256
    tag_ix = {t: i for i, t in enumerate(tags)}
    max_chars = max(len(w) for w in keys)
    # Front-coded blocks of BLOCK words: each record is (bytes shared with the previous
    # word, suffix length, suffix, frequency as LEB128, tag index); a block's first word
    # is whole, so a lookup binary-searches the blocks and scans one.
    BLOCK = 16

    def leb(n):
        out = bytearray()
        while True:
            byte = n & 0x7F
            n >>= 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return out

    records = bytearray()
    blocks = []
    prev = b""
    for i, w in enumerate(keys):
        b = w.encode("utf-8")
        shared = 0
        if i % BLOCK == 0:
            blocks.append(len(records))
        else:
            while shared < min(len(b), len(prev)) and b[shared] == prev[shared]:
                shared += 1
        assert len(b) < 256
        f, t = words[w]
        records += bytes([shared, len(b) - shared]) + b[shared:] + leb(f) + bytes([tag_ix[t]])
        prev = b
    b = bytearray(b"PBJD0002")
    b += struct.pack("<QIIIII", total, len(keys), len(tags), max_chars, BLOCK, len(blocks))
    for t in tags:
        tb = t.encode("ascii")
        b += struct.pack("<B", len(tb)) + tb
    b += struct.pack("<%dI" % len(blocks), *blocks)
    b += records
    with open(out, "wb") as f:
        f.write(b)
    print(f"{out}: {len(keys)} words, {len(tags)} tags, total {total}, longest {max_chars} chars, {len(b)} bytes")


if __name__ == "__main__":
    main(*sys.argv[1:])
