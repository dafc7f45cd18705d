"""A client's own pages, drawn as SVG by reportgen and placed into the PDF by librsvg
(render/drawn.py): the table wrapped and split as an HTML table would be, the bars as long as
their shares, paragraphs wrapped and pages broken as CSS would, the block where WeasyPrint
would set it; all in the PDF as text, in reading order, with tabular figures, at their own
size."""

from __future__ import annotations

import html
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
    Drawing,
    Flowed,
    Row,
    Type,
    drawn_bars,
    drawn_block,
    drawn_table,
    paged,
    paragraph,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
COLUMNS = [Column("Holding", 25, numeric=False), Column("Fund", None, numeric=False),
           Column("Weight", 15), Column("Contribution YTD", 29)]


def _texts(svg: bytes) -> list[tuple[float, float, str]]:
    """Each text of the SVG: where it is set (x, baseline) and what it says."""
    return [(float(t.get("x", 0)), float(t.get("y", 0)), t.text or "")
            for t in ET.fromstring(svg).iter(f"{SVG}text")]


def _svgs(drawings: list[Drawing]) -> list[bytes]:
    return [drawing.svg() for drawing in drawings]


def _row(ticker: str, name: str, weight: str = "10.0%", contribution: str = "−1.2%") -> Row:
    return Row((Cell(ticker, SEMIBOLD), Cell(name), Cell(weight), Cell(contribution, 400,
                                                                       "loss")))


def test_a_long_name_wraps_in_its_column_and_a_figure_never_does() -> None:
    name = "Vanguard Total International Stock Index Fund ETF Shares & <Other> Classes"
    svg, = _svgs(drawn_table(COLUMNS, [_row("VXUS", name), _row("IWM", "Russell 2000")], 120))
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
    svg, = _svgs(drawn_table(COLUMNS, [_row("X", "A" * 80)], 120))
    cut = [text for x, _, text in _texts(svg) if x == pytest.approx(fund_left, abs=1e-3)][1:]
    assert "".join(cut) == "A" * 80 and all(text_width(t) <= room for t in cut)


def test_a_table_taller_than_a_page_is_drawn_in_parts_each_with_its_header() -> None:
    rows = [_row(f"T{n:02d}", f"Fund {n}") for n in range(60)]
    parts = _svgs(drawn_table(COLUMNS, rows, 178))
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
    svg, = _svgs(drawn_bars(bars, 178))
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
    parts = _svgs(drawn_bars([Bar(f"T{n:02d}", "+0.1%", 0.5, "gain") for n in range(60)], 178))
    assert len(parts) >= 2
    assert all(float(svg_size(part)[1].removesuffix("pt")) <= PART_HEIGHT for part in parts)
    assert [t for part in parts for _, _, t in _texts(part) if t.startswith("T")] == [
        f"T{n:02d}" for n in range(60)]


def test_a_paragraph_wraps_to_its_room_keeps_its_padding_and_draws_its_rule() -> None:
    kind = Type(size=9.6, weight=SEMIBOLD, spacing=14.0 / 9.6)
    text = "Your portfolio returned −2.9% in October 2026 & <more>, " * 4
    drawn = paragraph(text, kind, 200.0, padding=(3.0, 5.0, 7.0, 11.0), background="#f4f6f8",
                      rule=(1.2, "#123456"))
    svg = ET.fromstring(drawn.svg())
    lines = [t for t in svg.iter(f"{SVG}text")]
    assert len(lines) >= 4 and " ".join(t.text or "" for t in lines) == " ".join(text.split())
    assert all(text_width(t.text or "", SEMIBOLD, 9.6) <= 200 - 16 for t in lines)
    assert {float(t.get("x", 0)) for t in lines} == {11.0}
    assert drawn.height == pytest.approx(3 + 14 * len(lines) + 7 + 1.2)
    rect, = svg.iter(f"{SVG}rect")
    assert (float(rect.get("width", 0)), float(rect.get("height", 0))) == pytest.approx(
        (200.0, drawn.height), abs=1e-3)
    rule, = svg.iter(f"{SVG}line")
    assert float(rule.get("y1", 0)) == pytest.approx(drawn.height - 0.6, abs=1e-3)


def test_a_block_wraps_a_long_name_and_sets_it_in_bold_after_prepared_for() -> None:
    drawn = drawn_block("The Very Long Name of a Family Office & Trust <Partners> " * 3,
                        "Jane Doe")
    lines = list(ET.fromstring(drawn.svg()).iter(f"{SVG}text"))
    assert (lines[0].text or "").startswith("Prepared for ")
    bold = [span.text or "" for line in lines for span in line.iter(f"{SVG}tspan")]
    assert " ".join(bold) == " ".join(("The Very Long Name of a Family Office & Trust "
                                       "<Partners> " * 3).split())
    assert len(lines) >= 3 and "".join(lines[-1].itertext()) == "Your adviser: Jane Doe"


def _piece(height: float, **options: object) -> Flowed:
    return Flowed(Drawing(100.0, height, (f'<rect width="100" height="{height}"/>',)),
                  **options)  # type: ignore[arg-type]


def test_pages_break_between_pieces_keeping_a_heading_with_what_follows() -> None:
    flow = [_piece(30, below=10, keep_with_next=True), _piece(20, below=5),
            _piece(40, above=8), _piece(50, keep_with_next=True), _piece(45)]
    pages = paged(flow, 100.0, 120.0)
    tops = [[float(g.get("transform", "").split()[1].rstrip(")"))
             for g in ET.fromstring(page.svg()).iter(f"{SVG}g")] for page in pages]
    # Margins collapse to the larger of the two; the fourth piece fits (118 of 120), but
    # must stay with the fifth, which does not: both go to the next page, whose first
    # piece starts at its top.
    assert tops == [[0.0, 40.0, 68.0], [0.0, 50.0]]
    assert [page.height for page in pages] == pytest.approx([108.0, 95.0])
    # A piece taller than the room left goes on alone; a chain that is all its page has
    # stays there rather than leave an empty page.
    assert len(paged([_piece(200, keep_with_next=True), _piece(10)], 100.0, 120.0)) == 2


@pytest.fixture(scope="module")
def client_copies(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """A real sample edition's copies for a client holding three funds, on A4 and on
    Letter, with the figures their pages show."""
    from reportgen.config import Config
    from reportgen.data.sources import open_source
    from reportgen.data.store import Store
    from reportgen.edition import EditionRequest, build_edition, load_market_data

    tmp = tmp_path_factory.mktemp("table")
    held = "[{ticker: IWM, weight: 0.5}, {ticker: AVUV, weight: 0.3}, {ticker: SPY, weight: 0.2}]"
    (tmp / "clients.yaml").write_text(
        f"clients:\n  - {{id: a4, name: Acme, email: [a@acme.example], holdings: {held}}}\n"
        f"  - {{id: letter, name: Acme, email: [a@acme.example], holdings: {held},\n"
        "     branding: {paper: Letter}}\n")
    data = load_market_data(open_source("sample"), Config(), Store(), None,
                            ["IWM", "SPY", "AVUV"])
    built = build_edition(data, Config(), EditionRequest(
        out_dir=tmp / "out", month=pd.Period("2026-10"), clients=tmp / "clients.yaml"))
    return data, {"A4": built.client_pdfs["a4"], "Letter": built.client_pdfs["letter"]}


def test_the_table_and_bars_are_text_in_reading_order_with_the_pages_figures(
        client_copies) -> None:
    from reportgen.clients import Holding
    from reportgen.formatting import pct
    from reportgen.metrics.portfolio import PORTFOLIO_PERIODS, portfolio_figures

    data, copies = client_copies
    page = subprocess.run(["pdftotext", "-layout", "-f", "3", "-l", "3", str(copies["A4"]),
                           "-"], capture_output=True, check=True).stdout.decode()
    lines = [re.sub(r"\s+", " ", line).strip() for line in page.splitlines() if line.strip()]
    held = [Holding(ticker="IWM", weight=0.5), Holding(ticker="AVUV", weight=0.3),
            Holding(ticker="SPY", weight=0.2)]
    closes = {t: data.adj_close(t) for t in ("IWM", "AVUV", "SPY")}
    p = portfolio_figures(held, closes, pd.Timestamp("2026-10-30"), set())
    names = {"IWM": "Russell 2000", "AVUV": "Avantis US Small Cap Value", "SPY": "S&P 500"}
    expected = [" ".join([h.ticker, names[h.ticker], pct(h.weight, 1, signed=False),
                          *(pct(h.returns[period]) for period in PORTFOLIO_PERIODS),
                          pct(h.contributions["YTD"])]) for h in p.holdings]
    expected.append(" ".join(["Your portfolio", "100%",
                              *(pct(p.returns[period]) for period in PORTFOLIO_PERIODS),
                              pct(p.returns["YTD"])]))
    assert lines[0] == "Your portfolio" and lines[1] == "Your portfolio"  # header, heading
    assert lines[2].startswith(f"Your portfolio returned {pct(p.returns['MTD'])} in October")
    header = next(n for n, line in enumerate(lines) if line.startswith("Holding Fund Weight"))
    assert lines[header + 1:header + 1 + len(expected)] == expected
    bars = lines.index("Contribution to the portfolio's return by holding, year to date")
    # (Between them, letters of the sample data's watermark, drawn across the page.)
    assert [line for line in lines[bars + 1:] if line.split()[0] in names][:3] == [
        f"{h.ticker} {pct(h.contributions['YTD'])}" for h in p.holdings]
    assert "Not a recommendation" in lines[-1]  # the frame's running footer


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


def _drawn_forms(page: pikepdf.Page) -> Iterator[tuple[str, pikepdf.Object, float]]:
    """Each form XObject the page draws, by name, and the scale it is drawn at (1: its own
    size)."""
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
                drawn = pikepdf.Matrix(*map(float, xobject.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                                       ) @ matrix
                yield str(operands[0]), xobject, abs(drawn.a)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_portfolio_page_prints_at_its_own_size_with_tabular_figures(client_copies,
                                                                     paper: str) -> None:
    from reportgen.render.portfolio import TEXT_WIDTH_MM

    _, copies = client_copies
    with pikepdf.open(copies[paper]) as pdf:
        drawn = dict((name, (form, scale)) for name, form, scale in
                     _drawn_forms(pdf.pages[2]))
        assert sorted(drawn) == ["/Frame", "/Portfolio"]  # the frame, and what is on it
        assert pdf.pages[2].mediabox == pdf.pages[3].mediabox  # the paper's size
        form, scale = drawn["/Portfolio"]
        width = float(form.BBox[2]) - float(form.BBox[0])
        assert width == pytest.approx(TEXT_WIDTH_MM[paper] * PT_PER_MM, abs=1e-3)
        assert scale == pytest.approx(1.0, abs=1e-4)
        # Tabular figures share one advance (Inter SemiBold's "4" is 3/2816 em narrower than
        # its other figures: 669 against 670 thousandths); proportional ones differ by up to
        # 190 thousandths of an em.
        digits = _digit_widths(form)
        assert digits and all(max(widths) - min(widths) <= 1 for widths in digits), digits


def _words(pdf: bytes) -> list[tuple[str, float, float]]:
    """Each word on the PDF's first page, with its left and bottom edges (points)."""
    found = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=pdf,
                           capture_output=True, check=True).stdout.decode()
    return [(html.unescape(word), float(left), float(bottom)) for left, bottom, word in
            re.findall(r'xMin="(-?[\d.]+)" yMin="-?[\d.]+" xMax="-?[\d.]+" '
                       r'yMax="(-?[\d.]+)">([^<]*)</word>', found)]


def test_a_drawn_block_sets_its_words_where_weasyprint_lays_them_out() -> None:
    """The block restates the cover's .prepared rule: the words of the same HTML, laid out
    by WeasyPrint in the project's fonts, fall within half a point of the drawn ones."""
    from reportgen.render.chart_pages import svg_pages
    from reportgen.render.drawn import FONTS_CONFIG
    from reportgen.render.pdf import render_document

    name, adviser = "Acme Family Office & Co", "Jane Doe"
    html = ('<!DOCTYPE html><html lang="en"><head><title>t</title>'
            '<link rel="stylesheet" href="fonts.css"><style>@page { margin: 0 } '
            'html { font-family: "Inter Figures"; line-height: 1.45 } body, p { margin: 0 } '
            'div { font-size: 11pt; width: 150mm } strong { font-weight: 600 }</style>'
            f'</head><body><div><p>Prepared for <strong>{name.replace("&", "&amp;")}</strong>'
            f'<br>Your adviser: {adviser}</p></div></body></html>')
    laid_out = _words(render_document(html, variant="none").pdf)
    with svg_pages(lambda: [drawn_block(name, adviser).svg()], FONTS_CONFIG) as drawn:
        drawn_words = _words(drawn())
    assert [w for w, _, _ in drawn_words] == [w for w, _, _ in laid_out] == [
        "Prepared", "for", "Acme", "Family", "Office", "&", "Co", "Your", "adviser:", "Jane",
        "Doe"]
    for (_, x, y), (_, x0, y0) in zip(drawn_words, laid_out, strict=True):
        assert abs(x - x0) < 0.5 and abs(y - y0) < 0.5


def test_a_block_draws_other_scripts_in_fallback_fonts_and_emoji_as_pictures() -> None:
    """Not as empty boxes: CJK in a Noto CJK face, as text; an emoji in the colour-emoji
    font, which cairo draws as a picture (so it is not in the PDF's text)."""
    from reportgen.render.chart_pages import opened_drawings, svg_pages
    from reportgen.render.drawn import FONTS_CONFIG

    with svg_pages(lambda: [drawn_block("山田太郎 株式会社 🎉", None).svg()],
                     FONTS_CONFIG) as drawn:
        pdf = drawn()
    with opened_drawings(pdf) as drawings:
        page = drawings.pages[0]
        fonts = {str(font.BaseFont).split("+")[-1] for font in page.Resources.Font.values()}
        images = [x for x in page.Resources.get("/XObject", {}).values()
                  if x.get("/Subtype") == pikepdf.Name.Image]
    assert any("CJK" in name for name in fonts), fonts
    assert images, "the emoji is drawn"
    assert "Prepared for 山田太郎 株式会社" in _words_text(pdf)


def _words_text(pdf: bytes) -> str:
    return " ".join(word for word, _, _ in _words(pdf))
