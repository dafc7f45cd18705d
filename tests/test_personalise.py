"""Splicing clients' pages into the shared body: the body is read once for a whole batch, so
each copy must be exactly the copy spliced into a freshly read body, whatever the clients
before it had (a portfolio page or not)."""

from __future__ import annotations

import io

import pikepdf
from pypdf import PdfReader

from reportgen.render.pdf import render_document
from reportgen.render.personalise import (
    client_page_ranges,
    splice_client_pages,
    split_client_pages,
)

BODY = "".join(f'<section style="break-after: page"><h1>Shared page {n}</h1></section>'
               for n in range(1, 5))
# Client 0 and 2 hold something (a block page and a portfolio page), 1 and 3 do not.
CLIENTS = [(0, True), (1, False), (2, True), (3, False)]
BLOCK_AT = (12.0, 340.5)  # CSS px right and down, where the body's cover leaves room


def _html(body: str) -> str:
    return f"<!DOCTYPE html><html lang=en><head><title>t</title></head><body>{body}</body></html>"


def _batch_html() -> str:
    pages = []
    for n, holds in CLIENTS:
        pages.append(f'<section id="client-{n}" style="break-after: page">'
                     f"<p>Prepared for client {n}</p></section>")
        if holds:
            pages.append(f'<section style="break-after: page"><h2>Portfolio of client {n}'
                         "</h2></section>")
    return _html("".join(pages))


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_body_read_once_gives_each_client_the_copy_a_fresh_body_gives() -> None:
    body = render_document(_html(BODY)).pdf
    batch = render_document(_batch_html())
    ranges = client_page_ranges(batch.page_anchors, len(CLIENTS))
    assert [len(r) for r in ranges] == [2, 1, 2, 1]

    made = list(split_client_pages(batch.pdf, ranges, body, BLOCK_AT))

    with pikepdf.open(io.BytesIO(batch.pdf)) as pages:
        pages.remove_unreferenced_resources()
        fresh = []
        for own in ranges:
            with pikepdf.open(io.BytesIO(body)) as pdf:
                fresh.append(splice_client_pages(pdf, [pages.pages[n] for n in own],
                                                 BLOCK_AT))
    assert made == fresh
    for (n, holds), copy in zip(CLIENTS, made, strict=True):
        text = _text(copy)
        assert f"Prepared for client {n}" in text[0] and "Shared page 1" in text[0]
        assert len(text) == 4 + holds
        assert [f"Portfolio of client {n}" in page for page in text[2:]] == \
            ([True] if holds else []) + [False, False]
        assert PdfReader(io.BytesIO(copy)).page_labels[:3] == (
            ["1", "2", "Your portfolio 1"] if holds else ["1", "2", "3"])
        assert sum(f"client {other}" in "".join(text) for other, _ in CLIENTS) == 1
