"""Splicing clients' drawn pages into the shared body: the body is read once for a whole
batch, so each copy must be exactly the copy spliced into a freshly read body, whatever the
clients before it had (portfolio pages or not); and what is drawn lands where the body's
cover and the portfolio page's frame leave room for it."""

from __future__ import annotations

import io
import subprocess

import pikepdf
from pypdf import PdfReader

from reportgen.render.chart_pages import opened_drawings, svg_pages
from reportgen.render.drawn import FONTS_CONFIG, Type, drawn_block, paragraph
from reportgen.render.pdf import render_document
from reportgen.render.personalise import (
    Body,
    splice_client_pages,
    split_client_pages,
)

BODY = "".join(f'<section style="break-after: page"><h1>Shared page {n}</h1></section>'
               for n in range(1, 5))
FRAME = '<p style="margin: 0">Frame of a portfolio page</p>'
# Client 0 holds something (two portfolio pages), 1 nothing, 2 one page.
PORTFOLIO_PAGES = {0: 2, 1: 0, 2: 1}
BLOCK_AT = (12.0, 340.5)  # CSS px right and down, where the body's cover leaves room
FRAME_AT = (60.0, 75.0)  # and where the frame's text column begins


def _html(body: str) -> str:
    return f"<!DOCTYPE html><html lang=en><head><title>t</title></head><body>{body}</body></html>"


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _drawn() -> tuple[bytes, list[list[int]], list[int]]:
    """librsvg's PDF of the clients' portfolio pages, then their blocks; and each client's
    pages in it."""
    svgs, pages_of = [], []
    for n, count in PORTFOLIO_PAGES.items():
        pages_of.append(list(range(len(svgs), len(svgs) + count)))
        svgs += [paragraph(f"Portfolio of client {n}, page {k + 1}", Type(9.0), 300.0
                           ).svg() for k in range(count)]
    blocks = list(range(len(svgs), len(svgs) + len(PORTFOLIO_PAGES)))
    svgs += [drawn_block(f"client {n}", None).svg() for n in PORTFOLIO_PAGES]
    with svg_pages(lambda: svgs, FONTS_CONFIG) as drawn:
        return drawn(), pages_of, blocks


def test_a_body_read_once_gives_each_client_the_copy_a_fresh_body_gives() -> None:
    body = Body(render_document(_html(BODY)).pdf, BLOCK_AT,
                render_document(_html(FRAME)).pdf, FRAME_AT)
    drawn, pages_of, blocks = _drawn()

    made = list(split_client_pages(drawn, pages_of, blocks, body))

    fresh = []
    for own, block in zip(pages_of, blocks, strict=True):
        fresh += split_client_pages(drawn, [own], [block], body)
    assert made == fresh
    for (n, count), copy in zip(PORTFOLIO_PAGES.items(), made, strict=True):
        text = _text(copy)
        assert f"Prepared for client {n}" in text[0] and "Shared page 1" in text[0]
        assert len(text) == 4 + count
        for k in range(count):
            assert f"Portfolio of client {n}, page {k + 1}" in text[2 + k]
            assert "Frame of a portfolio page" in text[2 + k]
        assert "Shared page 3" in text[2 + count]
        assert PdfReader(io.BytesIO(copy)).page_labels[:4] == (
            ["1", "2", "Your portfolio 1", "Your portfolio 2"] if count == 2 else
            ["1", "2", "Your portfolio 1", "3"] if count == 1 else ["1", "2", "3", "4"])
        assert sum(f"client {other}" in "".join(text) for other in PORTFOLIO_PAGES) == 1


def test_the_drawings_land_where_the_cover_and_the_frame_leave_room() -> None:
    """The block's top-left corner at BLOCK_AT on the cover, a portfolio page's at FRAME_AT
    on its frame, each at its own size."""
    body = Body(render_document(_html(BODY)).pdf, BLOCK_AT,
                render_document(_html(FRAME)).pdf, FRAME_AT)
    drawn, pages_of, blocks = _drawn()
    copy, = split_client_pages(drawn, [pages_of[2]], [blocks[2]], body)
    with opened_drawings(drawn) as drawings:
        sizes = [float(drawings.pages[n].mediabox[3]) for n in (blocks[2], pages_of[2][0])]
    for page, (x, y), height in zip((1, 3), (BLOCK_AT, FRAME_AT), sizes, strict=True):
        words = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), "-",
                                "-"], input=copy, capture_output=True, check=True
                               ).stdout.decode()
        first = "Prepared" if page == 1 else "Portfolio"
        line = next(w for w in words.splitlines() if f">{first}<" in w)
        left = float(line.split('xMin="')[1].split('"')[0])
        top = float(line.split('yMin="')[1].split('"')[0])
        assert abs(left - x * 0.75) < 0.5  # the text starts at the drawing's left edge
        assert y * 0.75 < top < y * 0.75 + height / 2  # and on its first line


def test_a_splice_leaves_the_body_as_it_was() -> None:
    """So the next client's copy starts from the body itself."""
    body_pdf = render_document(_html(BODY)).pdf
    drawn, _, blocks = _drawn()
    with pikepdf.open(io.BytesIO(body_pdf)) as pdf, opened_drawings(drawn) as drawings:
        before = pdf.pages[0].obj.Contents.unparse()
        splice_client_pages(pdf, drawings.pages[blocks[0]], [], BLOCK_AT)
        assert pdf.pages[0].obj.Contents.unparse() == before and len(pdf.pages) == 4
        assert "/PageLabels" not in pdf.Root


def test_a_name_in_other_scripts_and_emoji_gives_the_same_bytes_when_drawn_again() -> None:
    """A rebuild draws the block in a process of its own: the copy must come out the same
    (WeasyPrint's colour-emoji subset was not deterministic; librsvg's is)."""
    body = Body(render_document(_html(BODY)).pdf, BLOCK_AT)
    svg = drawn_block("山田太郎 株式会社 🎉 Zoë", "Jane Doe").svg()
    copies = []
    for _ in range(2):
        with svg_pages(lambda: [svg], FONTS_CONFIG) as drawn:
            copies += split_client_pages(drawn(), [[]], [0], body)
    assert copies[0] == copies[1]
    assert "山田太郎" in _text(copies[0])[0]
