"""What the charting stage hands on, and how to ask for it, without importing matplotlib:
the build's own process imports only this module, while helper processes draw."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportgen.config import Instruments
    from reportgen.data.model import MarketData
    from reportgen.metrics.report import ReportFigures


@dataclass(frozen=True)
class Chart:
    title: str  # the finding the chart shows; also its text alternative
    svg: bytes
    png: bytes | None = None  # the emailed chart only: mail programs do not show SVG


EMAILED_CHART = "relative_strength"  # the chart in the email's summary, as on the cover

# Every chart by name, in the report's order (``report_charts.CHARTS`` draws each).
CHART_NAMES = ("growth", "relative_strength", "returns_by_period", "valuation", "rates",
               "policy_path", "decades", "credit", "fed_study", "leaders_month", "leaders_ytd",
               "vehicles_growth", "risk_return", "rolling_volatility", "drawdown", "scorecard")


# In a chart helper: what its charts are drawn from, received once (``receive``).
_received: tuple[MarketData, Instruments, ReportFigures] | None = None


def receive(data: MarketData, ins: Instruments, f: ReportFigures) -> None:
    """Keeps what this helper's charts are drawn from (a pool's initializer: it is sent to
    each helper once, 3 MB of prices and series, rather than with each of 16 charts)."""
    global _received
    _received = (data, ins, f)


def draw_received(names: Iterable[str]) -> dict[str, Chart | None]:
    """``draw_named`` for these names, from what this helper received."""
    assert _received is not None, "the pool's initializer gave this helper its inputs"
    return draw_named(names, *_received)


def draw_named(names: Iterable[str], data: MarketData, ins: Instruments, f: ReportFigures
               ) -> dict[str, Chart | None]:
    """``report_charts.draw_charts`` for these names. Its module (and so matplotlib) is
    imported only when this is called, so a process can hand this function to a helper
    without importing matplotlib itself."""
    from reportgen.charts.report_charts import draw_charts

    return draw_charts(data, ins, f, names)
