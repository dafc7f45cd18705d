"""Leaders, laggards, dispersion and breadth across a universe of stocks."""

from __future__ import annotations

import pandas as pd

from reportgen.data.model import rows_to
from reportgen.metrics.periods import period_return


def universe_returns(closes: dict[str, pd.Series], period: str,
                     as_of: pd.Timestamp) -> pd.Series:
    """Total return of each ticker that has the history for ``period``, best first."""
    results = {t: period_return(s, period, as_of) for t, s in closes.items()}
    totals = {t: r.total for t, r in results.items() if r is not None}
    return pd.Series(totals, dtype=float).sort_values(ascending=False)


def leaders_and_laggards(returns: pd.Series, count: int) -> tuple[pd.Series, pd.Series]:
    """The ``count`` best and worst (worst first); they never overlap in a small universe."""
    count = min(count, len(returns) // 2)
    return returns.head(count), returns.tail(count).sort_values()


def by_sector(returns: pd.Series, sectors: dict[str, str]) -> pd.DataFrame:
    """Per sector: how many stocks have a return, their median return, and the share that
    rose; best median first. Stocks without a sector are left out."""
    known = returns[returns.index.isin(list(sectors))]
    if known.empty:
        return pd.DataFrame(columns=["stocks", "median", "share_up"], dtype=float)
    groups = known.groupby(known.index.map(sectors))
    table = pd.DataFrame({"stocks": groups.size(), "median": groups.median(),
                          "share_up": groups.apply(lambda r: float((r > 0).mean()))})
    return table.sort_values("median", ascending=False)


def dispersion(returns: pd.Series) -> float:
    """Cross-sectional standard deviation of the universe's returns."""
    return float(returns.std(ddof=1))


def share_above_moving_average(closes: dict[str, pd.Series], as_of: pd.Timestamp,
                               days: int = 200) -> float | None:
    """Breadth: the share of tickers whose last close on or before ``as_of`` is above the
    average of its last ``days`` closes (that one included); a ticker with fewer closes is
    left out. The closes' dates ascend."""
    flags = []
    for series in closes.values():
        history = rows_to(series, as_of)
        if len(history) >= days:
            flags.append(history.iloc[-1] > history.iloc[-days:].mean())
    return sum(flags) / len(flags) if flags else None
