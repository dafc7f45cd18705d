import math
import statistics

import pandas as pd
import pytest

from reportgen.metrics.risk import beta, max_drawdown, sharpe_ratio, volatility
from tests.conftest import from_returns, series


def test_volatility_is_the_sample_stdev_of_log_returns_annualised() -> None:
    closes = series({"2026-01-05": 100.0, "2026-01-06": 101.0, "2026-01-07": 99.0,
                     "2026-01-08": 102.0, "2026-01-09": 102.0})
    logs = [math.log(101 / 100), math.log(99 / 101), math.log(102 / 99), 0.0]
    assert volatility(closes) == pytest.approx(statistics.stdev(logs) * math.sqrt(252))


def test_max_drawdown_dates_its_peak_trough_and_recovery() -> None:
    closes = from_returns("2026-01-05", [0.2, -0.25, 0.2222222, 0.1818182, -0.04])
    # 100, 120, 90, 110, 130, 124.8
    drawdown = max_drawdown(closes)
    assert drawdown.depth == pytest.approx(90 / 120 - 1)
    assert (drawdown.peak, drawdown.trough) == (closes.index[1], closes.index[2])
    assert drawdown.recovered == closes.index[4]


def test_an_unrecovered_drawdown_has_no_recovery_date() -> None:
    assert max_drawdown(from_returns("2026-01-05", [0.1, -0.3, 0.1])).recovered is None


def test_beta_of_a_twice_levered_series_is_two() -> None:
    bench_returns = [0.01, -0.02, 0.015, 0.003, -0.007, 0.012]
    bench = from_returns("2026-01-05", bench_returns)
    levered = from_returns("2026-01-05", [2 * r for r in bench_returns])
    assert beta(levered, bench) == pytest.approx(2.0)


def test_sharpe_subtracts_the_average_bill_yield() -> None:
    closes = from_returns("2025-01-01", [0.001, -0.0005] * 140)
    start, as_of = closes.index[0], closes.index[-1]
    bills = pd.Series(4.0, index=closes.index)  # 4% a year
    total = closes.iloc[-1] / closes.iloc[0] - 1
    annual = (1 + total) ** (365.25 / (as_of - start).days) - 1
    expected = (annual - 0.04) / volatility(closes)
    assert sharpe_ratio(closes, bills, start, as_of) == pytest.approx(expected)
