"""What the charting stage hands on, and how to ask for it, without importing matplotlib:
the build's own process imports only this module, while helper processes draw."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.synchronize import Lock

    from reportgen.charts.report_charts import Measured
    from reportgen.config import Instruments
    from reportgen.data.model import MarketData
    from reportgen.metrics.report import ReportFigures


@dataclass(frozen=True)
class ChartShape:
    """What laying out a chart needs: known once the chart is drawn and measured, before it
    is encoded (the encoding is done while the edition is laid out)."""
    name: str  # its name in CHART_NAMES
    title: str  # the finding the chart shows; also its text alternative
    width: str  # its size as its SVG gives it ("468.75pt")
    height: str


@dataclass(frozen=True)
class Chart:
    shape: ChartShape
    svg: bytes
    png: bytes | None = None  # the emailed chart only: mail programs do not show SVG

    @property
    def title(self) -> str:
        return self.shape.title


# The report's charts by name: encoded, or (enough for the PDF's layout) only measured.
ChartsByName = Mapping[str, Chart | ChartShape | None]

EMAILED_CHART = "relative_strength"  # the chart in the email's summary, as on the cover

# Every chart by name, in the report's order (``report_charts.CHARTS`` draws each).
CHART_NAMES = ("growth", "relative_strength", "returns_by_period", "valuation", "rates",
               "policy_path", "decades", "credit", "fed_study", "leaders_month", "leaders_ytd",
               "vehicles_growth", "risk_return", "rolling_volatility", "drawdown", "scorecard")


# A helper's niceness as it encodes (see encode_held).
ENCODING_NICENESS = 10

# In a chart helper: what its charts are drawn from and the helpers' turns to encode,
# received once (``receive``), and the charts it has measured and not yet encoded
# (``measure_received``, ``encode_held``).
_received: tuple[MarketData, Instruments, ReportFigures] | None = None
_turns: Lock | None = None
_held: dict[str, Measured] = {}


def receive(data: MarketData, ins: Instruments, f: ReportFigures, turns: Lock) -> None:
    """Keeps what this helper's charts are drawn from (a pool's initializer: it is sent to
    each helper once, 3 MB of prices and series, rather than with each of 16 charts), and
    the lock the helpers take turns to encode by."""
    global _received, _turns
    _received, _turns = (data, ins, f), turns


def draw_received(names: Iterable[str]) -> dict[str, Chart | None]:
    """``draw_named`` for these names, from what this helper received."""
    assert _received is not None, "the pool's initializer gave this helper its inputs"
    return draw_named(names, *_received)


def measure_received(name: str) -> ChartShape | None:
    """The named chart drawn and measured from what this helper received (None where its
    data is missing), and held here until ``encode_held``."""
    from reportgen.charts.report_charts import measure

    assert _received is not None, "the pool's initializer gave this helper its inputs"
    measured = measure(name, *_received)
    if measured is None:
        return None
    _held[name] = measured
    return measured.shape


def encode_held() -> dict[str, Chart]:
    """Every chart this helper holds, encoded (and no longer held). The build lays out its
    edition meanwhile, on one core: the helpers take turns on the other, at a lower
    priority, since two encoding at once took a share of the layout's core and slowed it by
    more than they gained."""
    assert _turns is not None, "the pool's initializer gave this helper its turns"
    os.setpriority(os.PRIO_PROCESS, 0,
                   max(os.getpriority(os.PRIO_PROCESS, 0), ENCODING_NICENESS))
    with _turns:
        charts = {name: measured.encoded() for name, measured in _held.items()}
    _held.clear()
    return charts


def draw_named(names: Iterable[str], data: MarketData, ins: Instruments, f: ReportFigures
               ) -> dict[str, Chart | None]:
    """``report_charts.draw_charts`` for these names. Its module (and so matplotlib) is
    imported only when this is called, so a process can hand this function to a helper
    without importing matplotlib itself."""
    from reportgen.charts.report_charts import draw_charts

    return draw_charts(data, ins, f, names)
