#!/usr/bin/env python3
"""Writes a large issue for the memory benchmark: the sample issue's articles repeated,
each copy's headlines numbered so that articles stay distinct, until the file reaches
SIZE megabytes (default 50). Usage: benches/large_issue.py OUT.md [SIZE_MB]"""
import re
import sys

out = sys.argv[1]
size = int(float(sys.argv[2] if len(sys.argv) > 2 else 50) * 1024 * 1024)
with open("content/wujin-2023-12-29.md", encoding="utf-8") as f:
    sample = f.read()
# The front matter once, at the top; the body repeated below it.
front, body = "", sample
m = re.match(r"(---\n.*?\n---\n)(.*)", sample, re.S)
if m:
    front, body = m.group(1), m.group(2)
parts, total, n = [front], len(front.encode()), 0
while total < size:
    n += 1
    copy = re.sub(r"^(#{1,2} )", lambda h: f"{h.group(1)}第{n}篇 ", body, flags=re.M)
    data = copy + "\n\n"
    parts.append(data)
    total += len(data.encode())
with open(out, "w", encoding="utf-8") as f:
    f.write("".join(parts))
print(f"{out}: {total / 1048576:.1f} MB, {n} copies of the sample")
