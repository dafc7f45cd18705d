"""The report's charts. Each function takes plain series or tables and returns a matplotlib
Figure in the house style; ``svg_image`` and ``png_image`` turn it into bytes.

Figures are built with the object-oriented API (no pyplot), so no global state is shared
between charts.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from importlib import resources

import matplotlib
import matplotlib.axes
import matplotlib.axis
import matplotlib.dates
import matplotlib.patches
import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from matplotlib.transforms import Bbox

from reportgen.charts.palette import (
    ACCENT,
    CHART_COLOURS,
    GAIN,
    INK,
    LOSS,
    MARK_COLOURS,
    MUTED,
    RECESSION,
    LineStyles,
    colour,
)
from reportgen.charts.svg import without_bare_groups
from reportgen.formatting import DASH, number, pct
from reportgen.metrics.signals import Signal

STYLE = str(resources.files("reportgen.charts") / "house.mplstyle")
# Inches. A chart is cropped to what it draws, then widened to its column: the A4 text
# column (178 mm, 7.0 in) or half of it. A full-width chart's crop takes off its plot's wide
# side margins, so it is drawn wider than the column: cropped, it fills the column at about
# its own size (1.02 to 1.13 times on the sample edition), and its text prints at the
# style's sizes, as a half-width chart's does (drawn 6.9 in wide, it printed 1.16 to 1.29
# times its size). Its height grows with its width, so that it prints as tall as it did.
FULL_WIDTH, HALF_WIDTH = 7.9, 3.35
HEIGHT, FULL_HEIGHT = 2.0, 2.3

# matplotlib warns once per missing family; the style names Inter with a fallback.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


def styled(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    def wrapper(*args: object, **kwargs: object) -> Figure:
        with matplotlib.style.context([STYLE, CHART_COLOURS]):
            return draw(*args, **kwargs)
    wrapper.__name__, wrapper.__doc__ = draw.__name__, draw.__doc__
    return wrapper


def svg_image(figure: Figure, box: Bbox) -> bytes:
    """The figure as SVG (for the PDF and the HTML edition), cropped to ``box``
    (``drawn_box``): its size is then ``svg.points`` of the box's."""
    buffer = io.BytesIO()
    with matplotlib.style.context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches=box)
    return without_bare_groups(buffer.getvalue())


def png_image(figure: Figure) -> bytes:
    """The figure as PNG (for email: mail programs do not show SVG), cropped as the style
    says."""
    buffer = io.BytesIO()
    with matplotlib.style.context(STYLE):
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def drawn_box(figure: Figure) -> Bbox:
    """The box (in inches) around everything the figure draws, padded by the style's
    ``savefig.pad_inches``: what ``bbox_inches="tight"`` crops to. matplotlib's "tight" first
    draws the whole figure without output so that everything is in place, then measures it:
    each chart laid out twice before it is drawn. Measured at once, it is laid out once: a
    quarter less time to encode the charts (profiled, 6.0 → 4.6 s for the report's 17).
    Nothing in the house charts is placed only as the figure is drawn: titles stand at the
    top of their axes (``axes.titley: 1.0`` in the style, not moved over tick labels), and
    a legend placed "best" is placed as it is measured. ``tests/test_charts.py`` holds every
    chart's box to matplotlib's."""
    # Text measured as the SVG backend measures it, unhinted: hinted (as the default
    # renderer measures), a long title came out 4 pt narrower than in the SVG and would have
    # lost its last letter to the crop.
    with matplotlib.style.context(STYLE):  # as the figure is saved
        with matplotlib.rc_context({"text.hinting": "no_hinting"}):
            box = figure.get_tightbbox()
        return box.padded(matplotlib.rcParams["savefig.pad_inches"])


def downsample(series: pd.Series) -> pd.Series:
    """Weekly closes for spans over two years, monthly over eight: print cannot show more,
    and the PDF stays small. The last point is always the latest close."""
    span_years = (series.index[-1] - series.index[0]).days / 365.25
    if span_years <= 2:
        return series
    step = "M" if span_years > 8 else "W"
    return series.groupby(pd.DatetimeIndex(series.index).to_period(step)).tail(1)


def step_corners(steps: pd.DataFrame) -> pd.DataFrame:
    """The rows where a step function changes: the first, each that differs from the row
    before, and the last (so the line reaches the latest day). Drawn with ``step="post"``
    they make the same outline as every row: a daily policy range has a few dozen changes
    in thousands of days, and each point costs time in the PDF renderer."""
    changed = steps.ne(steps.shift()).any(axis=1).to_numpy(copy=True)
    changed[-1:] = True
    return steps[changed]


def _canvas(width: float, height: float | None = None
            ) -> tuple[Figure, matplotlib.axes.Axes]:
    """A figure with one plot, by default as tall as a chart of its width is drawn."""
    if height is None:
        height = FULL_HEIGHT if width >= FULL_WIDTH else HEIGHT
    figure = Figure(figsize=(width, height))
    return figure, figure.add_subplot()


def _percent_axis(axis: matplotlib.axis.Axis) -> None:
    """Whole percents, or one decimal when the axis spans less than six points."""
    low, high = axis.get_view_interval()
    axis.set_major_formatter(PercentFormatter(1.0, decimals=0 if high - low >= 0.06 else 1))


def _date_axis(ax: matplotlib.axes.Axes) -> None:
    locator = matplotlib.dates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))


def _full_width(ax: matplotlib.axes.Axes) -> bool:
    figure = ax.get_figure(root=True)
    return figure is not None and figure.get_figwidth() >= FULL_WIDTH


def _legend(ax: matplotlib.axes.Axes, columns: int, above: bool | None = None) -> None:
    """By default, on a full-width chart, in rows between the title and the plot, so it
    never covers data; on a half-width chart, inside (``above`` overrides: bars that fill
    the plot leave no room inside)."""
    if not (_full_width(ax) if above is None else above):
        ax.legend(loc="best", ncol=min(columns, 3), handlelength=1.2, columnspacing=0.8)
        return
    entries = len(ax.get_legend_handles_labels()[1])
    legend = ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=columns,
                       borderaxespad=0.2, handlelength=1.4, columnspacing=1.0)
    legend.set_gid(f"above-{-(-entries // columns)}")  # its rows, for the title's lift


def _title(ax: matplotlib.axes.Axes, title: str) -> None:
    """Top left; lifted over a legend that sits on top of the plot."""
    legend = ax.get_legend()
    gid = legend.get_gid() if legend is not None else None
    rows = int(gid.removeprefix("above-")) if gid and gid.startswith("above-") else 0
    ax.set_title(title, color=INK, pad=8 + 12 * rows)


@styled
def growth_chart(closes: dict[str, pd.Series], title: str, styles: LineStyles,
                 width: float = FULL_WIDTH) -> Figure:
    """Growth of 100 from each series' first close."""
    figure, ax = _canvas(width)
    full_width = _full_width(ax)
    for ticker, series in closes.items():
        line = downsample(100 * series / series.iloc[0])
        ax.plot(line.index, line.to_numpy(), color=colour(ticker), label=ticker,
                linestyle=styles(ticker))
        if full_width:  # a half-width chart has no room for end labels
            ax.annotate(f"{line.iloc[-1]:.0f}", (line.index[-1], line.iloc[-1]),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=7,
                        color=colour(ticker))
    ax.axhline(100, color=MUTED, linewidth=0.6)
    _date_axis(ax)
    ax.set_ylabel("Growth of 100")
    _legend(ax, len(closes) if full_width else 3, above=True)
    _title(ax, title)
    return figure


@styled
def relative_strength_chart(line: pd.Series, title: str, label: str) -> Figure:
    """The ratio line, rebased to 100, with its 52-week high and low marked."""
    figure, ax = _canvas(FULL_WIDTH)
    ax.plot(line.index, line.to_numpy(), color=colour("IWM"), label=label)
    ax.axhline(100, color=MUTED, linewidth=0.6)
    dates = pd.DatetimeIndex(line.index)
    middle = dates[len(line) // 2]
    for at, kind in ((int(line.argmax()), "52-week high"), (int(line.argmin()), "52-week low")):
        day, value, high = dates[at], float(line.iloc[at]), "high" in kind
        ax.scatter(dates[at:at + 1], [value], color=GAIN if high else LOSS, zorder=3, s=16)
        ax.annotate(f"{kind} {value:.1f}, {day.day} {day:%b %Y}", (day, value),
                    xytext=(6 if day < middle else -6, 4 if high else -4),
                    textcoords="offset points", fontsize=7, va="bottom" if high else "top",
                    ha="left" if day < middle else "right")
    ax.margins(y=0.18)
    _date_axis(ax)
    ax.set_ylabel("Ratio, rebased to 100")
    _legend(ax, 1)
    _title(ax, title)
    return figure


@styled
def returns_by_period_chart(returns: pd.DataFrame, title: str, width: float = FULL_WIDTH
                            ) -> Figure:
    """Grouped bars: one group per period, one bar per ticker."""
    figure, ax = _canvas(width)
    width = 0.8 / len(returns.index)
    positions = np.arange(len(returns.columns))
    for offset, (ticker, row) in enumerate(returns.iterrows()):
        ax.bar(positions + offset * width - 0.4 + width / 2, row.fillna(0).to_numpy(),
               width=width, color=colour(str(ticker)), label=str(ticker))
    ax.set_xticks(positions, list(returns.columns))
    ax.axhline(0, color=INK, linewidth=0.6)
    _percent_axis(ax.yaxis)
    full = width >= FULL_WIDTH
    _legend(ax, len(returns.index) if full else 3, above=True)
    _title(ax, title)
    return figure


def _bar_pair(ax: matplotlib.axes.Axes, labels: Sequence[str],
              pair: list[tuple[Sequence[float] | np.ndarray, str, str]],
              write: Callable[[float], str], label_size: float) -> None:
    """Two bars per label, side by side, each with its value written above it (by ``write``,
    from formatting: one sign convention in charts as in text). A missing value has no bar
    and is labelled with a dash."""
    positions = np.arange(len(labels))
    for shift, (values, shade, name) in zip((-0.2, 0.2), pair, strict=True):
        numbers = np.asarray(values, dtype=float)
        bars = ax.bar(positions + shift, np.nan_to_num(numbers), width=0.38, color=shade,
                      label=name)
        ax.bar_label(bars, [write(v) if not np.isnan(v) else DASH for v in numbers],
                     fontsize=label_size, padding=1.5)
    ax.set_xticks(positions, labels)


@styled
def paired_bars_chart(labels: Sequence[str], small: Sequence[float], large: Sequence[float],
                      names: tuple[str, str], title: str) -> Figure:
    """Small against large, side by side, for a few measures (valuation multiples)."""
    figure, ax = _canvas(HALF_WIDTH)
    _bar_pair(ax, labels, [(small, colour(names[0]), names[0]), (large, colour(names[1]),
                                                                   names[1])],
              lambda v: number(v, 1), 7)
    _legend(ax, 2)
    ax.margins(y=0.2)
    _title(ax, title)
    return figure


@styled
def rates_chart(bills: pd.Series, ten_year: pd.Series, spread: pd.Series, title: str,
                spread_label: str) -> Figure:
    """Yields above, the rolling small-minus-large return below, on one time axis."""
    figure = Figure(figsize=(FULL_WIDTH, FULL_HEIGHT * 1.25))
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    for series, ticker, name, pattern in ((bills, "^IRX", "13-week T-bill", ":"),
                                          (ten_year, "^TNX", "10-year Treasury", "--")):
        line = downsample(series)
        top.plot(line.index, line.to_numpy(), color=colour(ticker), label=name,
                 linestyle=pattern)
    top.set_ylabel("Yield, %")
    _legend(top, 2)
    line = downsample(spread)
    bottom.fill_between(line.index, line.to_numpy(), 0, where=line.to_numpy() >= 0,
                        color=GAIN, alpha=0.5, linewidth=0)
    bottom.fill_between(line.index, line.to_numpy(), 0, where=line.to_numpy() < 0,
                        color=LOSS, alpha=0.5, linewidth=0)
    bottom.axhline(0, color=INK, linewidth=0.6)
    bottom.set_ylabel(spread_label)
    _date_axis(bottom)
    _percent_axis(bottom.yaxis)
    _title(top, title)
    return figure


@styled
def fed_study_chart(stats: pd.DataFrame, title: str) -> Figure:
    """Mean and median small-minus-large return at each horizon after a cut."""
    figure, ax = _canvas(HALF_WIDTH)
    _bar_pair(ax, [f"{m}M" for m in stats.index],
              [(stats["mean"].to_numpy(), INK, "Mean"),
               (stats["median"].to_numpy(), MUTED, "Median")], pct, 6)
    ax.set_xlabel("Months after the cut")
    ax.axhline(0, color=INK, linewidth=0.6)
    _percent_axis(ax.yaxis)
    ax.margins(y=0.25)
    _legend(ax, 2)
    _title(ax, title)
    return figure


@styled
def ranked_bars_chart(returns: pd.Series, labels: Sequence[str], title: str,
                      width: float = HALF_WIDTH) -> Figure:
    """Horizontal bars, best at the top, green for gains and red for losses."""
    per_bar = 0.32 if len(returns) <= 12 else 0.16  # twenty bars stay within a half page
    figure = Figure(figsize=(width, max(1.4, per_bar * len(returns) + 0.7)))
    ax = figure.add_subplot()
    positions = np.arange(len(returns))[::-1]
    bars = ax.barh(positions, returns.to_numpy(),
                   color=[GAIN if v >= 0 else LOSS for v in returns], height=0.6)
    ax.bar_label(bars, [pct(v) for v in returns], fontsize=7, padding=2)
    ax.set_yticks(positions, labels)
    ax.axvline(0, color=INK, linewidth=0.6)
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    _percent_axis(ax.xaxis)
    ax.margins(x=0.25)
    _title(ax, title)
    return figure


def _label_offsets(points: pd.DataFrame, near: float = 0.06) -> list[tuple[int, int]]:
    """Label positions (in points) beside each dot; a dot close to one already labelled gets
    its label below instead, so the two names do not print over each other."""
    spans = (points.max() - points.min()).replace(0, 1).to_numpy()
    placed: list[tuple[float, float, int]] = []
    offsets = []
    for x, y in points.to_numpy():
        clashes = sum(1 for px, py, _ in placed
                      if abs(x - px) / spans[0] < near and abs(y - py) / spans[1] < near)
        offsets.append((4, 3 - 9 * clashes))
        placed.append((x, y, clashes))
    return offsets


@styled
def risk_return_chart(vehicles: pd.DataFrame, title: str) -> Figure:
    """Annualised 3-year return against 3-year volatility, one dot per vehicle."""
    figure, ax = _canvas(HALF_WIDTH)
    shown = vehicles.dropna(subset=["volatility_3y", "return_3y_annualised"])
    points = shown[["volatility_3y", "return_3y_annualised"]]
    for (ticker, (x, y)), offset in zip(points.iterrows(), _label_offsets(points), strict=True):
        ax.scatter(x, y, color=colour(str(ticker)), s=28, zorder=3)
        ax.annotate(str(ticker), (x, y), xytext=offset, textcoords="offset points", fontsize=7)
    ax.set_xlabel("Volatility, 3 years (annualised)")
    ax.set_ylabel("Return, 3 years a year")
    ax.grid(axis="x")
    _percent_axis(ax.xaxis)
    _percent_axis(ax.yaxis)
    ax.margins(0.2)
    _title(ax, title)
    return figure


@styled
def lines_chart(lines: dict[str, pd.Series], title: str, ylabel: str, styles: LineStyles,
                percent: bool = True, width: float = HALF_WIDTH, fill: bool = False) -> Figure:
    """A few series on one axis (rolling volatility, drawdown)."""
    figure, ax = _canvas(width)
    for ticker, series in lines.items():
        line = downsample(series)
        ax.plot(line.index, line.to_numpy(), color=colour(ticker), label=ticker, linewidth=1.1,
                linestyle=styles(ticker))
        if fill:
            ax.fill_between(line.index, line.to_numpy(), 0, color=colour(ticker), alpha=0.12,
                            linewidth=0)
    ax.set_ylabel(ylabel)
    _date_axis(ax)
    if percent:
        _percent_axis(ax.yaxis)
    _legend(ax, len(lines))
    _title(ax, title)
    return figure


@styled
def scorecard_chart(signals: list[Signal], title: str) -> Figure:
    """One tile per signal, coloured by its mark."""
    figure, ax = _canvas(FULL_WIDTH, 1.45)
    for position, signal in enumerate(signals):
        mark = signal.mark.value if signal.mark else None
        ax.add_patch(matplotlib.patches.FancyBboxPatch(
            (position + 0.05, 0.05), 0.9, 0.9, boxstyle="round,pad=0,rounding_size=0.08",
            color=MARK_COLOURS[mark]))
        ink = "white" if mark else INK  # the pale "no data" tile needs dark text
        ax.text(position + 0.5, 0.62, signal.rule.name, ha="center", va="center",
                color=ink, fontsize=9, fontweight="semibold")
        ax.text(position + 0.5, 0.33, (mark or "no data").title(), ha="center", va="center",
                color=ink, fontsize=7.5)
    ax.set_xlim(0, len(signals))
    ax.set_ylim(0, 1)
    ax.axis("off")
    _title(ax, title)
    return figure



Spans = list[tuple[pd.Timestamp, pd.Timestamp]]


def _shade_recessions(ax: matplotlib.axes.Axes, recessions: Spans, start: pd.Timestamp
                      ) -> None:
    """NBER recessions as grey bands behind the data (from the first to the end of the last
    month flagged), with one legend entry."""
    shown = [(a, b) for a, b in recessions if b >= start]
    for number_, (first, last) in enumerate(shown):
        ax.axvspan(matplotlib.dates.date2num(max(first, start)),
                   matplotlib.dates.date2num(last + pd.offsets.MonthEnd(0)), color=RECESSION,
                   zorder=0, linewidth=0, label="Recession" if number_ == 0 else None)


def _mark_last(ax: matplotlib.axes.Axes, series: pd.Series, text: str | None = None) -> None:
    """A dot on the latest value, labelled with ``text`` unless it is stated elsewhere."""
    ax.scatter(series.index[-1:], series.to_numpy()[-1:], color=INK, s=12, zorder=3)
    if text:
        ax.annotate(text, (series.index[-1], series.iloc[-1]), xytext=(-4, 6),
                    textcoords="offset points", fontsize=7, ha="right")


@styled
def policy_path_chart(upper: pd.Series, lower: pd.Series, ten_year: pd.Series,
                      recessions: Spans, title: str) -> Figure:
    """The federal funds target range as a band, the 10-year yield as a line (half width,
    beside the Fed-cut study)."""
    figure, ax = _canvas(HALF_WIDTH)
    start = upper.index[0]
    _shade_recessions(ax, recessions, start)
    band = step_corners(pd.concat({"upper": upper, "lower": lower}, axis=1).dropna())
    ax.fill_between(band.index, band["lower"].to_numpy(), band["upper"].to_numpy(),
                    step="post", color=ACCENT, alpha=0.35, linewidth=0,
                    label="Target range")
    line = downsample(ten_year[ten_year.index >= start])
    ax.plot(line.index, line.to_numpy(), color=INK, linewidth=1.0, label="10-year")
    ax.set_ylabel("Percent")
    _date_axis(ax)
    _legend(ax, 1)
    _title(ax, title)
    return figure


@styled
def decades_chart(spread: pd.Series, ratio: pd.Series, recessions: Spans, title: str,
                  ratio_label: str) -> Figure:
    """Above: the ten-year annualised return of the smallest size decile minus the largest,
    since the 1930s. Below: the small-cap ÷ large-cap fund ratio since 2000."""
    figure = Figure(figsize=(FULL_WIDTH, FULL_HEIGHT * 1.2))
    top, bottom = figure.subplots(2, 1, height_ratios=[3, 2], gridspec_kw={"hspace": 0.4})
    _shade_recessions(top, recessions, spread.index[0])
    top.plot(spread.index, spread.to_numpy(), color=ACCENT, linewidth=1.0,
             label="Smallest decile − largest, 10 years annualised")
    top.axhline(0, color=INK, linewidth=0.6)
    _mark_last(top, spread)  # the value is in the title
    _percent_axis(top.yaxis)
    _legend(top, 2)
    if not ratio.empty:
        _shade_recessions(bottom, recessions, ratio.index[0])
        line = downsample(100 * ratio / ratio.iloc[0])
        bottom.plot(line.index, line.to_numpy(), color=colour("IWM"), linewidth=1.0)
        bottom.axhline(100, color=MUTED, linewidth=0.6)
        bottom.set_ylabel(ratio_label, fontsize=7)
        _date_axis(bottom)
    else:
        bottom.set_visible(False)
    _title(top, title)
    return figure


@styled
def credit_chart(high_yield: pd.Series, vix: pd.Series, recessions: Spans, title: str
                 ) -> Figure:
    """The high-yield spread and VIX, each over its whole history, latest value marked."""
    figure = Figure(figsize=(FULL_WIDTH, FULL_HEIGHT))
    top, bottom = figure.subplots(2, 1, sharex=True)
    for ax, series, label in ((top, high_yield, "High-yield spread, %"),
                              (bottom, vix, "VIX")):
        if series.empty:
            ax.set_visible(False)
            continue
        _shade_recessions(ax, recessions, series.index[0])
        line = downsample(series)
        ax.plot(line.index, line.to_numpy(), color=INK, linewidth=0.8)
        _mark_last(ax, series, number(float(series.iloc[-1]), 1))
        ax.set_ylabel(label, fontsize=7)
    _date_axis(bottom)
    _title(top, title)
    return figure
