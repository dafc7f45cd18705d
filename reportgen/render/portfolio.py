"""A client's "Your portfolio" page: its context from the portfolio's figures."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.config import Instruments, Paper
from reportgen.formatting import DASH, day, month_name, pct
from reportgen.metrics.portfolio import PORTFOLIO_PERIODS, HoldingFigures, PortfolioFigures
from reportgen.metrics.report import ReportFigures, number_at
from reportgen.render.chart_pages import drawing_stand_in_uri
from reportgen.render.compose import month_heading
from reportgen.render.context import PortfolioContext
from reportgen.render.drawn import (
    REGULAR,
    SEMIBOLD,
    Bar,
    Cell,
    Column,
    Row,
    drawn_bars,
    drawn_table,
)

# How the page's figures are computed, for the way the client gave its holdings.
SOURCE = "Total returns on adjusted closes (dividends reinvested), to the as-of date."
BY_WEIGHTS = ("The portfolio is taken at your weights at the start of each period: its return "
              "is the weighted sum of the holdings' returns, and each holding contributes its "
              "weight times its return.")
BY_UNITS = ("Each period starts from the value of your units then: the portfolio's return is "
            "the change in that value, and each holding contributes its own change as a "
            "share of the starting value. Weights are by value on the as-of date.")

# The text column's width, so that the table prints at its own size: the paper's width less
# the page's side margins (report.css, @page: 16 mm each).
TEXT_WIDTH_MM: dict[Paper, float] = {"A4": 210 - 32, "Letter": 215.9 - 32}
# Columns' widths with their cells' padding (3 mm): room for "Your portfolio" in bold, for
# "−10.0%", and for "Contribution YTD". The fund's name takes what the figures leave.
NAME_WIDTH, FIGURE_WIDTH, CONTRIBUTION_WIDTH = 25.0, 15.0, 29.0


@dataclass(frozen=True)
class PortfolioPage:
    """The page's template context, and the SVG of its table's parts and of its bars, which
    librsvg draws over their stand-ins once the page is laid out."""

    context: PortfolioContext
    drawings: list[bytes]


def portfolio_page(p: PortfolioFigures, f: ReportFigures, ins: Instruments,
                   paper: Paper = "A4") -> PortfolioPage:
    width = TEXT_WIDTH_MM[paper]
    tables = drawn_table(_columns(f), _rows(p, f, ins), width)
    bars = drawn_bars(_bars(p), width)
    return PortfolioPage(PortfolioContext(
        summary=_summary(p, f, ins), table=[drawing_stand_in_uri(svg) for svg in tables],
        bars=[drawing_stand_in_uri(svg) for svg in bars],
        notes=[f"{t}: no prices from the data source, so it is not valued and the "
               "portfolio's returns are not shown." for t in p.unpriced],
        method=f"{SOURCE} {BY_UNITS if p.by_units else BY_WEIGHTS}"), [*tables, *bars])


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
