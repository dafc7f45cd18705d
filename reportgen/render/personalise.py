"""A client's edition is the shared edition with its own cover page.

The body is laid out and written once per distinct branding; each client then costs one
cover page and a splice. pikepdf (qpdf) keeps the body's bookmarks, links, metadata and
PDF/A declaration, brings the cover's own embedded fonts, and writes only the objects the
result refers to, so a client copy is about the size of the master.
"""

from __future__ import annotations

import io

import pikepdf


def splice_cover(body: bytes, cover: bytes) -> bytes:
    """``body`` with its first page replaced by the first page of ``cover``. The same
    inputs give the same bytes (the file identifier is derived from the content), so an
    archived edition can be rebuilt byte for byte."""
    with pikepdf.open(io.BytesIO(body)) as pdf, pikepdf.open(io.BytesIO(cover)) as front:
        pdf.pages.insert(0, front.pages[0])
        del pdf.pages[1]
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()
