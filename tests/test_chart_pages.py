"""Charts placed into a PDF over their stand-ins (render/chart_pages.py): the document is laid
out as it is with the charts themselves, its pages look the same, the charts' text is still
text, no stand-in is left, the charts' fonts list their glyphs, and a build stopped while
librsvg draws them ends it."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from fontTools.agl import UV2AGL
from PIL import Image, ImageChops

from reportgen.charts.report_charts import draw_charts
from reportgen.charts.svg import svg_size
from reportgen.config import Config
from reportgen.errors import ReportgenError
from reportgen.render import chart_pages as chart_pages_module
from reportgen.render.chart_pages import stand_in_uri, svg_pages, with_charts
from reportgen.render.pdf import render_document
from reportgen.templating import data_uri

DRAWN = ("growth", "relative_strength", "risk_return")


@pytest.fixture(scope="module")
def charts(sample_data, sample_figures) -> dict:
    drawn = draw_charts(sample_data, Config().instruments, sample_figures, DRAWN)
    assert all(drawn.values())
    return drawn


def _drawn(svgs: list[bytes]) -> bytes:
    with svg_pages(lambda: svgs) as pages:
        return pages()


def _stood_in(svgs: list[bytes]) -> list[str]:
    return [stand_in_uri(svg, *svg_size(svg)) for svg in svgs]


def _html(images: list[str]) -> str:
    """Text, then each chart in a column as wide as the report's, with text after it."""
    body = "".join(f'<img src="{src}" style="width: 170mm"><p id="after-{n}">After chart {n}.</p>'
                   for n, src in enumerate(images))
    return f'<link rel="stylesheet" href="fonts.css"><p>Before the charts.</p>{body}'


def _pages(pdf: bytes, tmp_path: Path, name: str) -> list[Image.Image]:
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(tmp_path / f"{name}.pdf"),
                    str(tmp_path / name)], check=True)
    return [Image.open(page).convert("RGB") for page in sorted(tmp_path.glob(f"{name}-*.png"))]


def _share_changed(a: Image.Image, b: Image.Image) -> float:
    """The share of pixels whose colours differ by more than anti-aliasing does."""
    return float((np.asarray(ImageChops.difference(a, b)).sum(axis=2) > 48).mean())


def _without_text(svg: bytes) -> bytes:
    """The chart with its lines, shapes and colours, and no text: librsvg shapes a label as
    a whole, with the font's kerning (as matplotlib measures it), where WeasyPrint places
    it letter by letter, so a long title's last letters stand a pixel or three apart."""
    return re.sub(rb"<text\b.*?</text>", b"", svg, flags=re.DOTALL)


def test_a_placed_chart_looks_as_one_drawn_in_place(charts: dict, tmp_path: Path) -> None:
    """The same layout; the same picture pixel for pixel but for the letters; the same
    text."""
    svgs = [_without_text(chart.svg) for chart in charts.values()]
    in_place = render_document(_html([data_uri("image/svg+xml", svg) for svg in svgs]),
                               variant="none")
    stood_in = render_document(_html(_stood_in(svgs)), variant="none")
    placed = with_charts(stood_in.pdf, _drawn(svgs), svgs)

    assert stood_in.page_anchors == in_place.page_anchors  # the same layout
    expected = _pages(in_place.pdf, tmp_path, "in-place")
    got = _pages(placed, tmp_path, "placed")
    unplaced = _pages(stood_in.pdf, tmp_path, "stood-in")
    assert len(got) == len(expected) >= 2
    for page, want in zip(got, expected, strict=True):
        assert _share_changed(page, want) < 0.002
    # The comparison sees charts: without them placed, the pages are not those.
    assert max(_share_changed(want, without) for want, without in zip(expected, unplaced,
                                                                      strict=True)) > 0.02

    with pikepdf.open(io.BytesIO(placed)) as pdf:
        images = [x for page in pdf.pages for x in page.get_images().values()]
        assert not images, "a stand-in's image is still in the PDF"
    with_text = [chart.svg for chart in charts.values()]
    placed = with_charts(render_document(_html(_stood_in(with_text))).pdf,
                         _drawn(with_text), with_text)
    text = subprocess.run(["pdftotext", "-", "-"], input=placed, capture_output=True,
                          check=True).stdout.decode()
    for chart in charts.values():
        assert chart.title.split(":")[0] in text.replace("\n", " ")


def test_the_charts_pages_are_the_same_bytes_each_time(charts: dict) -> None:
    """Rebuilding an edition gives the same PDF: librsvg's output has no date or random
    name that reaches the edition, and its drawing itself is the same bytes a second later
    (cairo's date is fixed)."""
    svgs = [chart.svg for chart in charts.values()]
    laid_out = render_document(_html(_stood_in(svgs))).pdf
    assert with_charts(laid_out, _drawn(svgs), svgs) == with_charts(laid_out, _drawn(svgs),
                                                                     svgs)
    with svg_pages(lambda: svgs) as pages:  # asked again, for another branding's body
        first = pages()
        time.sleep(1.1)
        assert first == pages() == _drawn(svgs)


def test_a_pdf_a_1_edition_s_chart_fonts_list_their_glyphs(charts: dict) -> None:
    """PDF/A-1 asks every subset font for the set of glyphs it holds, and forbids
    transparency groups: the charts' fonts list theirs (a CID font a bit for each, a simple
    font their names), and their forms are no groups."""
    svgs = [chart.svg for chart in charts.values()]
    laid_out = render_document(_html(_stood_in(svgs)), variant="pdf/a-1b")
    placed = with_charts(laid_out.pdf, _drawn(svgs), svgs)
    with pikepdf.open(io.BytesIO(placed)) as pdf:
        assert pdf.pdf_version == "1.4"
        descriptors = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                       and o.get("/Type") == pikepdf.Name.FontDescriptor]
        charts_own = [d for d in descriptors if "/FontFile3" in d]
        assert charts_own and len(descriptors) > len(charts_own)  # the text's and the charts'
        assert all("/CIDSet" in d or "/CharSet" in d for d in descriptors)
        named = "".join(str(d.CharSet) for d in charts_own if "/CharSet" in d).split("/")
        # Every letter of the charts' titles has its glyph listed.
        title_letters = {c for chart in charts.values() for c in chart.title if c.isalnum()}
        assert {UV2AGL[ord(c)] for c in title_letters} <= set(named)
        forms = [x for page in pdf.pages for x in page.obj.Resources.XObject.values()]
        assert forms and not any("/Group" in form for form in forms)


def test_a_build_stopped_while_librsvg_draws_ends_it(charts: dict,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C during the layout: librsvg, drawing the charts' pages, is ended at once, not
    waited for until it has drawn them all."""
    started: list[subprocess.Popen] = []

    class Recorded(subprocess.Popen):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(chart_pages_module.subprocess, "Popen", Recorded)
    many = [chart.svg for chart in charts.values()] * 100  # seconds of drawing
    with pytest.raises(KeyboardInterrupt), svg_pages(lambda: many):
        while not started:  # the thread starts it once it has the SVGs
            time.sleep(0.01)
        raise KeyboardInterrupt
    [drawing] = started
    assert drawing.returncode == -signal.SIGKILL


def test_a_build_stopped_before_its_charts_are_encoded_does_not_wait_for_them(
        charts: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the helpers still encode: the build ends without waiting for the SVGs,
    and librsvg is never started, even when they come later."""
    started: list[object] = []
    monkeypatch.setattr(chart_pages_module.subprocess, "Popen",
                        lambda *args, **kwargs: started.append(args))
    encoded = threading.Event()

    def svgs() -> list[bytes]:
        encoded.wait()
        return [chart.svg for chart in charts.values()]

    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt), svg_pages(svgs):
        raise KeyboardInterrupt
    assert time.monotonic() - began < 1
    encoded.set()  # the encoding ends after the build has stopped
    time.sleep(0.2)
    assert started == []


def test_a_chart_librsvg_cannot_draw_is_one_line() -> None:
    with pytest.raises(ReportgenError, match="rsvg-convert could not draw the PDF's charts"):
        _drawn([b"<svg"])


def test_a_build_without_librsvg_says_what_to_install_before_it_loads_data(tmp_path: Path
                                                                         ) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    log = tmp_path / "build.log"
    built = subprocess.run([sys.executable, "-m", "reportgen", "--log-file", str(log), "build",
                            "--out", str(tmp_path / "out")], cwd=tmp_path, capture_output=True,
                           text=True, check=False, env={**os.environ, "PATH": str(empty)})
    assert built.returncode == 1
    assert built.stderr.startswith("error: rsvg-convert was not found")
    assert "apt-get install librsvg2-bin" in built.stderr and built.stderr.count("\n") == 1
    assert not list((tmp_path / "out").glob("*/*.pdf"))
    assert "loaded" not in log.read_text()  # nor fetched: a live source can take minutes


def test_each_page_keeps_only_the_forms_it_draws(charts: dict) -> None:
    """WeasyPrint gives every page one resource dictionary; were the forms placed in it,
    a page would carry every chart, and trimming a page's resources (as a client's splice
    does) would read every form once per page: 20 ms became 240 ms a batch of 20 portfolio
    pages."""
    svgs = [chart.svg for chart in charts.values()]
    pages = "".join(f'<div style="break-after: page"><img src="{uri}" '
                    'style="width: 170mm"></div>' for uri in _stood_in(svgs))
    placed = with_charts(render_document(pages, variant="none").pdf, _drawn(svgs), svgs)
    with pikepdf.open(io.BytesIO(placed)) as pdf:
        forms = [[name for name, x in page.Resources.get("/XObject", {}).items()
                  if x.get("/Subtype") == pikepdf.Name.Form] for page in pdf.pages]
    assert [len(drawn) for drawn in forms] == [1] * len(svgs)
