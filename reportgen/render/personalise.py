"""A client's edition is the shared edition made theirs: their block (name, adviser) laid
over the shared cover, which leaves room for it, and, for a client with holdings, a
portfolio page after the summary.

The body is laid out and written once per distinct branding, and the clients' own pages
many clients to one document; each client then costs their block, their portfolio page and
a splice. pikepdf (qpdf) keeps the body's
bookmarks, links, metadata and PDF/A declaration, brings the client pages' embedded fonts,
and writes only the objects the result refers to, so a client copy is about the size of
the master.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

import pikepdf

# The cover and the one-page summary: a client's portfolio page comes after them.
SUMMARY_PAGES = 2
ANCHOR = "client-{}"  # client_pages.html.j2 marks where each client's pages begin
BLOCK_NAME = pikepdf.Name("/ClientBlock")  # the block's form, in the cover's resources
POINTS_PER_PX = 72 / 96  # WeasyPrint draws 1 CSS px as 0.75 pt


def client_page_ranges(page_anchors: list[dict[str, tuple[float, ...]]], clients: int
                       ) -> list[range]:
    """Which pages of a batch document are each client's, from the anchors on each page."""
    starts = [next(n for n, anchors in enumerate(page_anchors) if ANCHOR.format(i) in anchors)
              for i in range(clients)]
    return [range(start, end) for start, end in zip(starts, [*starts[1:], len(page_anchors)],
                                                    strict=True)]


def split_client_pages(batch: bytes, pages_of: Sequence[Sequence[int]], body: bytes,
                       block_at: tuple[float, float]) -> Iterator[bytes]:
    """Each client's copy, in order: ``body`` with the client's pages from the batch (their
    block, then any portfolio page: ``pages_of``, by page number) spliced in, the block
    moved to ``block_at`` on the cover (see ``splice_client_pages``).
    WeasyPrint gives all of a document's pages one resource dictionary; each page is first
    left with only what it uses, so a copy does not carry the whole batch's charts and
    fonts (1.0 MB against 0.34 MB a copy, with the master at 0.29 MB).

    The body is read once for the whole batch: each client's pages are spliced into it,
    the copy saved, and the splice undone. Reading the body again for every client was
    ~40% of the splice's time (its objects parsed anew each time); a copy is the same
    bytes either way, since only what the document refers to is written (test)."""
    with pikepdf.open(io.BytesIO(batch)) as pages, pikepdf.open(io.BytesIO(body)) as pdf:
        pages.remove_unreferenced_resources()
        for own in pages_of:
            yield splice_client_pages(pdf, [pages.pages[n] for n in own], block_at)


def splice_client_pages(pdf: pikepdf.Pdf, own: list[pikepdf.Page],
                        block_at: tuple[float, float]) -> bytes:
    """``pdf`` (the body) saved with ``own[0]`` (the client's block) laid over its cover,
    moved by ``block_at`` (CSS px right and down: the block is laid out at the page area's
    corner, so a batch can be laid out before the body is, and moved to where the body's
    cover leaves room for it), and the rest of ``own`` inserted after the summary; ``pdf``
    is then put back as it was but for its cover's resource named BLOCK_NAME, which the
    next client's block replaces (what it still holds of this client is referred to by
    nothing, so never written). The inserted pages are labelled "Your portfolio" and the
    body's pages keep their numbers (PDF page labels), as their running headers print them.
    The same inputs give the same bytes (the file identifier is derived from the content),
    so an archived edition can be rebuilt byte for byte."""
    cover = pdf.pages[0]
    contents = cover.obj.Contents
    _lay_over(pdf, cover, own[0], block_at)
    for offset, page in enumerate(own[1:]):
        pdf.pages.insert(SUMMARY_PAGES + offset, page)
    if len(own) > 1:
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([
            0, pikepdf.Dictionary(S=pikepdf.Name.D),
            SUMMARY_PAGES, pikepdf.Dictionary(P=pikepdf.String("Your portfolio "),
                                              S=pikepdf.Name.D),
            SUMMARY_PAGES + len(own) - 1,
            pikepdf.Dictionary(S=pikepdf.Name.D, St=SUMMARY_PAGES + 1)]))
    buffer = io.BytesIO()
    # The body's XMP metadata (WeasyPrint's) names no PDF version, so pikepdf's fixing of
    # that version would only re-serialise it: 40% of the save's time.
    pdf.save(buffer, deterministic_id=True, fix_metadata_version=False)

    del pdf.pages[SUMMARY_PAGES:SUMMARY_PAGES + len(own) - 1]
    cover.obj.Contents = contents
    if len(own) > 1:
        del pdf.Root.PageLabels  # the body has none of its own: WeasyPrint writes none
    return buffer.getvalue()


def _lay_over(pdf: pikepdf.Pdf, page: pikepdf.Page, block: pikepdf.Page,
              shift: tuple[float, float]) -> None:
    """Draw ``block`` (a page of the same size) over ``page``, ``shift`` CSS px right and
    down, as a form XObject under a fixed name: pikepdf's ``add_overlay`` names it at
    random, and a rebuild must give the same bytes."""
    form = pdf.copy_foreign(block.as_form_xobject())
    page.add_resource(form, pikepdf.Name.XObject, name=BLOCK_NAME)
    right, down = (px * POINTS_PER_PX for px in shift)  # PDF's y axis points up
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(
        pdf, f"\nQ q 1 0 0 1 {right:.3f} {-down:.3f} cm {BLOCK_NAME} Do Q\n".encode()))
