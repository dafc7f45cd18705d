"""The market data an edition was built from, as Parquet, so it can be rebuilt offline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from reportgen.data.model import PRICE_COLUMNS, MarketData

PRICES_FILE = "data-prices.parquet"
FUNDAMENTALS_FILE = "data-fundamentals.parquet"
SECTOR_WEIGHTS_FILE = "data-sector-weights.parquet"
HOLDINGS_FILE = "data-top-holdings.parquet"


def write_snapshot(folder: Path, data: MarketData, as_of: pd.Timestamp) -> list[str]:
    """Prices up to the as-of date (nothing later can have shaped the edition) and
    fundamentals; returns the file names written."""
    frames = [frame[frame.index <= as_of].assign(ticker=ticker)
              for ticker, frame in data.prices.items()]
    prices = pd.concat(frames).reset_index()
    prices.to_parquet(folder / PRICES_FILE, index=False)
    data.fundamentals.to_parquet(folder / FUNDAMENTALS_FILE)
    data.sector_weights.to_parquet(folder / SECTOR_WEIGHTS_FILE)
    data.top_holdings.to_parquet(folder / HOLDINGS_FILE)
    return [PRICES_FILE, FUNDAMENTALS_FILE, SECTOR_WEIGHTS_FILE, HOLDINGS_FILE]


def read_snapshot(folder: Path, source: str, is_sample: bool,
                  fetched_at: dict[str, str]) -> MarketData:
    prices = pd.read_parquet(folder / PRICES_FILE)
    frames = {
        str(ticker): group.set_index("date")[PRICE_COLUMNS].rename_axis("date")
        for ticker, group in prices.groupby("ticker", sort=False)
    }
    return MarketData(prices=frames, fundamentals=pd.read_parquet(folder / FUNDAMENTALS_FILE),
                      sector_weights=pd.read_parquet(folder / SECTOR_WEIGHTS_FILE),
                      top_holdings=pd.read_parquet(folder / HOLDINGS_FILE),
                      source=source, is_sample=is_sample,
                      fetched_at={t: datetime.fromisoformat(v) for t, v in fetched_at.items()})
