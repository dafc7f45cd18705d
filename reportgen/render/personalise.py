"""A client's edition is the shared edition with its own cover page.

The body is laid out and written once per distinct branding; each client then costs one
cover page and a splice. pypdf keeps the body's bookmarks, links, metadata and PDF/A
declaration, and the cover brings its own embedded fonts.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

from reportgen.quiet import captured_logs


def splice_cover(body: bytes, cover: bytes) -> bytes:
    """``body`` with its first page replaced by the first page of ``cover``."""
    # pypdf notes that WeasyPrint's trailer /Size undercounts its object streams; the file
    # reads correctly, and the note is not the user's concern.
    with captured_logs("pypdf"):
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(body)))
        writer.insert_page(PdfReader(io.BytesIO(cover)).pages[0], 0)
        writer.remove_page(1)
        buffer = io.BytesIO()
        writer.write(buffer)
    return buffer.getvalue()
