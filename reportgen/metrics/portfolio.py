"""A client's portfolio over the edition's periods: each holding's return and contribution,
the portfolio's return, and its small-cap share.

Weights (``w_i``, summing to 1) are the portfolio's weights at the start of each period:
the portfolio return is ``R = Σ w_i r_i`` and holding i contributes ``w_i r_i``. Units
(``u_i``) are held through the period: with ``V = Σ u_i P_i`` on adjusted closes (dividends
reinvested in the holding), ``R = V_end / V_start − 1`` and holding i contributes
``u_i (P_i,end − P_i,start) / V_start``. ``r_i`` is the holding's total return from the last
close on or before the period's start to the last on or before the as-of date, as
everywhere in the report.

Edge cases: a holding without prices over a period has no return there, and the
portfolio's return for that period is not computed (a missing price is never taken as
zero); a holding the source has no prices for at all is named in ``unpriced``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from reportgen.metrics.periods import close_on_or_before, period_start

PORTFOLIO_PERIODS = ["MTD", "YTD", "1Y"]


class HoldingLine(Protocol):
    """A client's holding as the clients file gives it (``clients.Holding``)."""

    @property
    def ticker(self) -> str: ...
    @property
    def weight(self) -> float | None: ...
    @property
    def units(self) -> float | None: ...


@dataclass(frozen=True)
class HoldingFigures:
    ticker: str
    weight: float | None  # its share of the portfolio now (units: by value on the as-of date)
    returns: dict[str, float | None]  # period → total return
    contributions: dict[str, float | None]  # period → its part of the portfolio's return


@dataclass(frozen=True)
class PortfolioFigures:
    holdings: list[HoldingFigures]  # as the client listed them
    returns: dict[str, float | None]  # period → the portfolio's return; None: not computable
    small_cap_share: float | None  # share of the portfolio in small-cap holdings, now
    unpriced: list[str]  # holdings the source has no prices for
    by_units: bool = False  # the client gave units held (else weights)


def _prices(closes: pd.Series | None, start: pd.Timestamp, as_of: pd.Timestamp
            ) -> tuple[float, float] | None:
    """The opening and closing price of a period; None without both (or if they are the
    same close: the series starts too late)."""
    if closes is None or closes.empty:
        return None
    opening, closing = close_on_or_before(closes, start), close_on_or_before(closes, as_of)
    if opening is None or closing is None or opening[0] >= closing[0]:
        return None
    return opening[1], closing[1]


def portfolio_figures(holdings: Sequence[HoldingLine], closes: Mapping[str, pd.Series],
                      as_of: pd.Timestamp, small_caps: Collection[str]) -> PortfolioFigures:
    by_units = bool(holdings) and holdings[0].units is not None
    weights_now = _weights_now(holdings, closes, as_of, by_units)
    per_period = {period: _period(holdings, closes, period_start(period, as_of), as_of,
                                  by_units) for period in PORTFOLIO_PERIODS}
    rows = [HoldingFigures(h.ticker, weights_now.get(h.ticker),
                           {p: per_period[p][0].get(h.ticker) for p in PORTFOLIO_PERIODS},
                           {p: per_period[p][1].get(h.ticker) for p in PORTFOLIO_PERIODS})
            for h in holdings]
    priced = [w for t, w in weights_now.items() if w is not None]
    share = (sum(w for t, w in weights_now.items() if t in small_caps and w is not None)
             if len(priced) == len(holdings) else None)
    return PortfolioFigures(
        holdings=rows, returns={p: per_period[p][2] for p in PORTFOLIO_PERIODS},
        small_cap_share=share,
        unpriced=[h.ticker for h in holdings if closes.get(h.ticker) is None
                  or closes[h.ticker].empty],
        by_units=by_units)


def _weights_now(holdings: Sequence[HoldingLine], closes: Mapping[str, pd.Series],
                 as_of: pd.Timestamp, by_units: bool) -> dict[str, float | None]:
    if not by_units:
        return {h.ticker: h.weight for h in holdings}
    values: dict[str, float | None] = {}
    for h in holdings:
        series = closes.get(h.ticker)
        found = close_on_or_before(series, as_of) if series is not None and len(series) else None
        values[h.ticker] = None if found is None or h.units is None else h.units * found[1]
    if any(v is None for v in values.values()):
        return {t: None for t in values}  # no share of a total that cannot be valued
    total = sum(v for v in values.values() if v is not None)
    return {t: v / total if v is not None else None for t, v in values.items()}


def _period(holdings: Sequence[HoldingLine], closes: Mapping[str, pd.Series],
            start: pd.Timestamp, as_of: pd.Timestamp, by_units: bool
            ) -> tuple[dict[str, float], dict[str, float], float | None]:
    """Each holding's return and contribution over one period, and the portfolio's."""
    prices = {h.ticker: found for h in holdings
              if (found := _prices(closes.get(h.ticker), start, as_of)) is not None}
    returns = {t: end / begin - 1 for t, (begin, end) in prices.items()}
    if len(prices) < len(holdings):
        return returns, {}, None
    if by_units:
        opening = sum((h.units or 0) * prices[h.ticker][0] for h in holdings)
        contributions = {h.ticker: (h.units or 0) * (prices[h.ticker][1] - prices[h.ticker][0])
                         / opening for h in holdings}
    else:
        contributions = {h.ticker: (h.weight or 0) * returns[h.ticker] for h in holdings}
    return returns, contributions, sum(contributions.values())
