"""Plain data passed between stages: one price frame per ticker plus fund fundamentals."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import pandas as pd

PRICE_COLUMNS = ["open", "high", "low", "close", "adj_close", "volume"]

Dated = TypeVar("Dated", pd.Series, pd.DataFrame)


def rows_to(rows: Dated, day: pd.Timestamp) -> Dated:
    """The rows dated on or before ``day``, as a view (not a filtered copy): their dates
    ascend, as those of every series and frame of ``MarketData`` do."""
    return rows.iloc[:rows.index.searchsorted(day, side="right")]

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


SECTOR_WEIGHT_COLUMNS = ["fund", "sector", "weight"]
HOLDING_COLUMNS = ["fund", "symbol", "name", "weight"]


def empty_fundamentals() -> pd.DataFrame:
    frame = pd.DataFrame(columns=FUNDAMENTAL_COLUMNS)
    frame.index.name = "ticker"
    return frame


def empty_sector_weights() -> pd.DataFrame:
    return pd.DataFrame(columns=SECTOR_WEIGHT_COLUMNS).astype({"weight": float})


def empty_holdings() -> pd.DataFrame:
    return pd.DataFrame(columns=HOLDING_COLUMNS).astype({"weight": float})


@dataclass(frozen=True)
class FundData:
    """What a source knows about funds besides prices. Weights are fractions of the fund."""

    fundamentals: pd.DataFrame = field(default_factory=empty_fundamentals)
    sector_weights: pd.DataFrame = field(default_factory=empty_sector_weights)
    top_holdings: pd.DataFrame = field(default_factory=empty_holdings)

    def only(self, tickers: list[str]) -> FundData:
        return FundData(self.fundamentals[self.fundamentals.index.isin(tickers)],
                        self.sector_weights[self.sector_weights["fund"].isin(tickers)],
                        self.top_holdings[self.top_holdings["fund"].isin(tickers)])


@dataclass(frozen=True)
class MarketData:
    """Everything the metrics stage reads.

    ``prices`` maps a ticker (Yahoo spelling, e.g. ``^IRX``) to a frame indexed by trading
    date, ascending and unique, with the columns of ``PRICE_COLUMNS``; ``adj_close`` is
    always present. ``fundamentals`` is indexed by ticker.
    """

    prices: dict[str, pd.DataFrame]
    fundamentals: pd.DataFrame = field(default_factory=empty_fundamentals)
    sector_weights: pd.DataFrame = field(default_factory=empty_sector_weights)
    top_holdings: pd.DataFrame = field(default_factory=empty_holdings)
    source: str = ""
    is_sample: bool = False
    fetched_at: dict[str, datetime] = field(default_factory=dict)
    # Macro and long-history series by name (FRED ids; French: SMB, SIZE_LO10, …), and how
    # reports name where they came from.
    macro: dict[str, pd.Series] = field(default_factory=dict)
    macro_sources: list[str] = field(default_factory=list)
    # Each ticker's adjusted closes as ``adj_close`` first gave them: the figures ask for a
    # ticker's about five times, and a 600-stock universe's 3,000 asks took 0.4 s. Not a
    # field of the data: a copy (``dataclasses.replace``) starts without it.
    _closes: dict[str, pd.Series] = field(default_factory=dict, init=False, repr=False,
                                          compare=False)

    def macro_series(self, name: str) -> pd.Series:
        """The series, or an empty one when the edition has no such data."""
        found = self.macro.get(name)
        return found if found is not None else pd.Series(
            dtype=float, index=pd.DatetimeIndex([], name="date"))

    def adj_close(self, ticker: str) -> pd.Series:
        """The ticker's adjusted closes; an empty series when the source has none. The same
        series each time: read it, never change it (as the frames it comes from)."""
        if ticker not in self._closes:
            frame = self.prices.get(ticker)
            self._closes[ticker] = (
                pd.Series(dtype=float, name=ticker, index=pd.DatetimeIndex([], name="date"))
                if frame is None else frame["adj_close"].dropna().rename(ticker))
        return self._closes[ticker]

    def fundamental(self, ticker: str, column: str) -> float | None:
        """A numeric fundamental (one of ``FUNDAMENTAL_NUMBERS``); None when absent."""
        value = self._fundamental_cell(ticker, column)
        return None if value is None else float(value)

    def fundamental_text(self, ticker: str, column: str) -> str | None:
        """A text fundamental (one of ``FUNDAMENTAL_TEXT``); None when absent."""
        value = self._fundamental_cell(ticker, column)
        return None if value is None else str(value)

    def fundamentals_as_of(self, ticker: str) -> pd.Timestamp | None:
        value = self._fundamental_cell(ticker, "as_of")
        return None if value is None else pd.Timestamp(value)

    def _fundamental_cell(self, ticker: str, column: str) -> Any:
        """The cell (a number, text or date, by column); None when absent."""
        if ticker not in self.fundamentals.index or column not in self.fundamentals.columns:
            return None
        value: Any = self.fundamentals.at[ticker, column]
        return None if pd.isna(value) else value

    def with_prices_of(self, tickers: Iterable[str]) -> MarketData:
        """The same data with the prices of these tickers only (those it has)."""
        return dataclasses.replace(self, prices={t: self.prices[t] for t in tickers
                                                 if t in self.prices})

    def calendar(self, tickers: list[str]) -> pd.DatetimeIndex:
        """Every date on which any of ``tickers`` has a price, ascending."""
        return pd.DatetimeIndex(sorted(set().union(*(self.prices[t].index for t in tickers))))
