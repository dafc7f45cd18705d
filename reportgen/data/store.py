"""The local Parquet store: what each source returned, kept so a second run needs no network.

Layout: ``ROOT/<source key>/prices/<TICKER>.parquet``, one Parquet file per fund-data table
(fundamentals, sector weights, top holdings) and ``meta.json`` (per ticker: fingerprint,
fetch time, first and last date, rows). Every file is written to a temporary name and renamed
into place, so an interrupted fetch never leaves a torn file behind.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import platformdirs
import pyarrow as pa
import pyarrow.parquet as pq

from reportgen.data.model import PRICE_COLUMNS, FundData, MarketData
from reportgen.data.quality import PriceGate
from reportgen.data.series import SeriesSource
from reportgen.data.sources import Source
from reportgen.durable import write_atomic
from reportgen.tickers import file_stem

log = logging.getLogger(__name__)

FUND_TABLES = ("fundamentals", "sector_weights", "top_holdings")  # FundData's fields, in order
# Bumped whenever what the sources return changes shape or meaning (a parsing fix included):
# series stored under another format are fetched again.
STORE_FORMAT = 2
# A remote series fetched within this window is used as it is.
FRESH_FOR = timedelta(hours=12)
# A series whose last close is more than this many business days old is flagged stale.
STALE_AFTER_BUSINESS_DAYS = 3
# Relative difference on the overlap day that means the source re-adjusted history
# (a dividend or split went ex), so the whole series must be fetched again.
ADJUSTMENT_TOLERANCE = 1e-6


def default_store_root(configured: Path | None = None) -> Path:
    """``$REPORTGEN_STORE``, else the config file's ``store``, else the user cache folder."""
    override = os.environ.get("REPORTGEN_STORE")
    if override:
        return Path(override).expanduser()
    return configured or Path(platformdirs.user_cache_dir("reportgen")) / "store"


@dataclass(frozen=True)
class SeriesStatus:
    ticker: str
    source: str
    first: pd.Timestamp
    last: pd.Timestamp
    rows: int
    fetched_at: datetime
    stale: bool


def is_stale(last: pd.Timestamp, today: pd.Timestamp) -> bool:
    return len(pd.bdate_range(last, today)) - 1 > STALE_AFTER_BUSINESS_DAYS


class Store:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_store_root()

    def load(
        self,
        source: Source,
        tickers: list[str],
        *,
        gate: PriceGate | None = None,
        refresh: bool = False,
        now: datetime | None = None,
    ) -> MarketData:
        """The tickers' data, fetching from ``source`` only what the store lacks. Fetched
        prices pass ``gate`` before anything is stored; every series it returns has passed
        the bad-tick check under the gate's current limits."""
        gate = gate or PriceGate()
        now = now or datetime.now(UTC)
        meta = self._read_meta(source)
        stored = {t: frame for t in tickers
                  if t in meta and (frame := self._read_prices(source, t)) is not None}
        since = self._missing_since(source, tickers, meta, stored, refresh, now)
        log.info("%s: %d series from the store at %s, %d to fetch", source.label,
                 len(tickers) - len(since), self.root, len(since))
        if since:
            fetched = source.fetch_prices(list(since), since)
            rebased = [t for t in fetched if _basis_changed(stored.get(t), fetched[t], since[t])]
            if rebased:
                fetched.update(source.fetch_prices(rebased, dict.fromkeys(rebased)))
            for ticker, frame in fetched.items():
                gate.refuse_impossible(ticker, frame, partial(source.locate, ticker))
            for ticker, frame in fetched.items():
                merged = _merge(stored.get(ticker) if since[ticker] is not None else None, frame)
                stored[ticker] = merged
                self._write_prices(source, ticker, merged)
                meta[ticker] = _meta_entry(source, ticker, merged, now)
            funds = self._write_fund_data(source, tickers, source.fetch_fundamentals(tickers),
                                          self._read_fund_data(source) or FundData())
            self._write_meta(source, meta)
        else:
            funds = self._read_fund_data(source) or self._write_fund_data(
                source, tickers, source.fetch_fundamentals(tickers), FundData())
        funds = funds.only(tickers)
        for ticker in tickers:
            gate.refuse_bad_ticks(ticker, stored[ticker]["adj_close"].dropna())
        fetched_at = {t: datetime.fromisoformat(meta[t]["fetched_at"]) for t in tickers}
        return MarketData(
            prices={t: stored[t] for t in tickers},
            fundamentals=funds.fundamentals,
            sector_weights=funds.sector_weights,
            top_holdings=funds.top_holdings,
            source=source.label,
            is_sample=source.is_sample,
            fetched_at=fetched_at,
        )

    def load_series(self, source: SeriesSource, names: list[str], *, refresh: bool = False,
                    now: datetime | None = None) -> dict[str, pd.Series]:
        """Macro and history series by name, fetched again only when stale: a remote
        source's after FRESH_FOR, a folder's when its file changes."""
        now = now or datetime.now(UTC)
        meta = self._read_meta(source)
        series = {}
        for name in names:
            # The names are the report's own (FRED ids, SIZE_LO10): safe as file names.
            path = self._folder(source) / "series" / f"{name}.parquet"
            entry = meta.get(name)
            fresh = (entry is not None and not refresh and path.is_file()
                     and (now - datetime.fromisoformat(entry["fetched_at"]) <= FRESH_FOR
                          if source.is_remote
                          else entry.get("fingerprint") == source.fingerprint(name)))
            stored = _read_parquet(path) if fresh else None
            if stored is not None:
                series[name] = stored["value"]
                continue
            series[name] = source.fetch(name).rename("value")
            write_atomic(path, series[name].to_frame().to_parquet)
            meta[name] = _meta_entry(source, name, series[name], now)
        self._write_meta(source, meta)
        return series

    def status(self, today: pd.Timestamp | None = None) -> list[SeriesStatus]:
        today = today or pd.Timestamp.now().normalize()
        rows = []
        for meta_path in sorted(self.root.glob("*/meta.json")):
            for ticker, entry in sorted(_read_meta_file(meta_path).items()):
                last = pd.Timestamp(entry["last"])
                rows.append(
                    SeriesStatus(
                        ticker=ticker,
                        source=entry["source"],
                        first=pd.Timestamp(entry["first"]),
                        last=last,
                        rows=entry["rows"],
                        fetched_at=datetime.fromisoformat(entry["fetched_at"]),
                        stale=is_stale(last, today),
                    )
                )
        return rows

    def _missing_since(
        self,
        source: Source,
        tickers: list[str],
        meta: dict[str, dict],
        stored: dict[str, pd.DataFrame],
        refresh: bool,
        now: datetime,
    ) -> dict[str, pd.Timestamp | None]:
        since: dict[str, pd.Timestamp | None] = {}
        for ticker in tickers:
            entry = meta.get(ticker)
            if entry is None or ticker not in stored or entry.get("format") != STORE_FORMAT:
                since[ticker] = None
            elif not source.is_remote:
                if refresh or entry["fingerprint"] != source.fingerprint(ticker):
                    since[ticker] = None
            elif refresh or now - datetime.fromisoformat(entry["fetched_at"]) > FRESH_FOR:
                # Re-fetch the last stored day too: it tells us whether history was re-adjusted.
                since[ticker] = stored[ticker].index[-1]
        return since

    def _folder(self, source: Source | SeriesSource) -> Path:
        return self.root / source.key

    def _price_path(self, source: Source, ticker: str) -> Path:
        return self._folder(source) / "prices" / f"{file_stem(ticker)}.parquet"

    def _read_meta(self, source: Source | SeriesSource) -> dict[str, dict]:
        """What the store holds; a damaged meta.json is reported and the source's series
        are fetched again (the store heals itself)."""
        path = self._folder(source) / "meta.json"
        return _read_meta_file(path) if path.is_file() else {}

    def _write_meta(self, source: Source | SeriesSource, meta: dict[str, dict]) -> None:
        text = json.dumps(meta, indent=1, sort_keys=True)
        write_atomic(self._folder(source) / "meta.json", lambda p: p.write_text(text))

    def _read_prices(self, source: Source, ticker: str) -> pd.DataFrame | None:
        """The stored series; None when it is absent or damaged (reported), so that it is
        fetched again."""
        path = self._price_path(source, ticker)
        return _read_parquet(path, _price_frame) if path.is_file() else None

    def _write_prices(self, source: Source, ticker: str, frame: pd.DataFrame) -> None:
        # The bytes of frame.to_parquet, without the pool of threads it starts to convert
        # each frame: twice as fast for the store's many small files.
        table = pa.Table.from_pandas(frame, nthreads=1)
        write_atomic(self._price_path(source, ticker), partial(pq.write_table, table))

    def _read_fund_data(self, source: Source) -> FundData | None:
        """The stored fund tables; None when one is damaged (reported), to fetch them again."""
        folder, empty = self._folder(source), FundData()
        tables = []
        for name in FUND_TABLES:
            path = folder / f"{name}.parquet"
            table = _read_parquet(path) if path.is_file() else getattr(empty, name)
            if table is None:
                return None
            tables.append(table)
        return FundData(*tables)

    def _write_fund_data(self, source: Source, tickers: list[str], fresh: FundData, kept: FundData
                         ) -> FundData:
        """Replace what is stored for ``tickers``, keep the other tickers' rows."""
        merged = FundData(
            pd.concat([kept.fundamentals[~kept.fundamentals.index.isin(tickers)],
                       fresh.fundamentals]),
            *(pd.concat([table[~table["fund"].isin(tickers)], getattr(fresh, name)],
                        ignore_index=True)
              for name, table in (("sector_weights", kept.sector_weights),
                                  ("top_holdings", kept.top_holdings))))
        for name in FUND_TABLES:
            write_atomic(self._folder(source) / f"{name}.parquet",
                          getattr(merged, name).to_parquet)
        return merged


def _read_meta_file(path: Path) -> dict[str, dict]:
    try:
        meta = json.loads(path.read_text())
        if isinstance(meta, dict) and all(isinstance(v, dict) for v in meta.values()):
            return meta
    except (OSError, ValueError):
        pass
    log.warning("%s is damaged; its series will be fetched again", path)
    return {}


def _read_parquet(path: Path, convert: Callable[[pa.Table], pd.DataFrame] = pa.Table.to_pandas
                  ) -> pd.DataFrame | None:
    """The file's table, converted; None when the file is damaged (reported). Read with
    pyarrow's reader of one file, where pd.read_parquet goes through its datasets (half the
    cost for the store's many small files), whole, without first gathering its column
    chunks on Arrow's I/O threads (a quarter less again)."""
    try:
        with pq.ParquetFile(path, pre_buffer=False) as file:
            return convert(file.read(use_threads=False))
    except Exception:  # pyarrow raises several types for a torn or foreign file
        log.warning("%s is damaged; it will be fetched again", path)
        return None


def _price_frame(table: pa.Table) -> pd.DataFrame:
    """A ticker's stored prices. A file as the sources' frames are written
    (``_is_float_prices``) is built straight from its columns, where Arrow's conversion to
    pandas reads its pandas metadata first: three times as long, which counts with a
    600-stock universe's 600 files."""
    if not _is_float_prices(table.schema):
        return table.to_pandas()
    return pd.DataFrame(np.column_stack([table[name].to_numpy() for name in PRICE_COLUMNS]),
                        index=pd.DatetimeIndex(table["date"].to_numpy(), name="date"),
                        columns=_PRICE_LABELS)


# The column labels every frame read shares (an index is immutable), with the lookup table
# pandas makes for it: made for each frame, they took a fifth of the time of reading it.
_PRICE_LABELS = pd.Index(PRICE_COLUMNS)


def _is_float_prices(schema: pa.Schema) -> bool:
    """The columns of ``PRICE_COLUMNS`` as floats, then the dates (the frame's index)."""
    date = schema.field(schema.names[-1]).type
    return (schema.names == [*PRICE_COLUMNS, "date"]
            and all(schema.field(name).type == pa.float64() for name in PRICE_COLUMNS)
            and pa.types.is_timestamp(date) and date.tz is None)


def _basis_changed(
    stored: pd.DataFrame | None, fetched: pd.DataFrame, since: pd.Timestamp | None
) -> bool:
    if since is None or stored is None or stored.empty or since not in fetched.index:
        return since is not None  # no overlap to compare: only a full fetch is safe
    old = float(stored.at[since, "adj_close"])  # type: ignore[arg-type]
    new = float(fetched.at[since, "adj_close"])  # type: ignore[arg-type]
    return abs(new / old - 1) > ADJUSTMENT_TOLERANCE


def _merge(stored: pd.DataFrame | None, fetched: pd.DataFrame) -> pd.DataFrame:
    if stored is None or stored.empty:
        return fetched
    kept = stored[stored.index < fetched.index[0]] if not fetched.empty else stored
    return pd.concat([kept, fetched])


def _meta_entry(source: Source | SeriesSource, ticker: str, frame: pd.DataFrame | pd.Series,
                now: datetime) -> dict:
    return {
        "format": STORE_FORMAT,
        "source": source.label,
        "fingerprint": source.fingerprint(ticker),
        "fetched_at": now.isoformat(timespec="seconds"),
        "first": f"{frame.index[0]:%Y-%m-%d}",
        "last": f"{frame.index[-1]:%Y-%m-%d}",
        "rows": len(frame),
    }
