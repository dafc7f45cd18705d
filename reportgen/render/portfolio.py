"""A client's "Your portfolio" pages, drawn (``render/drawn.py``): the heading, the finding,
the holdings table and its note, any holding without prices, and the contribution bars, in
pages of the text column's size (``portfolio_pages``), laid over a page WeasyPrint lays out
with the running header and footer (``render/personalise.py``)."""

from __future__ import annotations

from reportgen.charts.palette import HOUSE
from reportgen.config import Instruments, Paper
from reportgen.formatting import DASH, day, month_name, pct
from reportgen.metrics.portfolio import PORTFOLIO_PERIODS, HoldingFigures, PortfolioFigures
from reportgen.metrics.report import ReportFigures, number_at
from reportgen.render.compose import month_heading
from reportgen.render.drawn import (
    PT_PER_MM,
    REGULAR,
    SEMIBOLD,
    Bar,
    Cell,
    Column,
    Drawing,
    Flowed,
    Row,
    Type,
    drawn_bars,
    drawn_table,
    paged,
    paragraph,
)

# How the page's figures are computed, for the way the client gave its holdings.
SOURCE = "Total returns on adjusted closes (dividends reinvested), to the as-of date."
BY_WEIGHTS = ("The portfolio is taken at your weights at the start of each period: its return "
              "is the weighted sum of the holdings' returns, and each holding contributes its "
              "weight times its return.")
BY_UNITS = ("Each period starts from the value of your units then: the portfolio's return is "
            "the change in that value, and each holding contributes its own change as a "
            "share of the starting value. Weights are by value on the as-of date.")
HEADING = "Your portfolio"
CAPTION = "Contribution to the portfolio's return by holding, year to date"

# The text column, as report.css's @page sets it (margins: 20 mm top, 16 mm at the sides,
# 18 mm at the foot): its width, so that the table prints at its own size, and its height,
# which a page's pieces fill.
TEXT_WIDTH_MM: dict[Paper, float] = {"A4": 210 - 32, "Letter": 215.9 - 32}
TEXT_HEIGHT_MM: dict[Paper, float] = {"A4": 297 - 38, "Letter": 279.4 - 38}
# Columns' widths with their cells' padding (3 mm): room for "Your portfolio" in bold, for
# "−10.0%", and for "Contribution YTD". The fund's name takes what the figures leave.
NAME_WIDTH, FIGURE_WIDTH, CONTRIBUTION_WIDTH = 25.0, 15.0, 29.0
# report.css, restated: h2 (15 pt, bold, in the brand's colour, on lines 1.2 times as tall,
# over a 1.2 pt rule 1.5 mm below, 4 mm above what follows); p.finding (9.6 pt, bold); the
# table's note (7 pt, muted, 1.2 mm below the table, 4 mm above what follows); p.missing
# (9.4 pt italic, secondary, in a panel padded 4 mm); the bars' caption (9.4 pt, bold, 4 mm
# below the note, 2 mm above the bars); paragraphs 2.2 mm apart.
FINDING = Type(size=9.6, weight=SEMIBOLD)
NOTE = Type(size=7.0, colour=HOUSE["muted"])
MISSING = Type(size=9.4, italic=True, colour=HOUSE["secondary"])
CAPTION_TYPE = Type(size=9.4, weight=SEMIBOLD)
PARAGRAPH_GAP, HEADING_GAP, NOTE_GAP = 2.2 * PT_PER_MM, 4.0 * PT_PER_MM, 4.0 * PT_PER_MM
FIGURE_GAP, CAPTION_GAP = 4.0 * PT_PER_MM, 2.0 * PT_PER_MM


def portfolio_pages(p: PortfolioFigures, f: ReportFigures, ins: Instruments,
                    paper: Paper = "A4", brand: str = HOUSE["ink"]) -> list[Drawing]:
    """The client's portfolio pages, each the pieces set on it (in points, the text
    column's width; ``brand``: the branding's colour, the heading's)."""
    width = TEXT_WIDTH_MM[paper]
    room = width * PT_PER_MM
    heading_type = Type(size=15.0, weight=SEMIBOLD, colour=brand, spacing=1.2)
    heading = paragraph(HEADING, heading_type, room, padding=(0, 0, 1.5 * PT_PER_MM, 0),
                        rule=(1.2, brand))
    note = paragraph(f"Total returns in US dollars to {day(f.as_of)}; contribution: each "
                     f"holding's part of the portfolio's year-to-date return. {method(p)}",
                     NOTE, room, padding=(1.2 * PT_PER_MM, 0, 0, 0))
    flow = [Flowed(heading, below=HEADING_GAP, keep_with_next=True),
            Flowed(paragraph(_summary(p, f, ins), FINDING, room), below=PARAGRAPH_GAP,
                   keep_with_next=True),
            *(Flowed(part) for part in drawn_table(_columns(f), _rows(p, f, ins), width)),
            Flowed(note, below=NOTE_GAP),
            *(Flowed(paragraph(missing, MISSING, room, padding=(4 * PT_PER_MM,) * 4,
                               background=HOUSE["panel"]), below=PARAGRAPH_GAP)
              for missing in unpriced_notes(p))]
    if bars := drawn_bars(_bars(p), width):
        flow.append(Flowed(paragraph(CAPTION, CAPTION_TYPE, room), above=FIGURE_GAP,
                           below=CAPTION_GAP, keep_with_next=True))
        flow.extend(Flowed(part) for part in bars)
    return paged(flow, room, TEXT_HEIGHT_MM[paper] * PT_PER_MM)


def method(p: PortfolioFigures) -> str:
    """How the page's figures were computed, for the way the client gave its holdings."""
    return f"{SOURCE} {BY_UNITS if p.by_units else BY_WEIGHTS}"


def unpriced_notes(p: PortfolioFigures) -> list[str]:
    """A note for each holding without prices: named, never valued at zero."""
    return [f"{t}: no prices from the data source, so it is not valued and the portfolio's "
            "returns are not shown." for t in p.unpriced]


def _columns(f: ReportFigures) -> list[Column]:
    periods = [month_heading(f.as_of), "YTD", "1Y"]  # PORTFOLIO_PERIODS, as headed
    return [Column("Holding", NAME_WIDTH, numeric=False), Column("Fund", None, numeric=False),
            Column("Weight", FIGURE_WIDTH), *(Column(p, FIGURE_WIDTH) for p in periods),
            Column("Contribution YTD", CONTRIBUTION_WIDTH)]


def _rows(p: PortfolioFigures, f: ReportFigures, ins: Instruments) -> list[Row]:
    """A row per holding, the portfolio's (bold, under a rule), then the small- and
    large-cap funds' (grey) to compare. Negative returns are red, but for the funds'."""
    def returns(values: list[float | None], weight: int = REGULAR) -> list[Cell]:
        return [Cell(text, weight, "loss" if text.startswith("−") else "ink")
                for text in map(pct, values)]

    def held(h: HoldingFigures) -> Row:
        name = ins.name(h.ticker) if h.ticker in ins.funds else ""
        return Row((Cell(h.ticker, SEMIBOLD), Cell(name), Cell(pct(h.weight, 1, signed=False)),
                    *returns([h.returns.get(period) for period in PORTFOLIO_PERIODS]),
                    Cell(pct(h.contributions["YTD"]))))

    weight = "100%" if all(h.weight for h in p.holdings) else DASH
    total = Row((Cell("Your portfolio", SEMIBOLD), Cell(""), Cell(weight, SEMIBOLD),
                 *returns([p.returns.get(period) for period in PORTFOLIO_PERIODS], SEMIBOLD),
                 Cell(pct(p.returns["YTD"]), SEMIBOLD)), rule_above=True)
    funds = [Row((Cell(t, SEMIBOLD, "secondary"), Cell(ins.name(t), colour="secondary"),
                  Cell(""), *(Cell(pct(number_at(f.returns, t, period)), colour="secondary")
                              for period in PORTFOLIO_PERIODS), Cell("")))
             for t in (f.small, f.large)]
    return [*map(held, p.holdings), total, *funds]


def _summary(p: PortfolioFigures, f: ReportFigures, ins: Instruments) -> str:
    month = month_name(f.month)
    mine = p.returns["MTD"]
    if mine is None:
        missing = [h.ticker for h in p.holdings if h.returns["MTD"] is None]
        text = (f"Your portfolio's return for {month} is not shown: {', '.join(missing)} "
                f"{'has' if len(missing) == 1 else 'have'} no prices for the whole month.")
    else:
        text = (f"Your portfolio returned {pct(mine)} in {month} (to {day(f.as_of)}), "
                f"against {pct(f.month_returns.get(f.small))} for the "
                f"{ins.name(f.small)} ({f.small}) and {pct(f.month_returns.get(f.large))} for "
                f"the {ins.name(f.large)} ({f.large}).")
    if p.small_cap_share is not None:
        text += f" {pct(p.small_cap_share, 0, signed=False)} of it is in small caps."
    return text


def _bars(p: PortfolioFigures) -> list[Bar]:
    """One bar per holding, as long as its contribution against the largest one; none when
    the year's contributions cannot be computed. A contribution printed as 0.0% gets no
    bar: a sliver in the colour of a gain or a loss would show a sign the figure lacks."""
    values = {h.ticker: h.contributions["YTD"] for h in p.holdings}
    if all(v is None for v in values.values()):
        return []
    largest = max((abs(v) for v in values.values() if v is not None), default=0.0)

    def length(v: float | None) -> float:
        if v is None or pct(v) == pct(0.0):
            return 0.0
        return round(abs(v) / largest, 3)

    return [Bar(label=t, value=pct(v) if v is not None else DASH, length=length(v),
                colour="loss" if v is not None and v < 0 else "gain")
            for t, v in values.items()]
