"""The figures of ``reportgen metrics``: one plain dictionary, the JSON contract in README."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from reportgen.config import Instruments
from reportgen.data.model import MarketData
from reportgen.metrics import fed, periods, relative, risk
from reportgen.metrics.valuation import valuation_ratios

MIN_DAYS_TO_ANNUALISE = 365  # shorter returns are not annualised (GIPS practice)


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 10)


def _day(value: pd.Timestamp | None) -> str | None:
    return None if value is None else f"{value:%Y-%m-%d}"


def ticker_returns(closes: pd.Series, as_of: pd.Timestamp, since: pd.Timestamp | None
                   ) -> tuple[dict[str, float | None], dict[str, float | None]]:
    total: dict[str, float | None] = {}
    annualised: dict[str, float | None] = {}
    results = {p: periods.period_return(closes, p, as_of) for p in periods.PERIODS}
    if since is not None:
        results["SINCE"] = periods.return_between(closes, since, as_of)
    for name, result in results.items():
        total[name] = None if result is None else _number(result.total)
        if name in periods.ANNUALISED_PERIODS or name == "SINCE":
            long_enough = result is not None and (
                result.end_date - result.start_date).days >= MIN_DAYS_TO_ANNUALISE
            annualised[name] = _number(result.annualised) if result and long_enough else None
    return total, annualised


def ticker_risk(closes: pd.Series, bills: pd.Series, benchmark: pd.Series,
                as_of: pd.Timestamp) -> dict[str, Any]:
    start = periods.period_start("1Y", as_of)
    if periods.close_on_or_before(closes, start) is None:
        return dict.fromkeys(["volatility_1y", "max_drawdown_1y", "max_drawdown_1y_peak",
                              "max_drawdown_1y_trough", "sharpe_1y", "beta_1y"])
    year = risk.window(closes, start, as_of)
    drawdown = risk.max_drawdown(year)
    return {
        "volatility_1y": _number(risk.volatility(year)),
        "max_drawdown_1y": _number(drawdown.depth),
        "max_drawdown_1y_peak": _day(drawdown.peak),
        "max_drawdown_1y_trough": _day(drawdown.trough),
        "sharpe_1y": _number(risk.sharpe_ratio(closes, bills, start, as_of)),
        "beta_1y": _number(risk.beta(year, risk.window(benchmark, start, as_of))),
    }


def pair_relative(small: pd.Series, large: pd.Series, as_of: pd.Timestamp) -> dict[str, Any]:
    summary = relative.summarise(small, large, as_of)
    if summary is None:
        return dict.fromkeys(["ratio_rebased_52w", "high_52w", "high_52w_date", "low_52w",
                              "low_52w_date", "streak", "streak_last_as_long",
                              "spread_6m", "spread_12m"])
    return {
        "ratio_rebased_52w": _number(summary.ratio),
        "high_52w": _number(summary.high_52w),
        "high_52w_date": _day(summary.high_52w_date),
        "low_52w": _number(summary.low_52w),
        "low_52w_date": _day(summary.low_52w_date),
        "streak": summary.streak.length,
        "streak_last_as_long": _day(summary.streak.last_as_long),
        "spread_6m": _number(summary.spread_6m),
        "spread_12m": _number(summary.spread_12m),
    }


def fed_cut_study(small: pd.Series, large: pd.Series, as_of: pd.Timestamp) -> dict[str, Any]:
    cuts = fed.load_fomc_cuts()["date"]
    table = fed.event_returns(small, large, cuts[cuts <= as_of], as_of)
    stats = fed.summarise_events(table)
    return {
        f"{months}M": {"mean": _number(row["mean"]), "median": _number(row["median"]),
                       "count": int(row["count"])}
        for months, row in stats.iterrows()
    }


def compute_summary(data: MarketData, instruments: Instruments, tickers: list[str],
                    as_of: pd.Timestamp, since: pd.Timestamp | None = None) -> dict[str, Any]:
    closes = {t: data.adj_close(t) for t in tickers}
    bills = data.adj_close(instruments.short_rate)
    benchmark = data.adj_close(instruments.primary_pair[1])
    summary: dict[str, Any] = {"as_of": _day(as_of), "source": data.source,
                               "sample_data": data.is_sample,
                               "returns": {}, "annualized": {}}
    for ticker, series in closes.items():
        summary["returns"][ticker], summary["annualized"][ticker] = ticker_returns(
            series, as_of, since)
    summary["relative"] = {
        f"{small}/{large}": pair_relative(data.adj_close(small), data.adj_close(large), as_of)
        for small, large in instruments.relative_pairs
    }
    summary["risk"] = {t: ticker_risk(s, bills, benchmark, as_of) for t, s in closes.items()}
    small, large = instruments.primary_pair
    summary["fed_cuts"] = {f"{small}-{large}": fed_cut_study(
        data.adj_close(small), data.adj_close(large), as_of)}
    summary["valuation"] = {
        f"{small}/{large}": {
            v.multiple: {"small": v.small, "large": v.large, "ratio": _number(v.ratio),
                         "method_small": v.method_small, "method_large": v.method_large}
            for v in valuation_ratios(data, small, large)
        }
    }
    summary["series"] = {t: series_dates(s, as_of) for t, s in closes.items()}
    return summary


def series_dates(closes: pd.Series, as_of: pd.Timestamp) -> dict[str, Any]:
    """The first and last close used; ``stale`` when the last is before the as-of date."""
    last = periods.close_on_or_before(closes, as_of)
    last_day = None if last is None else last[0]
    return {"first": _day(closes.index[0]), "last": _day(last_day),
            "stale": last_day is None or last_day < as_of}
