"""Plain data passed between stages: one price frame per ticker plus fund fundamentals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

PRICE_COLUMNS = ["open", "high", "low", "close", "adj_close", "volume"]

# Fund-level fundamentals a source may provide; every column is optional per ticker.
FUNDAMENTAL_NUMBERS = [
    "trailing_pe",
    "forward_pe",
    "price_to_book",
    "expense_ratio",
    "total_assets",
    "earnings_growth",
    "return_on_equity",
    "profit_margin",
]
FUNDAMENTAL_TEXT = ["name", "sector", "pe_method"]
FUNDAMENTAL_COLUMNS = ["as_of", *FUNDAMENTAL_TEXT, *FUNDAMENTAL_NUMBERS]


def empty_fundamentals() -> pd.DataFrame:
    frame = pd.DataFrame(columns=FUNDAMENTAL_COLUMNS)
    frame.index.name = "ticker"
    return frame


@dataclass(frozen=True)
class MarketData:
    """Everything the metrics stage reads.

    ``prices`` maps a ticker (Yahoo spelling, e.g. ``^IRX``) to a frame indexed by trading
    date, ascending and unique, with the columns of ``PRICE_COLUMNS``; ``adj_close`` is
    always present. ``fundamentals`` is indexed by ticker.
    """

    prices: dict[str, pd.DataFrame]
    fundamentals: pd.DataFrame = field(default_factory=empty_fundamentals)
    source: str = ""
    is_sample: bool = False
    fetched_at: dict[str, datetime] = field(default_factory=dict)

    def adj_close(self, ticker: str) -> pd.Series:
        """The ticker's adjusted closes; an empty series when the source has none."""
        frame = self.prices.get(ticker)
        if frame is None:
            return pd.Series(dtype=float, name=ticker, index=pd.DatetimeIndex([], name="date"))
        return frame["adj_close"].dropna().rename(ticker)

    def fundamental(self, ticker: str, column: str) -> float | str | None:
        if ticker not in self.fundamentals.index or column not in self.fundamentals.columns:
            return None
        value = self.fundamentals.at[ticker, column]
        return None if pd.isna(value) else value

    def first_date(self) -> pd.Timestamp:
        return min(frame.index[0] for frame in self.prices.values() if not frame.empty)

    def last_date(self) -> pd.Timestamp:
        return max(frame.index[-1] for frame in self.prices.values() if not frame.empty)
