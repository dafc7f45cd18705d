from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from reportgen.metrics.relative import (
    current_streak,
    relative_strength,
    streak_lengths,
    summarise,
    winning_days,
)
from tests.conftest import from_returns


def test_streak_counts_consecutive_wins_and_finds_the_last_as_long() -> None:
    days = pd.bdate_range("2026-01-05", periods=9)
    wins = pd.Series([True, True, True, False, True, True, False, True, True], index=days)
    assert list(streak_lengths(wins)) == [1, 2, 3, 0, 1, 2, 0, 1, 2]
    streak = current_streak(wins)
    # Two days running now; the run of the 8th and 9th Jan last reached two, on the 9th.
    assert streak.length == 2
    assert streak.last_as_long == days[5]


def test_a_longest_ever_streak_has_no_earlier_match_and_a_loss_resets() -> None:
    days = pd.bdate_range("2026-01-05", periods=4)
    assert current_streak(pd.Series([False, True, True, True], index=days)).last_as_long is None
    assert current_streak(pd.Series([True, True, True, False], index=days)).length == 0


def test_a_tie_is_not_a_win() -> None:
    large = from_returns("2026-01-05", [0.01, 0.02, -0.01])
    small = from_returns("2026-01-05", [0.01, 0.03, -0.02])
    assert list(winning_days(small, large, large.index[-1])) == [False, True, False]


def test_relative_strength_is_rebased_to_100() -> None:
    large = from_returns("2025-01-01", [0.0] * 300)
    small = from_returns("2025-01-01", [0.001] * 300)
    line = relative_strength(small, large, large.index[-1], large.index[100])
    assert line.iloc[0] == 100.0
    assert line.iloc[-1] == pytest.approx(100 * 1.001 ** 200)


def test_summary_marks_52_week_high_and_low() -> None:
    # Small caps fall 10% against a flat market, then recover 5%.
    returns = [0.0] * 100 + [-0.001] * 100 + [0.0005] * 100
    small = from_returns("2025-01-01", returns)
    large = from_returns("2025-01-01", [0.0] * 300)
    as_of = small.index[-1]
    summary = summarise(small, large, as_of)
    start = small[small.index <= as_of - pd.DateOffset(weeks=52)].index[-1]
    expected = 100 * small / small[start]
    window = expected[expected.index >= start]
    assert summary.high_52w == pytest.approx(window.max())
    assert summary.low_52w == pytest.approx(window.min())
    assert summary.low_52w_date == small.index[200]
    assert summary.ratio == pytest.approx(window.iloc[-1])
    assert summary.streak.length == 100


def test_summary_needs_a_year_of_history() -> None:
    short = from_returns("2026-01-05", [0.01] * 30)
    assert summarise(short, short, short.index[-1]) is None


def test_rolling_spread_uses_the_period_rule_and_finds_the_last_as_wide() -> None:
    from reportgen.metrics.periods import period_return
    from reportgen.metrics.relative import last_as_wide, rolling_spread

    large = from_returns("2024-01-01", [0.0005] * 400)
    small = from_returns("2024-01-01", [0.002] * 150 + [-0.002] * 150 + [0.003] * 100)
    spreads = rolling_spread(small, large, 6, large.index[-1])
    for day in spreads.index[::37]:
        expected = (period_return(small, "6M", day).total
                    - period_return(large, "6M", day).total)
        assert spreads[day] == pytest.approx(expected)
    series = pd.Series([0.05, 0.08, 0.02, -0.01, 0.06],
                       index=pd.bdate_range("2026-01-05", periods=5))
    assert last_as_wide(series) == series.index[1]
    assert last_as_wide(series.iloc[:4]) is None  # widest negative gap on record


def test_the_months_gap_ranks_against_every_month_as_an_independent_count(
        real_prices: Path) -> None:
    """September 2026 on the real prices: the rank of the month's IWM-minus-SPY return among
    all months since the funds' shared history began, counted by hand, and its value equal
    to the gap of the two month returns the edition prints."""
    from reportgen.data.csv_source import read_price_csv
    from reportgen.metrics.macro import reading
    from reportgen.metrics.report import monthly_spreads
    from tests import independent

    as_of = date(2026, 9, 30)
    small, large = (independent.read_closes(real_prices / f"{t}.csv") for t in ("IWM", "SPY"))
    gaps = independent.monthly_gaps(small, large, as_of)
    iwm, spy = (read_price_csv(real_prices / f"{t}.csv")["adj_close"] for t in ("IWM", "SPY"))
    spreads = monthly_spreads(iwm, spy, pd.Timestamp(as_of))
    rank = reading(spreads, pd.Timestamp(as_of))
    assert rank is not None and len(spreads) == len(gaps)
    assert rank.value == pytest.approx(gaps[-1], abs=1e-12)
    assert rank.percentile == pytest.approx(sum(g <= gaps[-1] for g in gaps) / len(gaps))
    assert rank.since == pd.Timestamp("2000-06-30")
    assert rank.percentile <= 0.1  # the PDF says "in the worst tenth"
