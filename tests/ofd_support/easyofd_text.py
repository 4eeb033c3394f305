"""Prints the text of an OFD as easyofd (PyPI, a reader paiban did not write) parses it:
every TextObject's text, page by page, in the order the page holds them."""
import contextlib
import io
import logging
import sys

logging.disable(logging.CRITICAL)
from loguru import logger  # noqa: E402

logger.remove()
from easyofd.ofd import OFD  # noqa: E402

doc = OFD()
# easyofd prints progress to stdout; only the text goes there.
with contextlib.redirect_stdout(io.StringIO()):
    doc.read(sys.argv[1], fmt="path")
out = []
for d in doc.data:
    pages = d["page_info"]
    for key in sorted(pages, key=int):
        out.extend(t["text"] for t in pages[key]["text_list"])
sys.stdout.write("".join(out))
