"""Live prices and fund data from Yahoo Finance through yfinance.

yfinance reports per-ticker failures through its logger instead of raising, so every call is
made with that logger captured: its messages are turned into our own errors (an unknown
ticker named, a rate limit retried with back-off) and nothing is printed to the user.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pandas as pd
import yfinance as yf

from reportgen.data.model import (
    FUNDAMENTAL_COLUMNS,
    HOLDING_COLUMNS,
    PRICE_COLUMNS,
    SECTOR_WEIGHT_COLUMNS,
    FundData,
    empty_fundamentals,
)
from reportgen.errors import ReportgenError
from reportgen.quiet import captured_logs

YAHOO_COLUMNS = {"Open": "open", "High": "high", "Low": "low", "Close": "close",
                 "Adj Close": "adj_close", "Volume": "volume"}
# Ticker.info keys → our fundamentals columns.
INFO_FIELDS = {"trailingPE": "trailing_pe", "forwardPE": "forward_pe",
               "priceToBook": "price_to_book", "netExpenseRatio": "expense_ratio",
               "totalAssets": "total_assets", "earningsGrowth": "earnings_growth",
               "returnOnEquity": "return_on_equity", "profitMargins": "profit_margin",
               "longName": "name", "sector": "sector"}
# Ticker.valuation rows ("Current" column) used where info lacks a multiple.
VALUATION_FIELDS = {"Trailing P/E": "trailing_pe", "Forward P/E": "forward_pe",
                    "Price/Book": "price_to_book"}
# Fund holdings averages (Ticker.funds_data.equity_holdings), the last resort for funds.
HOLDINGS_FIELDS = {"Price/Earnings": "trailing_pe", "Price/Book": "price_to_book"}
PE_METHOD = ("Yahoo Finance: fund trailing P/E as reported by Yahoo (holdings-based; Yahoo does "
             "not document whether loss-making holdings are excluded)")
RATE_LIMITED = "Rate limited"
UNREACHABLE = ("ConnectionError", "Could not resolve", "Failed to resolve", "Timeout",
               "timed out", "Connection refused", "curl: (6)", "curl: (7)", "curl: (28)")


def captured_yfinance_log() -> AbstractContextManager[list[str]]:
    """What yfinance (and its HTML parser) would have printed, collected instead."""
    return captured_logs("yfinance", "bs4")


def _mentions(messages: list[str], ticker: str) -> list[str]:
    return [m for m in messages if f"'{ticker}'" in m or f"{ticker}:" in m]


class YahooSource:
    key = "yfinance"
    label = "Yahoo Finance"
    is_sample = False
    is_remote = True

    def __init__(self, session: Any = None, *, attempts: int = 4, backoff_seconds: float = 5.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.session = session  # None: yfinance's own browser-like session
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep

    def fingerprint(self, ticker: str) -> str:
        return ""

    def has(self, ticker: str) -> bool:
        return True  # only a download can tell; an unknown ticker is then named in an error

    def locate(self, ticker: str, position: int) -> str:
        return self.label

    def fetch_prices(self, tickers: list[str], since: dict[str, pd.Timestamp | None]
                     ) -> dict[str, pd.DataFrame]:
        by_start: dict[pd.Timestamp | None, list[str]] = {}
        for ticker in tickers:
            by_start.setdefault(since.get(ticker), []).append(ticker)
        frames: dict[str, pd.DataFrame] = {}
        for start, group in by_start.items():
            frames.update(self._download_with_retries(group, start))
        return frames

    def _download_with_retries(self, tickers: list[str], start: pd.Timestamp | None
                               ) -> dict[str, pd.DataFrame]:
        frames: dict[str, pd.DataFrame] = {}
        pending = tickers
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            got, messages = self._download(pending, start)
            frames.update({t: f for t, f in got.items() if not f.empty})
            missing = [t for t in pending if t not in frames]
            limited = [t for t in missing if any(RATE_LIMITED in m for m in _mentions(messages, t))]
            self._raise_for_failures([t for t in missing if t not in limited], messages)
            if not limited:
                return frames
            pending = limited
        raise ReportgenError(
            f"Yahoo Finance kept refusing requests (rate limited) for {', '.join(pending)} after "
            f"{self.attempts} attempts. Wait a few minutes and run `reportgen data fetch` again, "
            "or build from files with --source csv:DIR or --source sample."
        )

    def _download(self, tickers: list[str], start: pd.Timestamp | None
                  ) -> tuple[dict[str, pd.DataFrame], list[str]]:
        with captured_yfinance_log() as messages:
            raw = yf.download(
                tickers, start=None if start is None else f"{start:%Y-%m-%d}",
                period="max" if start is None else None, auto_adjust=False, actions=False,
                progress=False, threads=False, session=self.session, multi_level_index=True,
            )
        return {t: _price_frame(raw, t) for t in tickers}, messages

    def _raise_for_failures(self, failed: list[str], messages: list[str]) -> None:
        if not failed:
            return
        details = " ".join(messages)
        if any(marker in details for marker in UNREACHABLE):
            raise ReportgenError(
                "Cannot reach Yahoo Finance (no network?). Build offline with "
                "--source csv:DIR (a folder of CSV price files) or --source sample."
            )
        reasons = "; ".join(
            f"{t}: {_reason(_mentions(messages, t))}" for t in failed
        )
        raise ReportgenError(
            f"Yahoo Finance returned no prices for {', '.join(failed)} ({reasons}). Check the "
            "ticker spelling (indices take a caret, e.g. ^IRX) or remove it from the list."
        )

    def fetch_fundamentals(self, tickers: list[str]) -> FundData:
        rows, sectors, holdings = {}, [], []
        today = pd.Timestamp.now().normalize()
        with captured_yfinance_log():
            for ticker in tickers:
                if ticker.startswith("^"):
                    continue  # indices and yields have no fundamentals
                yahoo = yf.Ticker(ticker, session=self.session)
                info = _info(yahoo)
                rows[ticker] = _fundamentals_row(yahoo, info, today)
                if info.get("quoteType") == "ETF":
                    sectors.extend(_sector_weights(yahoo, ticker))
                    holdings.extend(_top_holdings(yahoo, ticker))
        frame = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=FUNDAMENTAL_COLUMNS)
        frame.index.name = "ticker"
        return FundData(
            frame if rows else empty_fundamentals(),
            pd.DataFrame(sectors, columns=SECTOR_WEIGHT_COLUMNS).astype({"weight": float}),
            pd.DataFrame(holdings, columns=HOLDING_COLUMNS).astype({"weight": float}))



def _fundamentals_row(ticker: yf.Ticker, info: dict[str, Any], today: pd.Timestamp
                      ) -> dict[str, Any]:
    """Ticker.info first; then Yahoo's valuation measures; for funds, the holdings'
    averages, for whichever multiples are still missing."""
    row: dict[str, Any] = {ours: info.get(theirs) for theirs, ours in INFO_FIELDS.items()}
    measures = _quietly(lambda: ticker.valuation)
    if measures is not None and not measures.empty and "Current" in measures:
        _fill(row, {ours: measures.at[label, "Current"]
                    for label, ours in VALUATION_FIELDS.items() if label in measures.index})
    if info.get("quoteType") == "ETF":
        holdings = _quietly(lambda: ticker.funds_data.equity_holdings)
        if holdings is not None and not holdings.empty:
            column = holdings.columns[0]
            _fill(row, {ours: holdings.at[label, column]
                        for label, ours in HOLDINGS_FIELDS.items() if label in holdings.index})
    row["as_of"] = today
    row["pe_method"] = PE_METHOD if row.get("trailing_pe") is not None else None
    return row


def _fill(row: dict[str, Any], candidates: dict[str, Any]) -> None:
    """Set the fields ``row`` lacks from ``candidates`` that hold a number."""
    for field, value in candidates.items():
        if row.get(field) is None and value is not None and not pd.isna(value):
            row[field] = float(value)


def _sector_weights(ticker: yf.Ticker, fund: str) -> list[tuple[str, str, float]]:
    weights = _quietly(lambda: ticker.funds_data.sector_weightings) or {}
    return [(fund, sector, float(weight)) for sector, weight in weights.items()
            if weight is not None]


def _top_holdings(ticker: yf.Ticker, fund: str) -> list[tuple[str, str, str, float]]:
    table = _quietly(lambda: ticker.funds_data.top_holdings)
    if table is None or table.empty:
        return []
    return [(fund, str(symbol), str(row["Name"]), float(row["Holding Percent"]))
            for symbol, row in table.iterrows()]


def _info(ticker: yf.Ticker) -> dict[str, Any]:
    return _quietly(lambda: ticker.info) or {}


def _quietly(read: Callable[[], Any]) -> Any:
    """Fund data is optional: a ticker Yahoo has no fund data for gets empty fields."""
    try:
        return read()
    except Exception:
        return None


NOT_FOUND = ("404", "delisted", "No data found", "not found")


def _reason(messages: list[str]) -> str:
    if not messages:
        return "empty download"
    if any(marker in m for m in messages for marker in NOT_FOUND):
        return "not found on Yahoo Finance"
    return messages[-1].split(":", 1)[-1].strip()[:160]


def _price_frame(raw: pd.DataFrame, ticker: str) -> pd.DataFrame:
    if raw.empty or ticker not in raw.columns.get_level_values(1):
        return pd.DataFrame(columns=PRICE_COLUMNS)
    frame = pd.DataFrame(raw.xs(ticker, axis=1, level=1)).rename(columns=YAHOO_COLUMNS)
    frame = frame.reindex(columns=PRICE_COLUMNS).astype(float).dropna(subset=["adj_close"])
    frame.index = pd.DatetimeIndex(pd.DatetimeIndex(frame.index).date, name="date")
    return frame
