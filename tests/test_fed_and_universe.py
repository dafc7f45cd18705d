import math

import numpy as np
import pandas as pd
import pytest

from reportgen.metrics.fed import (
    cycle_starts,
    event_returns,
    fomc_source_note,
    load_fomc_cuts,
    summarise_events,
)
from reportgen.metrics.universe import (
    dispersion,
    leaders_and_laggards,
    share_above_moving_average,
    universe_returns,
)

DAY = pd.Timestamp


def test_event_study_measures_small_minus_large_after_each_cut() -> None:
    days = pd.bdate_range("2020-01-01", "2021-06-30")
    large = pd.Series(100.0, index=days)
    small = pd.Series(np.where(days >= DAY("2020-04-15"), 110.0, 100.0), index=days)
    cuts = pd.Series([DAY("2020-03-02"), DAY("2021-01-04")])
    table = event_returns(small, large, cuts, DAY("2021-06-30"))
    first = table.loc[DAY("2020-03-02")]
    assert first[1] == pytest.approx(0.0)  # 2 April: before the jump
    assert first[3] == pytest.approx(0.10)
    assert first[12] == pytest.approx(0.10)
    later = table.loc[DAY("2021-01-04")]
    assert later[3] == pytest.approx(0.0)
    assert math.isnan(later[12])  # January 2022 is after the as-of date
    stats = summarise_events(table)
    assert stats.loc[3, "mean"] == pytest.approx(0.05)
    assert stats.loc[12, "count"] == 1
    assert stats.loc[3, "share_positive"] == pytest.approx(0.5)


def test_cut_file_is_ordered_names_its_source_and_only_cuts() -> None:
    cuts = load_fomc_cuts()
    assert cuts["date"].is_monotonic_increasing
    assert (cuts["new_upper_percent"] < cuts["previous_upper_percent"]).all()
    assert "Federal Reserve" in fomc_source_note()
    starts = cuts.loc[cycle_starts(cuts["date"]), "date"]
    assert DAY("2007-09-18") in set(starts) and DAY("2024-09-18") in set(starts)
    assert DAY("2008-01-22") not in set(starts)


def test_leaders_laggards_and_dispersion() -> None:
    days = pd.bdate_range("2025-12-31", "2026-02-18")
    closes = {t: pd.Series(np.linspace(100, 100 * (1 + r), len(days)), index=days)
              for t, r in {"A": 0.3, "B": -0.2, "C": 0.1, "D": 0.0, "E": -0.05}.items()}
    returns = universe_returns(closes, "YTD", days[-1])
    assert list(returns.index) == ["A", "C", "D", "E", "B"]
    leaders, laggards = leaders_and_laggards(returns, 2)
    assert list(leaders.index) == ["A", "C"] and list(laggards.index) == ["B", "E"]
    assert dispersion(returns) == pytest.approx(np.std([0.3, -0.2, 0.1, 0.0, -0.05], ddof=1))


def test_breadth_counts_tickers_above_their_moving_average() -> None:
    days = pd.bdate_range("2025-01-01", periods=250)
    rising = pd.Series(np.arange(250, dtype=float), index=days)
    falling = pd.Series(np.arange(250, 0, -1, dtype=float), index=days)
    short = pd.Series(1.0, index=days[-10:])  # too short to count
    share = share_above_moving_average({"R": rising, "F": falling, "S": short}, days[-1])
    assert share == pytest.approx(0.5)


def test_the_latest_cut_is_placed_in_its_easing_cycle() -> None:
    from reportgen.metrics import fed

    cuts = fed.load_fomc_cuts()["date"]
    assert fed.place_in_cycle(cuts, pd.Timestamp("2001-12-31")) == (
        pd.Timestamp("2001-12-11"), 11, pd.Timestamp("2001-01-03"))  # 2001's eleven cuts
    assert fed.place_in_cycle(cuts, pd.Timestamp("2026-09-30")) == (
        pd.Timestamp("2025-12-10"), 3, pd.Timestamp("2025-09-17"))
    assert fed.place_in_cycle(cuts, pd.Timestamp("2024-10-01"))[1] == 1
    assert fed.place_in_cycle(cuts, pd.Timestamp("1990-01-01")) is None
