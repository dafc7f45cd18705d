"""The market data an edition was built from, as Parquet, so it can be rebuilt offline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
    # The prices gathered without pandas (_price_batches), and written without Arrow's
    # schema, whose dictionary type would read the tickers back as a categorical column
    # (Parquet's own types give a string column); the other tables as pandas writes them,
    # with their ``attrs`` (the macro series' sources).
    files = {PRICES_FILE: _encoded(partial(_write_prices, data, as_of)),
             FUNDAMENTALS_FILE: _encoded(data.fundamentals.to_parquet),
             SECTOR_WEIGHTS_FILE: _encoded(data.sector_weights.to_parquet),
             HOLDINGS_FILE: _encoded(data.top_holdings.to_parquet)}
    if data.macro:
        macro = pd.concat([series[series.index <= as_of].rename("value").to_frame()
                           .assign(name=name) for name, series in data.macro.items()])
        macro.attrs["sources"] = data.macro_sources
        files[MACRO_FILE] = _encoded(partial(macro.reset_index().to_parquet, index=False))
    return files


# A row group of the prices file holds whole tickers, about this many rows.
ROWS_PER_GROUP = 1 << 17
PRICES_SCHEMA = pa.schema([("date", pa.timestamp("us")),
                           *((name, pa.float64()) for name in PRICE_COLUMNS),
                           ("ticker", pa.dictionary(pa.int32(), pa.large_string()))])


def _write_prices(data: MarketData, as_of: pd.Timestamp, sink: pa.BufferOutputStream) -> None:
    # Prices as split bytes under zstd: smaller than Parquet's dictionaries of prices under
    # snappy (30 MB against 36 for a 600-stock universe), in half the time.
    with pq.ParquetWriter(sink, PRICES_SCHEMA, store_schema=False, compression="zstd",
                          compression_level=1, use_dictionary=["ticker"],
                          column_encoding=dict.fromkeys(PRICE_COLUMNS, "BYTE_STREAM_SPLIT")
                          ) as writer:
        for batch in _price_batches(data, as_of):
            writer.write_table(batch, row_group_size=batch.num_rows)


def _price_batches(data: MarketData, as_of: pd.Timestamp) -> Iterator[pa.Table]:
    """Every ticker's rows to ``as_of``, one after another, a few tickers at a time (a row
    group each): the date, the price columns and the ticker. Gathered in numpy and Arrow,
    not in pandas, so that the thread that encodes them hardly holds the interpreter's lock
    the layout needs (concatenating the rows in pandas held it ~0.3 s for a 600-stock
    universe); the tickers stay a dictionary, as Parquet stores them (spelled out as 2.1
    million strings, they cost another 0.34 CPU-s). A few tickers at a time, not all at
    once: a 600-stock universe's 2.1 million rows gathered whole took 200 MiB more memory,
    and a second more, this machine's memory being slow to touch for the first time."""
    group: dict[str, pd.DataFrame] = {}
    rows = 0
    for ticker, frame in data.prices.items():
        # Its first rows, as views: the dates ascend (MarketData's frames are so made).
        group[ticker] = frame.iloc[:frame.index.searchsorted(as_of, side="right")]
        rows += len(group[ticker])
        if rows >= ROWS_PER_GROUP:
            yield _prices_table(group)
            group, rows = {}, 0
    if group:
        yield _prices_table(group)


def _prices_table(frames: dict[str, pd.DataFrame]) -> pa.Table:
    columns = {"date": np.concatenate([frame.index.to_numpy() for frame in frames.values()])}
    for name in PRICE_COLUMNS:
        columns[name] = np.concatenate([frame[name].to_numpy() for frame in frames.values()])
    which = np.repeat(np.arange(len(frames), dtype=np.int32), list(map(len, frames.values())))
    tickers = pa.DictionaryArray.from_arrays(which, pa.array(list(frames), pa.large_string()))
    return pa.Table.from_pydict({**columns, "ticker": tickers}, schema=PRICES_SCHEMA)


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
