"""A client's edition is the shared edition made theirs: their block (name, adviser) drawn
over the shared cover, which leaves room for it, and, for a client with holdings, their
portfolio pages after the summary.

The body is laid out and written once per distinct branding, and so is the frame of a
portfolio page (the page with its running header and footer, and nothing in its text
column); the clients' blocks and their portfolio pages' contents are drawn by librsvg
(``render/drawn.py``), a batch of clients to one PDF. Each client then costs their
drawings and a splice. pikepdf (qpdf) keeps the body's bookmarks, links, metadata and
PDF/A declaration, brings the drawings' embedded fonts, and writes only the objects the
result refers to, so a client copy is about the size of the master.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass

import pikepdf

from reportgen.render.chart_pages import drawn_form, opened_drawings

# The cover and the one-page summary: a client's portfolio page comes after them.
SUMMARY_PAGES = 2
BLOCK_NAME = pikepdf.Name("/ClientBlock")  # the block's form, in the cover's resources
POINTS_PER_PX = 72 / 96  # WeasyPrint draws 1 CSS px as 0.75 pt


@dataclass(frozen=True)
class Body:
    """One branding's shared pages, laid out once; where its cover leaves room for a
    client's block (its top-left corner, CSS px from the page's); and, for a branding with
    clients who hold something, the frame of a portfolio page (a PDF of one page) and where
    its text column begins (CSS px from the page's top-left corner)."""

    pdf: bytes
    block_at: tuple[float, float]
    frame: bytes | None = None
    frame_at: tuple[float, float] = (0.0, 0.0)


def split_client_pages(drawn: bytes, portfolios: Sequence[Sequence[int]],
                       blocks: Sequence[int], body: Body) -> Iterator[bytes]:
    """Each client's copy, in order: ``body`` with the client's block drawn over its
    cover, and their portfolio pages after the summary, each its drawn contents on the
    frame (see ``splice_client_pages``); ``drawn``: librsvg's PDF of the batch's
    drawings, of which ``blocks`` and ``portfolios`` give each client's, by page number.

    The body is read once for the whole batch: each client's pages are spliced into it,
    the copy saved, and the splice undone. Reading the body again for every client was
    ~40% of the splice's time (its objects parsed anew each time); a copy is the same
    bytes either way, since only what the document refers to is written (test)."""
    with ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.open(io.BytesIO(body.pdf)))
        drawings = stack.enter_context(opened_drawings(drawn))
        frame = None
        if body.frame is not None:
            frame_pdf = stack.enter_context(pikepdf.open(io.BytesIO(body.frame)))
            frame = (pdf.copy_foreign(frame_pdf.pages[0].as_form_xobject()),
                     pikepdf.Array(frame_pdf.pages[0].mediabox.as_list()))
        for own, block in zip(portfolios, blocks, strict=True):
            pages = [_drawn_on(pdf, frame, drawings.pages[n], body.frame_at) for n in own]
            yield splice_client_pages(pdf, drawings.pages[block], pages, body.block_at)


def _drawn_on(pdf: pikepdf.Pdf, frame: tuple[pikepdf.Object, pikepdf.Array] | None,
              contents: pikepdf.Page, at: tuple[float, float]) -> pikepdf.Page:
    """A new page of ``pdf``: the frame (a form, and its page's size), and over it
    ``contents``, drawn, their top-left corner ``at`` (CSS px from the page's)."""
    assert frame is not None, "a branding whose clients hold something has a frame"
    form, mediabox = frame
    page = pikepdf.Page(pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=mediabox,
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Frame=form)),
        Contents=pdf.make_stream(b"q /Frame Do Q\n"))))
    _draw(pdf, page, contents, at, pikepdf.Name("/Portfolio"))
    return page


def splice_client_pages(pdf: pikepdf.Pdf, block: pikepdf.Page, own: list[pikepdf.Page],
                        block_at: tuple[float, float]) -> bytes:
    """``pdf`` (the body) saved with ``block`` (the client's, drawn) over its cover, its
    top-left corner at ``block_at`` (CSS px right and down from the page's: where the
    cover leaves room for it), and the pages ``own`` inserted after the summary; ``pdf`` is
    then put back as it was but for its cover's resource named BLOCK_NAME, which the next
    client's block replaces (what it still holds of this client is referred to by nothing,
    so never written). The inserted pages are labelled "Your portfolio" and the body's pages
    keep their numbers (PDF page labels), as their running headers print them.
    The same inputs give the same bytes (the file identifier is derived from the content),
    so an archived edition can be rebuilt byte for byte."""
    cover = pdf.pages[0]
    contents = cover.obj.Contents
    cover.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    cover.contents_add(pikepdf.Stream(pdf, b"\nQ\n"))
    _draw(pdf, cover, block, block_at, BLOCK_NAME)
    for offset, page in enumerate(own):
        pdf.pages.insert(SUMMARY_PAGES + offset, page)
    if own:
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([
            0, pikepdf.Dictionary(S=pikepdf.Name.D),
            SUMMARY_PAGES, pikepdf.Dictionary(P=pikepdf.String("Your portfolio "),
                                              S=pikepdf.Name.D),
            SUMMARY_PAGES + len(own),
            pikepdf.Dictionary(S=pikepdf.Name.D, St=SUMMARY_PAGES + 1)]))
    buffer = io.BytesIO()
    # The body's XMP metadata (WeasyPrint's) names no PDF version, so pikepdf's fixing of
    # that version would only re-serialise it: 40% of the save's time.
    pdf.save(buffer, deterministic_id=True, fix_metadata_version=False)

    del pdf.pages[SUMMARY_PAGES:SUMMARY_PAGES + len(own)]
    cover.obj.Contents = contents
    if own:
        del pdf.Root.PageLabels  # the body has none of its own: WeasyPrint writes none
    return buffer.getvalue()


def _draw(pdf: pikepdf.Pdf, page: pikepdf.Page, drawing: pikepdf.Page,
          at: tuple[float, float], name: pikepdf.Name) -> None:
    """Draw ``drawing`` (a page of librsvg's) on ``page``, its top-left corner ``at`` CSS
    px right and down from the page's, as a form XObject under a fixed name: pikepdf's
    ``add_overlay`` names it at random, and a rebuild must give the same bytes."""
    page.add_resource(pdf.copy_foreign(drawn_form(drawing)), pikepdf.Name.XObject, name=name)
    height = float(drawing.mediabox[3]) - float(drawing.mediabox[1])
    right = at[0] * POINTS_PER_PX
    up = float(page.mediabox[3]) - at[1] * POINTS_PER_PX - height  # PDF's y axis points up
    page.contents_add(pikepdf.Stream(
        pdf, f"q 1 0 0 1 {right:.3f} {up:.3f} cm {name} Do Q\n".encode()))
