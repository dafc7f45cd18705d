"""The data-quality gate between a source and the store, and the gaps the report must withhold.

A price that cannot be true (not finite, zero or negative, dated after today) is refused with
the file and line it came from, and nothing from that fetch is stored. A daily move beyond the
limit for the instrument's kind stops the build as a suspected bad tick, unless the config
acknowledges that day. A run of missing trading days is not an error: the figures that span it
are withheld (``withhold_gaps``) and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from reportgen.config import Config, DataQuality, Instruments
from reportgen.data.model import MarketData, rows_to
from reportgen.errors import ReportgenError
from reportgen.formatting import day, number, pct

PRICE_FIELDS = ["open", "high", "low", "close", "adj_close"]


@dataclass(frozen=True)
class PriceGate:
    """What the store accepts, from the config's ``instruments`` and ``data_quality``."""

    instruments: Instruments = field(default_factory=Instruments)
    rules: DataQuality = field(default_factory=DataQuality)
    today: date = field(default_factory=date.today)

    @classmethod
    def of(cls, config: Config) -> PriceGate:
        return cls(config.instruments, config.data_quality)

    def refuse_impossible(self, ticker: str, frame: pd.DataFrame,
                          locate: Callable[[int], str]) -> None:
        """Non-finite prices, zero or negative prices (yields may be zero or negative) and
        rows dated after today; ``locate(position)`` names the row for the error."""
        kind = self.instruments.kind(ticker)
        for column in (c for c in PRICE_FIELDS if c in frame.columns):
            values = frame[column].to_numpy(dtype=float)
            present = ~np.isnan(values)
            bad = present & ~np.isfinite(values)
            if kind != "rate":
                bad |= present & (values <= 0)
            if bad.any():
                row = int(bad.argmax())
                raise ReportgenError(
                    f"{locate(row)}: {ticker} {column} is {values[row]:g} on "
                    f"{frame.index[row]:%Y-%m-%d}, which no price can be; correct or remove "
                    "the row.")
        future = pd.DatetimeIndex(frame.index) > pd.Timestamp(self.today)
        if future.any():
            row = int(future.argmax())
            raise ReportgenError(
                f"{locate(row)}: {ticker} has a row dated {frame.index[row]:%Y-%m-%d}, after "
                "today; remove rows from the future.")

    def refuse_bad_ticks(self, ticker: str, closes: pd.Series) -> None:
        """A daily move beyond the kind's limit (relative; in points for yields) that the
        config does not acknowledge, in ``closes`` (without missing values)."""
        kind = self.instruments.kind(ticker)
        limit = self.rules.max_daily_move[kind]
        # In numpy: every stored series is checked at every load (600 and more with a large
        # universe), and almost always nothing is found; in pandas it cost ~2 ms a series.
        values = closes.to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):  # from a zero: infinite
            moves = np.diff(values) if kind == "rate" else values[1:] / values[:-1] - 1
        acknowledged = {a.date for a in self.rules.acknowledged_moves if a.ticker == ticker}
        for at in np.flatnonzero(np.abs(moves) > limit):
            when = pd.Timestamp(closes.index[int(at) + 1])
            if when.date() in acknowledged:
                continue
            size = (f"{number(moves[at], 2, signed=True)} points" if kind == "rate"
                    else pct(moves[at]) if np.isfinite(moves[at]) else "from a close of zero")
            raise ReportgenError(
                f"{ticker} moved {size} on {when:%Y-%m-%d}, beyond the {limit:g} limit for a "
                f"{kind}: a suspected bad tick. Correct the price, or if the move is real add "
                f"{{ticker: {ticker}, date: {when:%Y-%m-%d}, reason: ...}} to "
                "data_quality.acknowledged_moves in the config file.")


@dataclass(frozen=True)
class Gap:
    ticker: str
    last_before: pd.Timestamp
    first_after: pd.Timestamp
    missing_days: int  # weekdays with no price between the two


def find_gaps(ticker: str, closes: pd.Series, max_missing: int) -> list[Gap]:
    """Runs of more than ``max_missing`` weekdays without a price, between the first and the
    last close. Holidays count as missing days: a one-week limit allows for them."""
    days = pd.DatetimeIndex(closes.index).to_numpy().astype("datetime64[D]")
    if len(days) < 2:
        return []
    missing = np.busday_count(days[:-1], days[1:]) - 1
    return [Gap(ticker, pd.Timestamp(days[i]), pd.Timestamp(days[i + 1]), int(missing[i]))
            for i in np.flatnonzero(missing > max_missing)]


def withhold_gaps(data: MarketData, as_of: pd.Timestamp, max_missing: int
                  ) -> tuple[MarketData, list[str]]:
    """Each series cut to start after its last gap on or before ``as_of``, so every figure
    and chart that would span a gap is withheld rather than computed across it; with a
    note per gap for the report's data notes. Without a gap, the data itself, with the
    closes it has read (a 600-stock universe's took 0.1 s to read again)."""
    prices, notes = dict(data.prices), []
    for ticker, frame in data.prices.items():
        gaps = find_gaps(ticker, rows_to(data.adj_close(ticker), as_of), max_missing)
        if gaps:
            last = gaps[-1]
            prices[ticker] = frame[frame.index >= last.first_after]
            notes.append(
                f"{ticker} has no prices for {last.missing_days} trading days between "
                f"{day(last.last_before)} and {day(last.first_after)}; its figures for "
                f"periods that reach back before {day(last.first_after)} are withheld.")
    return (replace(data, prices=prices) if notes else data), notes
