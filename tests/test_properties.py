"""Property-based tests (hypothesis): invariants every metric must keep whatever the prices,
and a CSV reader that refuses or reads any damaged file, never crashes."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.data.csv_source import read_price_csv
from reportgen.errors import ReportgenError
from reportgen.metrics import periods, relative, risk

# Daily moves of up to ±30%, on up to two years of weekdays.
moves = st.lists(st.floats(-0.3, 0.3, allow_nan=False), min_size=3, max_size=500)
levels = st.floats(0.01, 1e6, allow_nan=False)


def closes_from(daily: list[float], level: float = 100.0) -> pd.Series:
    days = pd.bdate_range("2024-01-01", periods=len(daily) + 1)
    return pd.Series(level * np.cumprod([1.0, *(1.0 + m for m in daily)]), index=days)


@given(moves, st.data())
def test_a_period_return_is_the_product_of_its_sub_periods(daily: list[float], data) -> None:
    closes = closes_from(daily)
    start, end = closes.index[0], closes.index[-1]
    middle = closes.index[data.draw(st.integers(1, len(closes) - 2))]
    whole = periods.return_between(closes, start, end)
    first = periods.return_between(closes, start, middle)
    second = periods.return_between(closes, middle, end)
    assert whole is not None and first is not None and second is not None
    assert math.isclose(1 + whole.total, (1 + first.total) * (1 + second.total), rel_tol=1e-9)


@given(moves)
def test_drawdown_is_never_positive_and_the_max_is_the_deepest(daily: list[float]) -> None:
    closes = closes_from(daily)
    depths = risk.underwater(closes)
    assert (depths <= 1e-12).all()
    worst = risk.max_drawdown(closes)
    assert worst.depth == depths.min()
    assert worst.peak <= worst.trough
    assert closes[worst.peak] == closes[:worst.trough].max()


@given(moves, levels)
def test_volatility_ignores_the_price_level(daily: list[float], level: float) -> None:
    assert math.isclose(risk.volatility(closes_from(daily)),
                        risk.volatility(closes_from(daily, level)), rel_tol=1e-9, abs_tol=1e-12)


@given(moves, moves, levels, levels)
def test_relative_strength_is_unchanged_by_rebasing(small: list[float], large: list[float],
                                                    small_level: float, large_level: float
                                                    ) -> None:
    n = min(len(small), len(large))
    a, b = closes_from(small[:n]), closes_from(large[:n])
    start, as_of = a.index[0], a.index[-1]
    line = relative.relative_strength(a, b, as_of, start)
    rebased = relative.relative_strength(a * small_level, b * large_level, as_of, start)
    assert line.iloc[0] == 100.0
    np.testing.assert_allclose(line.to_numpy(), rebased.to_numpy(), rtol=1e-9)


HEADER = "date,open,high,low,close,adj_close,volume"
cells = st.one_of(st.just(""), st.floats(allow_nan=True, allow_infinity=True).map(str),
                  st.integers(-10, 10**6).map(str), st.text(max_size=6))
dates = st.one_of(st.dates().map(str), st.text(max_size=12))
rows = st.lists(st.tuples(dates, cells, cells), min_size=0, max_size=8)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150)
@given(rows=rows, header=st.sampled_from([HEADER, "date,close,adj_close", "Date,Close",
                                          "date;close;adj_close", ""]))
def test_any_damaged_price_file_is_read_or_refused_with_its_name(tmp_path: Path, rows,
                                                                 header: str) -> None:
    path = tmp_path / "X.csv"
    columns = header.split(",")
    lines = [header] + [",".join([day, close, adj, *([""] * max(0, len(columns) - 3))])
                        for day, close, adj in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", errors="replace"))
    try:
        frame = read_price_csv(path)
    except ReportgenError as error:
        assert str(error).startswith(str(path)), error
        return
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert not frame["adj_close"].isna().any()
