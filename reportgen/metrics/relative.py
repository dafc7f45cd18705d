"""Relative strength of small caps against large caps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportgen.metrics.periods import period_return

FIFTY_TWO_WEEKS = pd.DateOffset(weeks=52)


def aligned(small: pd.Series, large: pd.Series, as_of: pd.Timestamp) -> pd.DataFrame:
    """Both series on the dates they share, up to ``as_of``."""
    both = pd.concat({"small": small, "large": large}, axis=1, join="inner")
    return both[both.index <= as_of]


def relative_strength(
    small: pd.Series, large: pd.Series, as_of: pd.Timestamp, start: pd.Timestamp
) -> pd.Series:
    """small ÷ large, rebased to 100 on the last shared close on or before ``start``
    (the same opening rule as period returns)."""
    both = aligned(small, large, as_of)
    opening = max(both.index.searchsorted(start, side="right") - 1, 0)
    ratio = both["small"].iloc[opening:] / both["large"].iloc[opening:]
    return 100.0 * ratio / ratio.iloc[0]


def winning_days(small: pd.Series, large: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """True on each day the small-cap daily return beat the large-cap daily return."""
    both = aligned(small, large, as_of)
    daily = both.pct_change().iloc[1:]
    return daily["small"] > daily["large"]


def streak_lengths(wins: pd.Series) -> pd.Series:
    """The length of the run of consecutive wins ending on each day (0 on a losing day)."""
    values = wins.to_numpy(dtype=bool)
    run_ids = np.cumsum(~values)
    counts = pd.Series(values.astype(int)).groupby(run_ids).cumsum().to_numpy()
    return pd.Series(counts, index=wins.index)


@dataclass(frozen=True)
class Streak:
    length: int  # consecutive days small caps beat large caps, ending on the as-of date
    last_as_long: pd.Timestamp | None  # the last day an earlier streak reached that length


def current_streak(wins: pd.Series) -> Streak:
    lengths = streak_lengths(wins)
    length = int(lengths.iloc[-1]) if len(lengths) else 0
    if length == 0:
        return Streak(0, None)
    earlier = lengths.iloc[: len(lengths) - length]
    reached = earlier[earlier >= length]
    return Streak(length, reached.index[-1] if len(reached) else None)


@dataclass(frozen=True)
class RelativeSummary:
    ratio: float  # current relative strength, rebased to 100 fifty-two weeks earlier
    # small ÷ large adjusted closes, not rebased: the level to compare across editions,
    # whose rebased line starts from a different day each month
    price_ratio: float
    high_52w: float
    high_52w_date: pd.Timestamp
    low_52w: float
    low_52w_date: pd.Timestamp
    streak: Streak
    spread_6m: float | None  # small-cap minus large-cap total return
    spread_12m: float | None


def spread(small: pd.Series, large: pd.Series, period: str, as_of: pd.Timestamp) -> float | None:
    small_return = period_return(small, period, as_of)
    large_return = period_return(large, period, as_of)
    if small_return is None or large_return is None:
        return None
    return small_return.total - large_return.total


def summarise(small: pd.Series, large: pd.Series, as_of: pd.Timestamp) -> RelativeSummary | None:
    """None when the pair has less than 52 weeks of shared history."""
    both = aligned(small, large, as_of)
    if both.empty or both.index[0] > as_of - FIFTY_TWO_WEEKS:
        return None
    line = relative_strength(small, large, as_of, as_of - FIFTY_TWO_WEEKS)
    dates = pd.DatetimeIndex(line.index)
    return RelativeSummary(
        ratio=float(line.iloc[-1]),
        price_ratio=float(both["small"].iloc[-1] / both["large"].iloc[-1]),
        high_52w=float(line.max()),
        high_52w_date=dates[int(line.argmax())],
        low_52w=float(line.min()),
        low_52w_date=dates[int(line.argmin())],
        streak=current_streak(winning_days(small, large, as_of)),
        spread_6m=spread(small, large, "6M", as_of),
        spread_12m=spread(small, large, "1Y", as_of),
    )


def rolling_spread(small: pd.Series, large: pd.Series, months: int, as_of: pd.Timestamp
                   ) -> pd.Series:
    """On each shared date, small-minus-large total return over the preceding ``months``,
    by the same opening rule as period returns (last close on or before the start)."""
    both = aligned(small, large, as_of)
    dates = pd.DatetimeIndex(both.index)
    starts = dates - pd.DateOffset(months=months)
    opening = dates.searchsorted(starts, side="right") - 1
    valid = opening >= 0
    values = both.to_numpy()
    growth = values[valid] / values[opening[valid]] - 1.0
    return pd.Series(growth[:, 0] - growth[:, 1], index=both.index[valid])


def last_as_wide(spreads: pd.Series) -> pd.Timestamp | None:
    """The last earlier date on which the spread was at least as wide, on the same side of
    zero, as on the last date; None if it never was."""
    current, earlier = spreads.iloc[-1], spreads.iloc[:-1]
    hits = earlier[earlier >= current] if current > 0 else earlier[earlier <= current]
    return hits.index[-1] if len(hits) else None
