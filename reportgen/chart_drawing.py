"""The edition's charts, drawn in two steps by helper processes: measured, then encoded.

Laying out the edition needs only each chart's title and size, which are known once the
chart is drawn and measured (``report_charts.measure``): a little over half of a chart's
work. Encoding it as SVG (and the emailed one as PNG) is the rest, and nothing but the
charts' pages (``render/chart_pages.py``) and the HTML edition need it. So the helpers
measure every chart first, each keeping the figures it drew; the build lays out the edition
as soon as every shape is back, while the helpers encode what they hold on the core the
layout leaves idle, one helper at a time and at a lower priority (``encode_held``).

Each chart is drawn by the same code from the same data wherever it is drawn, so the bytes
are the same; if a helper dies, the charts not yet back are drawn here, and a chart whose
helper was not asked to encode it is drawn again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import chain

from reportgen.charts.chart import (
    CHART_NAMES,
    Chart,
    ChartShape,
    draw_named,
    draw_received,
    encode_held,
    measure_received,
    receive,
)
from reportgen.config import Instruments
from reportgen.data.model import MarketData
from reportgen.metrics.report import ReportFigures
from reportgen.processes import (
    end_processes,
    fork_server,
    pool_lost,
    spare_cores,
    start_helper_with,
    usable_cores,
)

log = logging.getLogger(__name__)
# Past a few helpers, starting them and sending each its data costs more than the charts
# (a tenth of a second each) it would draw.
MAX_CHART_HELPERS = 4


def chart_data(data: MarketData, ins: Instruments) -> MarketData:
    """What the charts read: the prices of the funds, the rates and the relative-strength
    pairs, and the macro series. Not the universe's stocks (their figures are computed
    before), which each helper would otherwise be sent with every chart: with a 600-stock
    universe, the charts took 9.6 s that way and 2.1 s this way."""
    return data.with_prices_of([*ins.funds, *ins.rates, *chain(*ins.relative_pairs)])


class ChartDrawing:
    """The charts of one edition, asked for in the report's order: their shapes first
    (``shapes``), then the charts themselves (``charts``, from any thread)."""

    def __init__(self, read: tuple[MarketData, Instruments, ReportFigures],
                 pool: ProcessPoolExecutor | None = None, helpers: int = 0) -> None:
        self.read = read  # what the charts are drawn from
        self.pool = pool  # None: drawn in this process
        self.helpers = helpers
        self.shapes_found: dict[str, ChartShape | None] = {}
        self.drawn_here: dict[str, Chart | None] = {}
        self.encoding: list[Future[dict[str, Chart]]] = []
        self.broken = False  # a helper died: the rest are ended
        self.stopping = False  # the build stopped: nothing more is drawn
        self._lock = threading.Lock()
        self._charts: dict[str, Chart | None] | None = None

    def shapes(self, meanwhile: Callable[[], object] = lambda: None
               ) -> dict[str, ChartShape | None]:
        """Every chart's shape (None where its data is missing), having called
        ``meanwhile`` while they are drawn; the helpers then encode them."""
        shapes: dict[str, ChartShape | None] = {}
        if self.pool is None:
            meanwhile()
        else:
            measuring: dict[str, Future[ChartShape | None]] = {}
            try:  # a helper may die at any time, even while charts are handed out
                for name in CHART_NAMES:
                    measuring[name] = self.pool.submit(measure_received, name)
            except pool_lost():
                self._lost_a_helper()
            meanwhile()
            try:
                shapes = {name: future.result() for name, future in measuring.items()}
                self.encoding = [self.pool.submit(encode_held) for _ in range(self.helpers)]
            except pool_lost():
                self._lost_a_helper()
        for name, chart in self._draw_here([n for n in CHART_NAMES if n not in shapes]).items():
            shapes[name] = chart.shape if chart else None
        self.shapes_found = shapes
        return {name: shapes[name] for name in CHART_NAMES}

    def charts(self) -> dict[str, Chart | None]:
        """Every chart, encoded, in the report's order (waiting for the helpers)."""
        with self._lock:
            if self._charts is None:
                self._charts = self._encoded()
                if self.pool is not None:  # the helpers' work is done: they may end now
                    self.pool.shutdown(wait=False)
            return self._charts

    def svgs(self, names: Sequence[str]) -> list[bytes]:
        """The named charts' SVGs, in that order (waiting for the helpers)."""
        charts = self.charts()
        return [chart.svg for name in names if (chart := charts[name]) is not None]

    def stop(self) -> None:
        """The build stopped: nothing more is drawn, and the helpers are ended."""
        self.stopping = True
        if self.pool is not None:
            end_processes(self.pool)

    def _encoded(self) -> dict[str, Chart | None]:
        charts = {**self.drawn_here,
                  **{name: None for name, shape in self.shapes_found.items() if shape is None}}
        if self.pool is not None:
            charts |= self._from_helpers([name for name in CHART_NAMES if name not in charts])
        charts |= self._draw_here([name for name in CHART_NAMES if name not in charts])
        return {name: charts[name] for name in CHART_NAMES}

    def _from_helpers(self, names: list[str]) -> dict[str, Chart | None]:
        """What the helpers encoded of these charts; a chart held by a helper that was not
        asked to encode (the other took both requests) is drawn again by a helper."""
        assert self.pool is not None
        charts: dict[str, Chart | None] = {}
        try:
            for future in self.encoding:
                charts |= future.result()
            if again := [name for name in names if name not in charts]:
                charts |= self.pool.submit(draw_received, again).result()
        except pool_lost():
            self._lost_a_helper()
        return charts

    def _draw_here(self, names: list[str]) -> dict[str, Chart | None]:
        if not names:
            return {}
        if self.stopping:
            raise RuntimeError("the build stopped before its charts were drawn")
        drawn = draw_named(names, *self.read)
        self.drawn_here |= drawn
        return drawn

    def _lost_a_helper(self) -> None:
        if self.pool is None or self.broken:
            return
        self.broken = True
        end_processes(self.pool)
        if not self.stopping:
            log.warning("a chart helper process died; drawing its charts here")


@contextmanager
def drawing_charts(data: MarketData, ins: Instruments, figures: ReportFigures
                   ) -> Iterator[ChartDrawing]:
    """The edition's charts, drawn from now on. With a core to spare, helper processes
    draw them, each taking the next chart as it finishes one; they fork from the fork
    server, which imported matplotlib while this process loaded the data, so this process
    never imports it (a third of a second). A build that stops ends them."""
    read = (chart_data(data, ins), ins, figures)
    if not spare_cores():
        yield ChartDrawing(read)
        return
    helpers = min(usable_cores(), MAX_CHART_HELPERS)
    with ProcessPoolExecutor(helpers, mp_context=fork_server(), initializer=start_helper_with,
                             initargs=(receive, *read, fork_server().Lock())) as pool:
        drawing = ChartDrawing(read, pool, helpers)
        try:
            yield drawing
        except BaseException:
            drawing.stop()
            raise
