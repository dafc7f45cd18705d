"""The report's set of charts, drawn from the market data and the computed figures, and
handed on as SVG.

Titles state the finding; the source and as-of line is printed under each chart by the
template, so it stays crisp text in the PDF.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from reportgen.charts import figures as draw
from reportgen.charts.chart import EMAILED_CHART, Chart, ChartShape
from reportgen.charts.palette import LineStyles
from reportgen.charts.svg import points, svg_size
from reportgen.config import Instruments
from reportgen.data.model import MarketData
from reportgen.formatting import day, number, pct
from reportgen.metrics import macro, periods, relative, risk, universe
from reportgen.metrics.report import ReportFigures, number_at
from reportgen.metrics.signals import tally
from reportgen.metrics.valuation import MULTIPLES


def _since(data: MarketData, tickers: list[str], period: str, as_of: pd.Timestamp
           ) -> dict[str, pd.Series]:
    """Each ticker's closes from the period's opening close to ``as_of``."""
    start = periods.period_start(period, as_of)
    out = {}
    for ticker in tickers:
        closes = data.adj_close(ticker)
        if periods.close_on_or_before(closes, start) is not None:
            out[ticker] = risk.window(closes, start, as_of)
    return out


def _leader(lines: dict[str, pd.Series]) -> str:
    return max(lines, key=lambda t: lines[t].iloc[-1] / lines[t].iloc[0])


def growth(data: MarketData, ins: Instruments, f: ReportFigures) -> Figure | None:
    tickers = [ins.small_caps[0], ins.small_caps[1], ins.large_caps[0], ins.large_caps[1],
               *ins.world_ex_us]
    lines = _since(data, tickers, "5Y", f.as_of)
    if len(lines) < 2:
        return None
    best = _leader(lines)
    return draw.growth_chart(lines, f"Five years: {best} grew most, to "
                             f"{100 * lines[best].iloc[-1] / lines[best].iloc[0]:.0f} per 100",
                             LineStyles.of(ins), width=draw.HALF_WIDTH)


def relative_strength(data: MarketData, f: ReportFigures) -> Figure | None:
    if f.pair is None:
        return None
    line = relative.relative_strength(data.adj_close(f.small), data.adj_close(f.large),
                                      f.as_of, periods.period_start("3Y", f.as_of))
    line = 100 * line / line[line.index <= f.as_of - relative.FIFTY_TWO_WEEKS].iloc[-1]
    window = line[line.index >= f.as_of - relative.FIFTY_TWO_WEEKS]
    trend = "up" if window.iloc[-1] > 100 else "down"
    return draw.relative_strength_chart(
        window, f"Small caps against large caps: {trend} "
                f"{pct(abs(window.iloc[-1] / 100 - 1), signed=False)} over 52 weeks",
        f"{f.small} ÷ {f.large}")


def returns_by_period(f: ReportFigures) -> Figure:
    table = f.returns[["MTD", "3M", "6M", "YTD", "1Y"]].rename(
        columns={"MTD": f"{f.as_of:%b}"})  # the month, named as in the table
    best = table["YTD"].idxmax()
    return draw.returns_by_period_chart(table, f"Year to date {best} leads at "
                                        f"{pct(number_at(table, best, 'YTD'))}",
                                        width=draw.HALF_WIDTH)


def valuation(f: ReportFigures) -> Figure | None:
    if not f.valuation:
        return None
    cheapest = min(f.valuation, key=lambda v: v.ratio)
    return draw.paired_bars_chart(
        [MULTIPLES[v.multiple].replace("Price to book", "P/B") for v in f.valuation],
        [v.small for v in f.valuation], [v.large for v in f.valuation], (f.small, f.large),
        f"Small caps at {cheapest.ratio:.2f}× on {MULTIPLES[cheapest.multiple]}")


def rates(data: MarketData, ins: Instruments, f: ReportFigures) -> Figure | None:
    lines = _since(data, [ins.short_rate, ins.long_rate, f.small, f.large], "3Y", f.as_of)
    if len(lines) < 4:
        return None
    both = relative.aligned(lines[f.small], lines[f.large], f.as_of)
    spread = (both["small"].pct_change(periods.TRADING_DAYS_3M)
              - both["large"].pct_change(periods.TRADING_DAYS_3M)).dropna()
    tnx = lines[ins.long_rate]
    return draw.rates_chart(lines[ins.short_rate], tnx,
                            spread, "Three years of yields, and small against large caps",
                            "Small − large,\nrolling 3 months")


def fed_study(f: ReportFigures) -> Figure | None:
    stats = f.rates.fed_study
    if stats["count"].sum() == 0:
        return None
    best = stats["median"].idxmax()
    return draw.fed_study_chart(stats, f"After Fed cuts: the best median is at {best} months")


SHOWN_EACH_END = 10  # a large universe shows its best and worst ten


def leaders(f: ReportFigures, returns: pd.Series, when: str) -> Figure | None:
    if returns.empty:
        return None
    title = f"{when}: {returns.index[0]} leads"
    if len(returns) > 2 * SHOWN_EACH_END:
        best, worst = universe.leaders_and_laggards(returns, SHOWN_EACH_END)
        title = f"{when}: best and worst {SHOWN_EACH_END} of {len(returns)}"
        returns = pd.concat([best, worst.sort_values(ascending=False)])
    labels = [f"{t} · {f.sectors[t]}" if t in f.sectors else str(t) for t in returns.index]
    return draw.ranked_bars_chart(returns, labels, title)


def vehicles_growth(data: MarketData, ins: Instruments, f: ReportFigures) -> Figure | None:
    lines = _since(data, [*ins.small_caps, *ins.small_cap_styles], "3Y", f.as_of)
    if len(lines) < 2:
        return None
    best = _leader(lines)
    return draw.growth_chart(lines, f"{best} ahead over three years", LineStyles.of(ins),
                             width=draw.HALF_WIDTH)


def risk_return(f: ReportFigures) -> Figure | None:
    shown = f.vehicles.dropna(subset=["volatility_3y", "return_3y_annualised"])
    if shown.empty:
        return None
    best = f.best_sharpe
    title = (f"Best Sharpe ratio over three years: {best[0]}" if best
             else "Return against volatility over three years")
    return draw.risk_return_chart(shown, title)


def rolling_volatility(data: MarketData, ins: Instruments, f: ReportFigures) -> Figure | None:
    lines = _since(data, [f.small, f.large], "3Y", f.as_of)
    if len(lines) < 2:
        return None
    vols = {t: risk.rolling_volatility(s, periods.TRADING_DAYS_3M) for t, s in lines.items()}
    return draw.lines_chart(vols, f"{f.small} volatility {pct(vols[f.small].iloc[-1], 0, False)}"
                            f" vs {pct(vols[f.large].iloc[-1], 0, False)}",
                            "3-month volatility", LineStyles.of(ins))


def drawdown(data: MarketData, ins: Instruments, f: ReportFigures) -> Figure | None:
    lines = _since(data, [f.small, f.large], "5Y", f.as_of)
    if len(lines) < 2:
        return None
    under = {t: risk.underwater(s) for t, s in lines.items()}
    return draw.lines_chart(under, f"{f.small} is {pct(-under[f.small].iloc[-1], 0, False)} "
                            "below its five-year high", "Below previous high",
                            LineStyles.of(ins), fill=True)


def scorecard(f: ReportFigures) -> Figure:
    count = tally(f.signals)
    return draw.scorecard_chart(f.signals, f"{count.supportive} supportive, {count.against} "
                                f"against, of {count.judged} signals with data")


POLICY_YEARS = 15


def policy_path(data: MarketData, f: ReportFigures) -> Figure | None:
    m = f.macro
    if m.target_high is None or m.target_low is None:
        return None
    start = f.as_of - pd.DateOffset(years=POLICY_YEARS)
    upper, lower = (data.macro_series(n) for n in ("DFEDTARU", "DFEDTARL"))
    upper, lower = (s[(s.index >= start) & (s.index <= f.as_of)] for s in (upper, lower))
    # The edition's own 10-year series runs to the as-of date; FRED's may stop earlier.
    ten_year = data.adj_close("^TNX")
    if ten_year.empty:
        ten_year = data.macro_series("DGS10")
    return draw.policy_path_chart(
        upper, lower, ten_year[ten_year.index <= f.as_of], m.recessions,
        f"Fed funds target {number(m.target_low, 2)}–{number(m.target_high, 2)}%, "
        f"{day(m.target_as_of)}")


def decades(data: MarketData, f: ReportFigures) -> Figure | None:
    spread = macro.rolling_spread(data.macro_series("SIZE_LO10"),
                                  data.macro_series("SIZE_HI10"))
    reading = f.macro.size_spread_10y
    if reading is None:
        return None
    spread = spread[spread.index <= f.as_of]
    both = relative.aligned(data.adj_close(f.small), data.adj_close(f.large), f.as_of)
    ratio = (both["small"] / both["large"]) if not both.empty else pd.Series(dtype=float)
    return draw.decades_chart(
        spread, ratio, f.macro.recessions,
        f"Smallest minus largest decile: {pct(reading.value)} a year over the ten years to "
        f"{reading.as_of:%b %Y}",
        f"{f.small} ÷ {f.large}\n100 at start")


def credit(data: MarketData, f: ReportFigures) -> Figure | None:
    m = f.macro
    if m.high_yield_spread is None and m.vix is None:
        return None
    high_yield, vix = (s[s.index <= f.as_of] for s in (data.macro_series("BAMLH0A0HYM2"),
                                                       data.macro_series("VIXCLS")))
    return draw.credit_chart(high_yield, vix, m.recessions,
                             "Risk appetite: the high-yield spread and VIX over their history")


def draw_charts(data: MarketData, ins: Instruments, f: ReportFigures,
                names: Iterable[str] | None = None) -> dict[str, Chart | None]:
    """The named charts of the report (by default every one, in the report's order), as SVG
    (and the emailed one as PNG too); None where the data to draw it is missing."""
    drawn = {name: measure(name, data, ins, f) for name in (CHARTS if names is None else names)}
    return {name: None if measured is None else measured.encoded()
            for name, measured in drawn.items()}


def measure(name: str, data: MarketData, ins: Instruments, f: ReportFigures
            ) -> Measured | None:
    """The named chart, drawn and measured; None where the data to draw it is missing."""
    figure = CHARTS[name](data, ins, f)
    return None if figure is None else Measured(name, figure, draw.drawn_box(figure))


@dataclass(frozen=True)
class Measured:
    """A chart drawn and measured, not yet encoded: its shape is what a layout needs."""
    name: str
    figure: Figure
    box: Bbox  # what it draws, in inches (``figures.drawn_box``)

    @property
    def shape(self) -> ChartShape:
        return ChartShape(self.name, self.figure.axes[0].get_title(loc="left"),
                          points(self.box.width), points(self.box.height))

    def encoded(self) -> Chart:
        shape, svg = self.shape, draw.svg_image(self.figure, self.box)
        if svg_size(svg) != (shape.width, shape.height):  # as measured, or a bug
            raise RuntimeError(f"the {self.name} chart's SVG is {svg_size(svg)}, "
                               f"not the size measured ({shape})")
        return Chart(shape, svg,
                     draw.png_image(self.figure) if self.name == EMAILED_CHART else None)


ChartMaker = Callable[[MarketData, Instruments, ReportFigures], Figure | None]

# Every chart by name, in the report's order (chart.CHART_NAMES).
CHARTS: dict[str, ChartMaker] = {
    "growth": growth,
    "relative_strength": lambda data, ins, f: relative_strength(data, f),
    "returns_by_period": lambda data, ins, f: returns_by_period(f),
    "valuation": lambda data, ins, f: valuation(f),
    "rates": rates,
    "policy_path": lambda data, ins, f: policy_path(data, f),
    "decades": lambda data, ins, f: decades(data, f),
    "credit": lambda data, ins, f: credit(data, f),
    "fed_study": lambda data, ins, f: fed_study(f),
    "leaders_month": lambda data, ins, f: leaders(f, f.leaders_month, f"{f.as_of:%B}"),
    "leaders_ytd": lambda data, ins, f: leaders(f, f.leaders_ytd, "Year to date"),
    "vehicles_growth": vehicles_growth,
    "risk_return": lambda data, ins, f: risk_return(f),
    "rolling_volatility": rolling_volatility,
    "drawdown": drawdown,
    "scorecard": lambda data, ins, f: scorecard(f),
}
