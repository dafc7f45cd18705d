"""Volatility, drawdown, Sharpe ratio, correlation and beta on adjusted closes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportgen.metrics.periods import close_on_or_before, return_between

TRADING_DAYS = 252


def window(closes: pd.Series, start: pd.Timestamp, as_of: pd.Timestamp) -> pd.Series:
    """Closes from the last one on or before ``start`` through ``as_of``."""
    opening = close_on_or_before(closes, start)
    first = opening[0] if opening else closes.index[0]
    return closes[(closes.index >= first) & (closes.index <= as_of)]


def log_returns(closes: pd.Series) -> pd.Series:
    return np.log(closes).diff().dropna()


def volatility(closes: pd.Series) -> float:
    """Annualised: standard deviation of daily log returns × √252."""
    return float(log_returns(closes).std(ddof=1) * np.sqrt(TRADING_DAYS))


@dataclass(frozen=True)
class Drawdown:
    depth: float  # negative fraction, e.g. -0.25 for a 25% fall
    peak: pd.Timestamp
    trough: pd.Timestamp
    recovered: pd.Timestamp | None  # first close back at the peak, None if not yet


def underwater(closes: pd.Series) -> pd.Series:
    """Each day's fall from the highest close so far (0 at a new high)."""
    return closes / closes.cummax() - 1.0


def max_drawdown(closes: pd.Series) -> Drawdown:
    depths = underwater(closes)
    dates = pd.DatetimeIndex(closes.index)
    trough_at = int(depths.argmin())
    peak_at = int(closes.iloc[:trough_at + 1].argmax())
    after = closes.iloc[trough_at:]
    back = pd.DatetimeIndex(after[after >= closes.iloc[peak_at]].index)
    return Drawdown(float(depths.iloc[trough_at]), dates[peak_at], dates[trough_at],
                    back[0] if len(back) else None)


def sharpe_ratio(closes: pd.Series, bill_yield_percent: pd.Series,
                 start: pd.Timestamp, as_of: pd.Timestamp) -> float | None:
    """(annualised return − average 13-week T-bill yield) ÷ annualised volatility, over the
    window from ``start`` to ``as_of``."""
    period = return_between(closes, start, as_of)
    bills = bill_yield_percent[(bill_yield_percent.index > start)
                               & (bill_yield_percent.index <= as_of)]
    if period is None or bills.empty:
        return None
    risk_free = float(bills.mean()) / 100.0
    return (period.annualised - risk_free) / volatility(window(closes, start, as_of))


def daily_returns(*series: pd.Series) -> pd.DataFrame:
    """Simple daily returns of several series on the dates they share."""
    return pd.concat(series, axis=1, join="inner").pct_change().iloc[1:]


def rolling_volatility(closes: pd.Series, days: int = 63) -> pd.Series:
    return log_returns(closes).rolling(days).std(ddof=1).dropna() * np.sqrt(TRADING_DAYS)


def beta(asset: pd.Series, benchmark: pd.Series) -> float:
    """Slope of the asset's daily returns on the benchmark's."""
    daily = daily_returns(asset, benchmark)
    return float(daily.iloc[:, 0].cov(daily.iloc[:, 1]) / daily.iloc[:, 1].var())


def correlation(first: pd.Series, second: pd.Series) -> float:
    daily = daily_returns(first, second)
    return float(daily.iloc[:, 0].corr(daily.iloc[:, 1]))
