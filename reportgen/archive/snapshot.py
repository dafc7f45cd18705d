"""The market data an edition was built from, as Parquet, so it can be rebuilt offline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from reportgen.data.model import PRICE_COLUMNS, MarketData, rows_to

PRICES_FILE = "data-prices.parquet"
FUNDAMENTALS_FILE = "data-fundamentals.parquet"
SECTOR_WEIGHTS_FILE = "data-sector-weights.parquet"
HOLDINGS_FILE = "data-top-holdings.parquet"
MACRO_FILE = "data-macro.parquet"  # only when the edition had macro series


def write_snapshot(data: MarketData, as_of: pd.Timestamp, folder: Path) -> list[str]:
    """Writes the snapshot's Parquet files into ``folder`` and gives their names: prices up
    to the as-of date (nothing later can have shaped the edition), fundamentals, and the
    macro series if the edition had any. A build writes them while it lays out the edition
    (pyarrow encodes without holding the interpreter's lock: 0.2 to 0.3 s for the 30 MB of
    a 600-stock universe), beside the edition's folder, and moves them in after."""
    # The prices written without Arrow's schema, whose dictionary type would read the
    # tickers back as a categorical column (Parquet's own types give a string column); the
    # other tables as pandas writes them, with their ``attrs`` (the macro series' sources).
    _write_prices(data, as_of, folder / PRICES_FILE)
    data.fundamentals.to_parquet(folder / FUNDAMENTALS_FILE)
    data.sector_weights.to_parquet(folder / SECTOR_WEIGHTS_FILE)
    data.top_holdings.to_parquet(folder / HOLDINGS_FILE)
    names = [PRICES_FILE, FUNDAMENTALS_FILE, SECTOR_WEIGHTS_FILE, HOLDINGS_FILE]
    if data.macro:
        macro = pd.concat([series[series.index <= as_of].rename("value").to_frame()
                           .assign(name=name) for name, series in data.macro.items()])
        macro.attrs["sources"] = data.macro_sources
        macro.reset_index().to_parquet(folder / MACRO_FILE, index=False)
        names.append(MACRO_FILE)
    return names


# A row group of the prices file holds whole tickers, about this many rows.
ROWS_PER_GROUP = 1 << 17
PRICES_SCHEMA = pa.schema([("date", pa.timestamp("us")),
                           *((name, pa.float64()) for name in PRICE_COLUMNS),
                           ("ticker", pa.dictionary(pa.int32(), pa.large_string()))])


def _write_prices(data: MarketData, as_of: pd.Timestamp, path: Path) -> None:
    """Every ticker's rows to ``as_of``, one after another, a few tickers to a row group
    (``_ticker_groups``). Gathered in numpy and Arrow, not in pandas, so that the thread
    that encodes them hardly holds the interpreter's lock the layout needs (concatenating
    the rows in pandas held it ~0.3 s for a 600-stock universe)."""
    groups = list(_ticker_groups(data, as_of))
    # Each group's rows are gathered into the same arrays, written before the next group's
    # are: arrays made afresh for each group took 16,000 page faults more (60 MB), and this
    # machine's memory is slow to touch for the first time.
    most = max((_rows(group) for group in groups), default=0)
    gathered = {"date": np.empty(most, "datetime64[us]"),
                **{name: np.empty(most) for name in PRICE_COLUMNS}}
    # Prices as split bytes under zstd: smaller than Parquet's dictionaries of prices under
    # snappy (30 MB against 36 for a 600-stock universe), in half the time.
    with pq.ParquetWriter(path, PRICES_SCHEMA, store_schema=False, compression="zstd",
                          compression_level=1, use_dictionary=["ticker"],
                          column_encoding=dict.fromkeys(PRICE_COLUMNS, "BYTE_STREAM_SPLIT")
                          ) as writer:
        for group in groups:
            writer.write_table(_group_table(group, gathered), row_group_size=_rows(group))


def _ticker_groups(data: MarketData, as_of: pd.Timestamp) -> Iterator[dict[str, pd.DataFrame]]:
    """The tickers' rows to ``as_of`` (views: the dates ascend), a few tickers at a time,
    about ``ROWS_PER_GROUP`` rows. All the rows at once (2.1 million for a 600-stock
    universe) took 200 MiB more memory, and a second more."""
    group: dict[str, pd.DataFrame] = {}
    rows = 0
    for ticker, frame in data.prices.items():
        group[ticker] = rows_to(frame, as_of)
        rows += len(group[ticker])
        if rows >= ROWS_PER_GROUP:
            yield group
            group, rows = {}, 0
    if group:
        yield group


def _rows(group: dict[str, pd.DataFrame]) -> int:
    return sum(map(len, group.values()))


def _group_table(group: dict[str, pd.DataFrame], gathered: dict[str, np.ndarray]) -> pa.Table:
    """The group's rows, in (the first rows of) the ``gathered`` arrays: the date, the
    price columns and the ticker, which stays a dictionary, as Parquet stores it (spelled
    out as 2.1 million strings for a 600-stock universe, it cost 0.34 CPU-s)."""
    rows = _rows(group)
    columns = {"date": np.concatenate([frame.index.to_numpy() for frame in group.values()],
                                      out=gathered["date"][:rows])}
    for name in PRICE_COLUMNS:
        columns[name] = np.concatenate([frame[name].to_numpy() for frame in group.values()],
                                       out=gathered[name][:rows])
    which = np.repeat(np.arange(len(group), dtype=np.int32), list(map(len, group.values())))
    tickers = pa.DictionaryArray.from_arrays(which, pa.array(list(group), pa.large_string()))
    return pa.Table.from_pydict({**columns, "ticker": tickers}, schema=PRICES_SCHEMA)


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
