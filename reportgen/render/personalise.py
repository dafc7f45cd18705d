"""A client's edition is the shared edition with its own pages: a cover and, for a client
with holdings, a portfolio page after the summary.

The body is laid out and written once per distinct branding; each client then costs their
own pages and a splice. pikepdf (qpdf) keeps the body's bookmarks, links, metadata and
PDF/A declaration, brings the client pages' own embedded fonts, and writes only the objects
the result refers to, so a client copy is about the size of the master.
"""

from __future__ import annotations

import io

import pikepdf

# The cover and the one-page summary: a client's portfolio page comes after them.
SUMMARY_PAGES = 2


def splice_client_pages(body: bytes, own: bytes) -> bytes:
    """``body`` with its first page replaced by the first page of ``own`` and the rest of
    ``own`` inserted after the summary. The inserted pages are labelled "Your portfolio" and
    the body's pages keep their numbers (PDF page labels), as their running headers print
    them. The same inputs give the same bytes (the file identifier is derived from the
    content), so an archived edition can be rebuilt byte for byte."""
    with pikepdf.open(io.BytesIO(body)) as pdf, pikepdf.open(io.BytesIO(own)) as pages:
        pdf.pages.insert(0, pages.pages[0])
        del pdf.pages[1]
        extra = list(pages.pages)[1:]
        for offset, page in enumerate(extra):
            pdf.pages.insert(SUMMARY_PAGES + offset, page)
        if extra:
            pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([
                0, pikepdf.Dictionary(S=pikepdf.Name.D),
                SUMMARY_PAGES, pikepdf.Dictionary(P=pikepdf.String("Your portfolio ")
                                                  , S=pikepdf.Name.D),
                SUMMARY_PAGES + len(extra),
                pikepdf.Dictionary(S=pikepdf.Name.D, St=SUMMARY_PAGES + 1)]))
        buffer = io.BytesIO()
        pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()
