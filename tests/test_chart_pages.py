"""Charts placed into a PDF over their stand-ins (render/chart_pages.py): the document is laid
out as it is with the charts themselves, its pages look the same, the charts' text is still
text, no stand-in is left, and the charts' pages are the same bytes whether a helper process
or the build's own draws them."""

from __future__ import annotations

import dataclasses
import io
import multiprocessing
import signal
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageChops

from reportgen import edition
from reportgen.charts.report_charts import draw_charts
from reportgen.config import Config
from reportgen.processes import spare_cores
from reportgen.render.chart_pages import chart_pages_pdf, stand_in_uri, with_charts
from reportgen.render.pdf import pdf_version_of, render_document
from reportgen.templating import data_uri
from tests.conftest import DiesWhenUnpickled

DRAWN = ("growth", "relative_strength", "risk_return")


@pytest.fixture(scope="module")
def charts(sample_data, sample_figures) -> dict:
    drawn = draw_charts(sample_data, Config().instruments, sample_figures, DRAWN)
    assert all(drawn.values())
    return drawn


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


def test_a_placed_chart_looks_as_one_drawn_in_place(charts: dict, tmp_path: Path) -> None:
    svgs = [chart.svg for chart in charts.values()]
    in_place = render_document(_html([data_uri("image/svg+xml", svg) for svg in svgs]),
                               variant="none")
    stood_in = render_document(_html([stand_in_uri(svg) for svg in svgs]), variant="none")
    placed = with_charts(stood_in.pdf, chart_pages_pdf(svgs, None), svgs)

    assert stood_in.page_anchors == in_place.page_anchors  # the same layout
    expected = _pages(in_place.pdf, tmp_path, "in-place")
    got = _pages(placed, tmp_path, "placed")
    unplaced = _pages(stood_in.pdf, tmp_path, "stood-in")
    assert len(got) == len(expected) >= 2
    for page, want in zip(got, expected, strict=True):
        assert _share_changed(page, want) < 0.0005
    # The comparison sees charts: without them placed, the pages are not those.
    assert max(_share_changed(want, without) for want, without in zip(expected, unplaced,
                                                                      strict=True)) > 0.02

    with pikepdf.open(io.BytesIO(placed)) as pdf:
        images = [x for page in pdf.pages for x in page.get_images().values()]
        assert not images, "a stand-in's image is still in the PDF"
    text = subprocess.run(["pdftotext", "-", "-"], input=placed, capture_output=True,
                          check=True).stdout.decode()
    for chart in charts.values():
        assert chart.title.split(":")[0] in text.replace("\n", " ")


@pytest.mark.skipif(not spare_cores(), reason="one core: no helper process")
def test_the_pages_are_the_same_drawn_by_a_helper_or_here(charts: dict,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    svgs = [chart.svg for chart in charts.values()]
    laid_out = render_document(_html([stand_in_uri(svg) for svg in svgs])).pdf
    with edition.charts_placed(charts, "pdf/a-3u") as place:
        beside = place(laid_out)
    monkeypatch.setattr(edition, "spare_cores", lambda: False)
    with edition.charts_placed(charts, "pdf/a-3u") as place:
        here = place(laid_out)
    assert beside == here
    assert beside == with_charts(laid_out, chart_pages_pdf(svgs, "1.7"), svgs)


def test_a_pdf_a_1_edition_s_chart_fonts_list_their_glyphs(charts: dict) -> None:
    """PDF/A-1 asks every subset font for the set of glyphs it holds: the charts' fonts
    are drawn in the edition's PDF version, so WeasyPrint writes that set for them too."""
    svgs = [chart.svg for chart in charts.values()]
    variant = "pdf/a-1b"
    laid_out = render_document(_html([stand_in_uri(svg) for svg in svgs]), variant=variant)
    placed = with_charts(laid_out.pdf, chart_pages_pdf(svgs, pdf_version_of(variant)), svgs)
    with pikepdf.open(io.BytesIO(placed)) as pdf:
        assert pdf.pdf_version == "1.4"
        descriptors = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                       and o.get("/Type") == pikepdf.Name.FontDescriptor]
        assert len(descriptors) > 2  # the text's faces and the charts' own
        assert all("/CIDSet" in d for d in descriptors)


class _KillsItsReader(DiesWhenUnpickled, bytes):
    """A chart's SVG that ends any process that unpickles it: the helper dies mid-task."""


@pytest.mark.skipif(not spare_cores(), reason="one core: no helper process")
def test_a_dead_helper_s_chart_pages_are_drawn_here(charts: dict,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    svgs = [chart.svg for chart in charts.values()]
    laid_out = render_document(_html([stand_in_uri(svg) for svg in svgs])).pdf
    doomed = {name: dataclasses.replace(chart, svg=_KillsItsReader(chart.svg))
              for name, chart in charts.items()}
    with edition.charts_placed(doomed, "pdf/a-3u") as place:
        placed = place(laid_out)
    assert placed == with_charts(laid_out, chart_pages_pdf(svgs, "1.7"), svgs)
    assert "helper process died" in caplog.text


@pytest.mark.skipif(not spare_cores(), reason="one core: no helper process")
def test_a_build_stopped_while_the_helper_draws_does_not_wait_for_it(charts: dict) -> None:
    """Ctrl-C during the layout: the helper drawing the charts' pages is ended (SIGTERM),
    not waited for until it has drawn them all."""
    with pytest.raises(KeyboardInterrupt), edition.charts_placed(charts, "pdf/a-3u"):
        helpers = multiprocessing.active_children()
        raise KeyboardInterrupt
    assert helpers
    assert [helper.exitcode for helper in helpers] == [-signal.SIGTERM] * len(helpers)
