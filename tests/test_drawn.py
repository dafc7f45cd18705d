"""A client's holdings table and contribution bars, drawn as SVG by reportgen and placed
into the PDF by librsvg (render/drawn.py): the table wrapped and split as an HTML table
would be, the bars as long as their shares, and both in the PDF as text, in reading order,
with tabular figures, at their own size."""

from __future__ import annotations

import io
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pandas as pd
import pikepdf
import pytest

from reportgen.charts.svg import svg_size
from reportgen.render.drawn import (
    BAR_GAP,
    BAR_LABEL,
    BAR_VALUE,
    LINE_HEIGHT,
    PAD_X,
    PART_HEIGHT,
    PT_PER_MM,
    SEMIBOLD,
    Bar,
    Cell,
    Column,
    Row,
    drawn_bars,
    drawn_table,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
COLUMNS = [Column("Holding", 25, numeric=False), Column("Fund", None, numeric=False),
           Column("Weight", 15), Column("Contribution YTD", 29)]


def _texts(svg: bytes) -> list[tuple[float, float, str]]:
    """Each text of the SVG: where it is set (x, baseline) and what it says."""
    return [(float(t.get("x", 0)), float(t.get("y", 0)), t.text or "")
            for t in ET.fromstring(svg).iter(f"{SVG}text")]


def _row(ticker: str, name: str, weight: str = "10.0%", contribution: str = "−1.2%") -> Row:
    return Row((Cell(ticker, SEMIBOLD), Cell(name), Cell(weight), Cell(contribution, 400,
                                                                       "loss")))


def test_a_long_name_wraps_in_its_column_and_a_figure_never_does() -> None:
    name = "Vanguard Total International Stock Index Fund ETF Shares & <Other> Classes"
    svg, = drawn_table(COLUMNS, [_row("VXUS", name), _row("IWM", "Russell 2000")], 120)
    texts = _texts(svg)
    width, _ = svg_size(svg)
    assert float(width.removesuffix("pt")) == pytest.approx(120 * PT_PER_MM, abs=1e-3)
    fund_left = 25 * PT_PER_MM + PAD_X
    lines = [(y, text) for x, y, text in texts if x == pytest.approx(fund_left, abs=1e-3)][1:-1]
    room = (120 - 25 - 15 - 29) * PT_PER_MM - 2 * PAD_X
    assert len(lines) >= 2 and " ".join(text for _, text in lines) == name  # escaped, whole
    assert all(text_width(text) <= room for _, text in lines)
    assert [y for y, _ in lines] == pytest.approx(
        [lines[0][0] + n * LINE_HEIGHT for n in range(len(lines))], abs=1e-3)
    # The figures stay whole, on the row's first line; the next row starts below the name.
    assert [text for _, _, text in texts].count("−1.2%") == 2
    next_row = next(y for x, y, text in texts if text == "IWM")
    assert next_row >= lines[-1][0] + LINE_HEIGHT
    # A word longer than the column is cut where it must be, as CSS's break-word does.
    svg, = drawn_table(COLUMNS, [_row("X", "A" * 80)], 120)
    cut = [text for x, _, text in _texts(svg) if x == pytest.approx(fund_left, abs=1e-3)][1:]
    assert "".join(cut) == "A" * 80 and all(text_width(t) <= room for t in cut)


def test_a_table_taller_than_a_page_is_drawn_in_parts_each_with_its_header() -> None:
    rows = [_row(f"T{n:02d}", f"Fund {n}") for n in range(60)]
    parts = drawn_table(COLUMNS, rows, 178)
    assert len(parts) >= 3
    tickers = []
    for part in parts:
        _, height = svg_size(part)
        assert float(height.removesuffix("pt")) <= PART_HEIGHT
        texts = [text for _, _, text in _texts(part)]
        assert texts[:4] == ["Holding", "Fund", "Weight", "Contribution YTD"]
        tickers += [t for t in texts if re.fullmatch(r"T\d\d", t)]
    assert tickers == [f"T{n:02d}" for n in range(60)]  # every row once, in order
    assert len(drawn_table(COLUMNS, rows[:20], 178)) == 1


def test_bars_are_as_long_as_their_share_of_the_room_and_print_their_value() -> None:
    bars = [Bar("IWM", "−3.4%", 1.0, "loss"), Bar("SPY", "+1.7%", 0.5, "gain"),
            Bar("QQQ", "0.0%", 0.0, "gain")]
    svg, = drawn_bars(bars, 178)
    rects = list(ET.fromstring(svg).iter(f"{SVG}rect"))
    room = (178 - BAR_LABEL - 2 * BAR_GAP - BAR_VALUE) * PT_PER_MM
    assert [float(r.get("width", 0)) for r in rects] == pytest.approx([room, room / 2], abs=1e-3)
    assert [r.get("fill") for r in rects] == ["#b3261e", "#2e7d32"]  # loss, gain
    assert len({r.get("x") for r in rects}) == 1  # one baseline for every bar
    texts = _texts(svg)
    assert [t for _, _, t in texts] == ["IWM", "−3.4%", "SPY", "+1.7%", "QQQ", "0.0%"]
    assert [x for x, _, t in texts if "%" in t] == pytest.approx([178 * PT_PER_MM] * 3,
                                                                 abs=1e-3)
    # Many holdings' bars come in parts a page can hold, in order.
    parts = drawn_bars([Bar(f"T{n:02d}", "+0.1%", 0.5, "gain") for n in range(60)], 178)
    assert len(parts) >= 2
    assert all(float(svg_size(part)[1].removesuffix("pt")) <= PART_HEIGHT for part in parts)
    assert [t for part in parts for _, _, t in _texts(part) if t.startswith("T")] == [
        f"T{n:02d}" for n in range(60)]


@pytest.fixture(scope="module")
def laid_out_batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """A real sample edition's job and batch for one client holding three funds, and that
    batch laid out, on A4 and on Letter."""
    import dataclasses

    from reportgen import copies
    from reportgen.config import Config
    from reportgen.data.sources import open_source
    from reportgen.data.store import Store
    from reportgen.edition import EditionRequest, build_edition, load_market_data

    tmp = tmp_path_factory.mktemp("table")
    (tmp / "clients.yaml").write_text(
        "clients:\n  - {id: acme, name: Acme, email: [a@acme.example], holdings: "
        "[{ticker: IWM, weight: 0.5}, {ticker: AVUV, weight: 0.3}, {ticker: SPY, weight: 0.2}]}\n")
    seen = []
    with pytest.MonkeyPatch.context() as patch:
        lay_out = copies.lay_out_batch
        patch.setattr(copies, "lay_out_batch",
                      lambda job, batch: seen.append((job, batch)) or lay_out(job, batch))
        data = load_market_data(open_source("sample"), Config(), Store(), None,
                                ["IWM", "SPY", "AVUV"])
        build_edition(data, Config(), EditionRequest(
            out_dir=tmp / "out", month=pd.Period("2026-10"), clients=tmp / "clients.yaml"))
    (job, batch), = seen
    yield job, {paper: copies.lay_out_batch(job, dataclasses.replace(
        batch, branding=batch.branding.model_copy(update={"paper": paper})))
        for paper in ("A4", "Letter")}


def test_the_table_and_bars_are_text_in_reading_order_with_the_pages_figures(
        laid_out_batch) -> None:
    from reportgen.clients import Holding
    from reportgen.formatting import pct
    from reportgen.metrics.portfolio import PORTFOLIO_PERIODS, portfolio_figures

    job, laid_out = laid_out_batch
    page = subprocess.run(["pdftotext", "-layout", "-f", "3", "-l", "3", "-", "-"],
                          input=laid_out["A4"].pdf, capture_output=True, check=True
                          ).stdout.decode()
    lines = [re.sub(r"\s+", " ", line).strip() for line in page.splitlines() if line.strip()]
    held = [Holding(ticker="IWM", weight=0.5), Holding(ticker="AVUV", weight=0.3),
            Holding(ticker="SPY", weight=0.2)]
    p = portfolio_figures(held, job.closes, job.figures.as_of, set())
    names = {"IWM": "Russell 2000", "AVUV": "Avantis US Small Cap Value", "SPY": "S&P 500"}
    expected = [" ".join([h.ticker, names[h.ticker], pct(h.weight, 1, signed=False),
                          *(pct(h.returns[period]) for period in PORTFOLIO_PERIODS),
                          pct(h.contributions["YTD"])]) for h in p.holdings]
    expected.append(" ".join(["Your portfolio", "100%",
                              *(pct(p.returns[period]) for period in PORTFOLIO_PERIODS),
                              pct(p.returns["YTD"])]))
    header = next(n for n, line in enumerate(lines) if line.startswith("Holding Fund Weight"))
    assert lines[header + 1:header + 1 + len(expected)] == expected
    bars = lines.index("Contribution to the portfolio's return by holding, year to date")
    assert lines[bars + 1:bars + 4] == [f"{h.ticker} {pct(h.contributions['YTD'])}"
                                        for h in p.holdings]


def _digit_widths(form: pikepdf.Object) -> list[set[float]]:
    """For each simple font the form draws with, the widths of the digits it holds."""
    found = []
    for font in form.Resources.Font.values():
        if "/Widths" in font and "/FirstChar" in font:
            first = int(font.FirstChar)
            widths = {float(font.Widths[ord(d) - first]) for d in "0123456789"
                      if 0 <= ord(d) - first < len(font.Widths)}
            found.append(widths - {0.0})
    return found


def _drawn_forms(page: pikepdf.Page) -> Iterator[tuple[pikepdf.Object, float]]:
    """Each form XObject the page draws, and the scale it is drawn at (1: its own size)."""
    matrix, saved = pikepdf.Matrix(), []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "q":
            saved.append(matrix)
        elif str(operator) == "Q":
            matrix = saved.pop()
        elif str(operator) == "cm":
            matrix = pikepdf.Matrix(*map(float, operands)) @ matrix
        elif str(operator) == "Do":
            xobject = page.Resources.XObject[operands[0]]
            if xobject.get("/Subtype") == pikepdf.Name.Form:
                drawn = pikepdf.Matrix(*map(float, xobject.Matrix)) @ matrix
                yield xobject, abs(drawn.a)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_table_and_bars_print_at_their_own_size_with_tabular_figures(laid_out_batch,
                                                               paper: str) -> None:
    from reportgen.render.portfolio import TEXT_WIDTH_MM

    _, laid_out = laid_out_batch
    with pikepdf.open(io.BytesIO(laid_out[paper].pdf)) as pdf:
        drawn = list(_drawn_forms(pdf.pages[2]))
        assert len(drawn) == 2  # the table and the bars
        for form, scale in drawn:
            width = float(form.BBox[2]) - float(form.BBox[0])
            assert width == pytest.approx(TEXT_WIDTH_MM[paper] * PT_PER_MM, abs=1e-3)
            assert scale == pytest.approx(1.0, abs=1e-4)
            digits = _digit_widths(form)
            assert digits and all(len(widths) == 1 for widths in digits), digits
