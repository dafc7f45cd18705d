"""Read prices and fundamentals from a directory of CSV files, one file per ticker.

Every problem is reported with the file and the line it is on (line 1 is the header), so a
vendor export with one bad row can be fixed rather than guessed at. A well-formed price file
is read by pyarrow's CSV reader (typed columns, in C++: about five times faster than parsing
text in pandas); a file it refuses is read again cell by cell to say which line is wrong.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from reportgen.data.model import (
    FUNDAMENTAL_COLUMNS,
    FUNDAMENTAL_NUMBERS,
    PRICE_COLUMNS,
    empty_fundamentals,
)
from reportgen.errors import ReportgenError
from reportgen.tickers import file_stem, find_ticker_file

# The resolution pandas gives the dates it parses from text: both readers index by it.
DATE_DTYPE = pd.to_datetime(pd.Series(["2000-01-03"]), format="%Y-%m-%d").dtype
FUNDAMENTALS_FILE = "fundamentals.csv"
SECTOR_WEIGHTS_FILE = "sector_weights.csv"  # fund,sector,weight
HOLDINGS_FILE = "holdings.csv"  # fund,symbol,name,weight


def read_price_csv(path: Path) -> pd.DataFrame:
    """One ticker's daily prices, validated; ``adj_close`` falls back to ``close`` only when
    the vendor leaves the whole ``adj_close`` column empty."""
    frame = _typed_prices(path)
    if frame is None:
        frame = _prices_cell_by_cell(path)
    if frame["adj_close"].isna().all():
        frame["adj_close"] = frame["close"]
    _require_complete(path, frame["adj_close"], "adj_close")
    _require_ascending(path, pd.DatetimeIndex(frame.index))
    return frame


def _typed_prices(path: Path) -> pd.DataFrame | None:
    """The file read by pyarrow with typed columns; None when it does not read cleanly (a
    bad cell, an odd header, no rows), for the cell-by-cell reader to say why."""
    try:
        with path.open(encoding="utf-8") as handle:
            header = [name.strip().lower() for name in handle.readline().split(",")]
        if not {"date", "close", "adj_close"} <= set(header):
            return None
        table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
            column_types={"date": pa.date32(), **dict.fromkeys(
                [c for c in PRICE_COLUMNS if c in header], pa.float64())},
            include_columns=["date", *[c for c in PRICE_COLUMNS if c in header]],
            null_values=[""], strings_can_be_null=False))
    except (pa.ArrowException, UnicodeDecodeError, OSError):
        return None
    if table.num_rows == 0 or table.column("date").null_count:
        return None
    dates = pd.DatetimeIndex(table.column("date").to_numpy(zero_copy_only=False), name="date")
    frame = pd.DataFrame({c: table.column(c).to_numpy(zero_copy_only=False)
                          for c in PRICE_COLUMNS if c in header},
                         index=dates.astype(DATE_DTYPE))
    return frame.reindex(columns=PRICE_COLUMNS).astype(float)


def _prices_cell_by_cell(path: Path) -> pd.DataFrame:
    cells = _read_cells(path, required=["date", "close", "adj_close"])
    if cells.empty:
        raise ReportgenError(f"{path}: the file has a header but no rows of prices.")
    dates = _parse_dates(path, cells["date"])
    frame = pd.DataFrame(index=pd.DatetimeIndex(dates, name="date"))
    for column in PRICE_COLUMNS:
        raw = cells[column] if column in cells.columns else pd.Series("", index=cells.index)
        frame[column] = _parse_numbers(path, column, raw).to_numpy()
    return frame


def read_fundamentals_csv(path: Path) -> pd.DataFrame:
    """Optional fund fundamentals: one row per ticker; see README for the columns."""
    cells = _read_cells(path, required=["ticker", "as_of"])
    frame = empty_fundamentals()
    if cells.empty:
        return frame
    tickers = cells["ticker"].str.strip().str.upper()
    blank = tickers == ""
    if blank.any():
        raise ReportgenError(f"{path}: line {_line(_first(blank))}: the ticker is empty.")
    repeated = tickers.duplicated()
    if repeated.any():
        row = _first(repeated)
        raise ReportgenError(
            f"{path}: line {_line(row)}: ticker {tickers.iloc[row]} appears twice; keep one row "
            "per ticker."
        )
    frame = pd.DataFrame(index=pd.Index(tickers.to_numpy(), name="ticker"))
    frame["as_of"] = _parse_dates(path, cells["as_of"]).to_numpy()
    for column in FUNDAMENTAL_COLUMNS[1:]:
        raw = cells[column] if column in cells.columns else pd.Series("", index=cells.index)
        if column in FUNDAMENTAL_NUMBERS:
            frame[column] = _parse_numbers(path, column, raw).to_numpy()
        else:
            frame[column] = raw.replace("", None).to_numpy()
    return frame


def read_weights_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """Fund composition rows (sector weights or top holdings); ``weight`` is a fraction."""
    cells = _read_cells(path, required=columns)
    frame = cells[columns].copy()
    frame["fund"] = frame["fund"].str.strip().str.upper()
    frame["weight"] = _parse_numbers(path, "weight", cells["weight"]).to_numpy()
    _require_complete(path, frame["weight"], "weight")
    return frame.reset_index(drop=True)


def price_file(directory: Path, ticker: str) -> Path:
    path = find_ticker_file(directory, ticker, ".csv")
    if path is None:
        raise ReportgenError(
            f"Unknown ticker {ticker}: no file {directory / (file_stem(ticker) + '.csv')}. "
            f"Add the file, or leave {ticker} out of --tickers."
        )
    return path


def _read_cells(path: Path, required: list[str]) -> pd.DataFrame:
    try:
        cells = pd.read_csv(
            path, dtype=str, keep_default_na=False, skip_blank_lines=False, skipinitialspace=True
        )
    except pd.errors.EmptyDataError:
        raise ReportgenError(f"{path}: the file is empty; expected a header line.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ReportgenError(f"{path}: not a readable CSV file ({error}).") from None
    cells.columns = [str(name).strip().lower() for name in cells.columns]
    missing = [name for name in required if name not in cells.columns]
    if missing:
        raise ReportgenError(
            f"{path}: line 1: missing column(s) {', '.join(missing)}; "
            f"the header must include {', '.join(required)}."
        )
    return cells


def _first(rows: pd.Series | np.ndarray) -> int:
    """The position of the first true value of a boolean column."""
    return int(np.asarray(rows).argmax())


def _line(position: int) -> int:
    return position + 2  # line 1 is the header


def _parse_dates(path: Path, raw: pd.Series) -> pd.Series:
    dates = pd.to_datetime(raw.str.strip(), format="%Y-%m-%d", errors="coerce")
    bad = dates.isna()
    if bad.any():
        row = _first(bad)
        raise ReportgenError(
            f"{path}: line {_line(row)}: bad date {raw.iloc[row]!r}; dates must be YYYY-MM-DD."
        )
    return dates


def _parse_numbers(path: Path, column: str, raw: pd.Series) -> pd.Series:
    text = raw.str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & (text != "")
    if bad.any():
        row = _first(bad)
        raise ReportgenError(
            f"{path}: line {_line(row)}: column {column} holds {raw.iloc[row]!r}, not a number."
        )
    return numbers.astype(float)


def _require_complete(path: Path, values: pd.Series, column: str) -> None:
    missing = values.isna().to_numpy()
    if missing.any():
        raise ReportgenError(
            f"{path}: line {_line(_first(missing))}: column {column} is empty; "
            "every row needs a price."
        )


def _require_ascending(path: Path, dates: pd.DatetimeIndex) -> None:
    steps = dates[1:] <= dates[:-1]
    if steps.any():
        row = _first(steps) + 1
        problem = "repeats" if dates[row] == dates[row - 1] else "comes before"
        raise ReportgenError(
            f"{path}: line {_line(row)}: date {dates[row]:%Y-%m-%d} {problem} the previous "
            "row's date; rows must be in ascending date order with one row per day."
        )
