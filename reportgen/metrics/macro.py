"""The macro picture: the policy rate, recessions, credit and volatility against their own
history, and small against large caps over the decades."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportgen.data.model import MarketData

TEN_YEARS = 120  # months
HISTORY_PREFIX = "history:"  # macro series that are a multiple's history, by measure
CAPE_NAME = "S&P 500 CAPE (Shiller)"


@dataclass(frozen=True)
class Reading:
    """One series' latest value against its own history."""

    value: float
    as_of: pd.Timestamp  # the date of that value
    percentile: float  # share of the history at or below it, 0 to 1
    since: pd.Timestamp  # where the history starts


@dataclass(frozen=True)
class HistoryRow:
    """A valuation multiple now against its own history."""

    measure: str
    now: Reading
    mean: float
    std: float

    @property
    def z_score(self) -> float:
        """Standard deviations from the long-run average."""
        return (self.now.value - self.mean) / self.std if self.std else 0.0


def history_row(measure: str, series: pd.Series, as_of: pd.Timestamp) -> HistoryRow | None:
    history = series[series.index <= as_of].dropna()
    now = reading(history, as_of)
    if now is None or len(history) < 2:
        return None
    return HistoryRow(measure, now, float(history.mean()), float(history.std(ddof=1)))


@dataclass(frozen=True)
class MacroFigures:
    target_low: float | None  # the federal funds target range, percent
    target_high: float | None
    target_as_of: pd.Timestamp | None
    high_yield_spread: Reading | None  # ICE BofA US High Yield OAS, percent
    vix: Reading | None
    # Ten-year annualised return of the smallest size decile minus the largest, month-end
    # to month-end, against every ten-year spell since 1926.
    size_spread_10y: Reading | None
    recessions: list[tuple[pd.Timestamp, pd.Timestamp]]  # NBER, first and last month
    valuation_history: list[HistoryRow]  # each multiple with a history, against it
    sources: list[str]


def reading(series: pd.Series, as_of: pd.Timestamp) -> Reading | None:
    """The last value on or before ``as_of`` and where it ranks in the history to then.

    Percentile: the share of observations at or below the value (so the highest reading
    ever is 1.0); None when there is no observation."""
    history = series[series.index <= as_of].dropna()
    if history.empty:
        return None
    value = float(history.iloc[-1])
    return Reading(value, pd.Timestamp(history.index[-1]),
                   float((history.to_numpy() <= value).mean()), pd.Timestamp(history.index[0]))


def recession_spans(usrec: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Runs of months flagged 1, as (first month, last month)."""
    flags = usrec.dropna()
    spans: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    start: pd.Timestamp | None = None
    previous = pd.Timestamp(0)
    for day, flag in zip(pd.DatetimeIndex(flags.index), flags.to_numpy(), strict=True):
        if flag and start is None:
            start = day
        elif not flag and start is not None:
            spans.append((start, previous))
            start = None
        previous = day
    if start is not None:
        spans.append((start, previous))
    return spans


def rolling_spread(small: pd.Series, large: pd.Series, months: int = TEN_YEARS) -> pd.Series:
    """Annualised return of ``small`` minus ``large`` over each trailing ``months``, from
    monthly returns (fractions): (Π(1+r))^(12/months) − 1 for each, then the difference."""
    both = pd.concat({"small": small, "large": large}, axis=1).dropna()
    logs = pd.DataFrame(np.log1p(both.to_numpy()), index=both.index, columns=both.columns)
    growth = logs.rolling(months).sum() * 12 / months
    annual = growth.apply(np.expm1).dropna()
    return (annual["small"] - annual["large"]).rename("spread")


def macro_figures(data: MarketData, as_of: pd.Timestamp) -> MacroFigures:
    upper, lower = (data.macro_series(n) for n in ("DFEDTARU", "DFEDTARL"))
    high = reading(upper, as_of)
    low = reading(lower, as_of)
    spread = rolling_spread(data.macro_series("SIZE_LO10"), data.macro_series("SIZE_HI10"))
    return MacroFigures(
        target_low=low.value if low else None, target_high=high.value if high else None,
        target_as_of=high.as_of if high else None,
        high_yield_spread=reading(data.macro_series("BAMLH0A0HYM2"), as_of),
        vix=reading(data.macro_series("VIXCLS"), as_of),
        size_spread_10y=reading(spread, as_of),
        recessions=recession_spans(data.macro_series("USREC")),
        valuation_history=[row for name, series in data.macro.items()
                           if name == "CAPE" or name.startswith(HISTORY_PREFIX)
                           if (row := history_row(CAPE_NAME if name == "CAPE"
                                                  else name.removeprefix(HISTORY_PREFIX),
                                                  series, as_of)) is not None],
        sources=data.macro_sources,
    )
