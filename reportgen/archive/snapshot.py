"""The market data an edition was built from, as Parquet, so it can be rebuilt offline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from reportgen.data.model import PRICE_COLUMNS, MarketData

PRICES_FILE = "data-prices.parquet"
FUNDAMENTALS_FILE = "data-fundamentals.parquet"
SECTOR_WEIGHTS_FILE = "data-sector-weights.parquet"
HOLDINGS_FILE = "data-top-holdings.parquet"
MACRO_FILE = "data-macro.parquet"  # only when the edition had macro series


def snapshot_files(data: MarketData, as_of: pd.Timestamp) -> dict[str, memoryview]:
    """The snapshot's Parquet files, by name: prices up to the as-of date (nothing later can
    have shaped the edition), fundamentals, and the macro series if the edition had any.
    Encoded in memory, so a build can encode them while it lays out the edition (pyarrow
    encodes without holding the interpreter's lock: 0.3 to 0.5 s for the 28 MB of a
    600-stock universe) and write them to the edition's folder after."""
    # The prices gathered without pandas (_prices_table), and written without Arrow's schema,
    # whose dictionary type would read the tickers back as a categorical column (Parquet's
    # own types give a string column); the other tables as pandas writes them, with their
    # ``attrs`` (the macro series' sources).
    files = {PRICES_FILE: _encoded(partial(pq.write_table, _prices_table(data, as_of),
                                           store_schema=False)),
             FUNDAMENTALS_FILE: _encoded(data.fundamentals.to_parquet),
             SECTOR_WEIGHTS_FILE: _encoded(data.sector_weights.to_parquet),
             HOLDINGS_FILE: _encoded(data.top_holdings.to_parquet)}
    if data.macro:
        macro = pd.concat([series[series.index <= as_of].rename("value").to_frame()
                           .assign(name=name) for name, series in data.macro.items()])
        macro.attrs["sources"] = data.macro_sources
        files[MACRO_FILE] = _encoded(partial(macro.reset_index().to_parquet, index=False))
    return files


def _prices_table(data: MarketData, as_of: pd.Timestamp) -> pa.Table:
    """Every ticker's rows to ``as_of``, one after another: the date, the price columns and
    the ticker. Gathered in numpy and Arrow, not in pandas, so that the thread that encodes
    it hardly holds the interpreter's lock the layout needs: concatenating the rows in
    pandas, and converting 2.1 million tickers as Python strings, held it ~0.3 s for a
    600-stock universe (the layout then took as much longer). The tickers stay a
    dictionary, as Parquet stores them: spelled out as 2.1 million strings first, they
    cost another 0.34 CPU-s."""
    rows = {ticker: frame.index <= as_of for ticker, frame in data.prices.items()}
    columns = {"date": np.concatenate(
        [data.prices[ticker].index.to_numpy()[kept] for ticker, kept in rows.items()])}
    for name in PRICE_COLUMNS:
        columns[name] = np.concatenate(
            [data.prices[ticker][name].to_numpy()[kept] for ticker, kept in rows.items()])
    which = np.repeat(np.arange(len(rows), dtype=np.int32), [int(k.sum()) for k in rows.values()])
    tickers = pa.DictionaryArray.from_arrays(which, pa.array(list(rows), pa.large_string()))
    return pa.table({**columns, "ticker": tickers})


def _encoded(write: Callable[[pa.BufferOutputStream], object]) -> memoryview:
    """What ``write`` writes, in memory (and not copied again to be written to a file)."""
    buffer = pa.BufferOutputStream()
    write(buffer)
    return memoryview(buffer.getvalue())


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
