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
MACRO_FILE = "data-macro.parquet"  # only when the edition had macro series


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
    written = [PRICES_FILE, FUNDAMENTALS_FILE, SECTOR_WEIGHTS_FILE, HOLDINGS_FILE]
    if data.macro:
        macro = pd.concat([series[series.index <= as_of].rename("value").to_frame()
                           .assign(name=name) for name, series in data.macro.items()])
        macro.attrs["sources"] = data.macro_sources
        macro.reset_index().to_parquet(folder / MACRO_FILE, index=False)
        written.append(MACRO_FILE)
    return written


def read_snapshot(folder: Path, source: str, is_sample: bool,
                  fetched_at: dict[str, str]) -> MarketData:
    prices = pd.read_parquet(folder / PRICES_FILE)
    frames = {
        str(ticker): group.set_index("date")[PRICE_COLUMNS].rename_axis("date")
        for ticker, group in prices.groupby("ticker", sort=False)
    }
    macro, sources = {}, []
    if (folder / MACRO_FILE).is_file():
        table = pd.read_parquet(folder / MACRO_FILE)
        macro = {str(name): group.set_index("date")["value"]
                 for name, group in table.groupby("name", sort=False)}
        sources = list(table.attrs.get("sources", []))
    return MarketData(prices=frames, fundamentals=pd.read_parquet(folder / FUNDAMENTALS_FILE),
                      sector_weights=pd.read_parquet(folder / SECTOR_WEIGHTS_FILE),
                      top_holdings=pd.read_parquet(folder / HOLDINGS_FILE),
                      source=source, is_sample=is_sample,
                      fetched_at={t: datetime.fromisoformat(v) for t, v in fetched_at.items()},
                      macro=macro, macro_sources=sources)
