"""The build draws every other chart in a helper process (forked from the fork server) while
it draws the rest: the charts are byte for byte those drawn in one process, in the report's
order, and a helper that dies costs time, not charts."""

from __future__ import annotations

import dataclasses
import os

import pytest

from reportgen.charts.report_charts import CHARTS, draw_charts
from reportgen.config import Config
from reportgen.data.model import MarketData
from reportgen.edition import draw_all_charts
from reportgen.processes import spare_cores

pytestmark = pytest.mark.skipif(not spare_cores(), reason="one core: no helper process")


def test_charts_drawn_beside_a_helper_are_those_drawn_here(sample_data, sample_figures
                                                            ) -> None:
    ins = Config().instruments
    alone = draw_charts(sample_data, ins, sample_figures)
    together = draw_all_charts(sample_data, ins, sample_figures)
    assert list(together) == list(alone) == list(CHARTS)
    assert sum(chart is not None for chart in alone.values()) >= 12
    assert together == alone


class _KillsItsReader(MarketData):
    """Market data that ends any process that unpickles it: the helper dies mid-task."""

    def __reduce__(self) -> tuple:
        return os._exit, (3,)


def test_a_dead_helper_s_charts_are_drawn_here(sample_data, sample_figures,
                                               caplog: pytest.LogCaptureFixture) -> None:
    ins = Config().instruments
    doomed = _KillsItsReader(**{f.name: getattr(sample_data, f.name)
                                for f in dataclasses.fields(sample_data)})
    charts = draw_all_charts(doomed, ins, sample_figures)
    assert charts == draw_charts(sample_data, ins, sample_figures)
    assert "chart helper process died" in caplog.text
