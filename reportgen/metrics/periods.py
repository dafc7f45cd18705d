"""Period returns by the definitions in REPORT_SPEC.md.

A return ending on the as-of date starts at the last close on or before the period's start:
MTD and YTD at the last close of the previous month or year; 1M, 3M, 6M, 1Y, 3Y, 5Y and 10Y at
the close on the same calendar day that many months or years earlier (or the last trading day
before it); SINCE at the last close on or before the given date. Annualised returns compound
over the calendar days between the two closes actually used.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

PERIODS = ["MTD", "1M", "3M", "6M", "YTD", "1Y", "3Y", "5Y", "10Y"]
ANNUALISED_PERIODS = ["3Y", "5Y", "10Y"]
_OFFSETS = {
    "1M": pd.DateOffset(months=1),
    "3M": pd.DateOffset(months=3),
    "6M": pd.DateOffset(months=6),
    "1Y": pd.DateOffset(years=1),
    "3Y": pd.DateOffset(years=3),
    "5Y": pd.DateOffset(years=5),
    "10Y": pd.DateOffset(years=10),
}
DAYS_PER_YEAR = 365.25
TRADING_DAYS_3M = 63  # trading days in three months, for rolling windows


def period_start(period: str, as_of: pd.Timestamp) -> pd.Timestamp:
    """The calendar date whose close (or the last close before it) opens ``period``."""
    if period == "MTD":
        return as_of.replace(day=1) - pd.Timedelta(days=1)
    if period == "YTD":
        return pd.Timestamp(year=as_of.year - 1, month=12, day=31)
    return as_of - _OFFSETS[period]


def close_on_or_before(closes: pd.Series, day: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    """The last close on or before ``day``; None when the series starts after it. (Read
    from the arrays: pandas's positional lookups cost more than the search, thousands of
    times over with a 600-stock universe.)"""
    position = int(closes.index.searchsorted(day, side="right")) - 1
    if position < 0:
        return None
    return pd.Timestamp(closes.index[position]), float(closes.to_numpy()[position])


@dataclass(frozen=True)
class PeriodReturn:
    start_date: pd.Timestamp
    end_date: pd.Timestamp
    total: float

    @property
    def annualised(self) -> float:
        return annualise(self.total, (self.end_date - self.start_date).days)


def annualise(total: float, days: int) -> float:
    return (1.0 + total) ** (DAYS_PER_YEAR / days) - 1.0


def return_between(
    closes: pd.Series, start: pd.Timestamp, as_of: pd.Timestamp
) -> PeriodReturn | None:
    """Total return from the last close on or before ``start`` to the last on or before
    ``as_of``; None when the series does not reach back to ``start``."""
    opening = close_on_or_before(closes, start)
    closing = close_on_or_before(closes, as_of)
    if opening is None or closing is None or opening[0] >= closing[0]:
        return None
    return PeriodReturn(opening[0], closing[0], closing[1] / opening[1] - 1.0)


def period_return(closes: pd.Series, period: str, as_of: pd.Timestamp) -> PeriodReturn | None:
    return return_between(closes, period_start(period, as_of), as_of)
