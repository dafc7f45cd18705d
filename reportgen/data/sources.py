"""The three places prices come from, behind one small interface the store drives."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Protocol

import pandas as pd

from reportgen.data.csv_source import (
    FUNDAMENTALS_FILE,
    HOLDINGS_FILE,
    SECTOR_WEIGHTS_FILE,
    price_file,
    read_fundamentals_csv,
    read_price_csv,
    read_weights_csv,
)
from reportgen.data.model import (
    HOLDING_COLUMNS,
    SECTOR_WEIGHT_COLUMNS,
    FundData,
    empty_fundamentals,
    empty_holdings,
    empty_sector_weights,
)
from reportgen.errors import ReportgenError
from reportgen.tickers import find_ticker_file


class Source(Protocol):
    key: str  # the store's folder for this source
    label: str  # how reports and tables name it
    is_sample: bool
    is_remote: bool  # remote sources are topped up by date; file sources by fingerprint

    def fingerprint(self, ticker: str) -> str:
        """Changes whenever the source's data for ``ticker`` may have changed."""
        ...

    def has(self, ticker: str) -> bool:
        """Whether the source can be asked for ``ticker`` at all."""
        ...

    def fetch_prices(
        self, tickers: list[str], since: dict[str, pd.Timestamp | None]
    ) -> dict[str, pd.DataFrame]:
        """Daily prices per ticker, from ``since[ticker]`` (inclusive) or all history."""
        ...

    def fetch_fundamentals(self, tickers: list[str]) -> FundData: ...

    def locate(self, ticker: str, position: int) -> str:
        """Where row ``position`` of the prices fetched for ``ticker`` came from (for
        errors: a file and line, or the service)."""
        ...


class CsvSource:
    """A directory of vendor CSV exports (see README for the format)."""

    is_remote = False

    def __init__(self, directory: Path, *, is_sample: bool = False,
                 label: str | None = None) -> None:
        self.directory = directory.resolve()
        if not self.directory.is_dir():
            raise ReportgenError(
                f"--source csv:{directory}: no such directory. Give a folder of CSV files, "
                "one per ticker, or use --source sample."
            )
        self.is_sample = is_sample
        digest = hashlib.sha256(str(self.directory).encode()).hexdigest()[:12]
        self.key = "sample" if is_sample else f"csv-{digest}"
        # The label is printed for clients: never the folder, which is the firm's business.
        self.label = label or ("bundled sample data" if is_sample else "vendor price files")

    def has(self, ticker: str) -> bool:
        return find_ticker_file(self.directory, ticker, ".csv") is not None

    def fingerprint(self, ticker: str) -> str:
        stat = price_file(self.directory, ticker).stat()
        return f"{stat.st_mtime_ns}:{stat.st_size}"

    def fetch_prices(
        self, tickers: list[str], since: dict[str, pd.Timestamp | None]
    ) -> dict[str, pd.DataFrame]:
        # Local files are cheap to read whole, and a vendor may have revised old rows.
        return {ticker: read_price_csv(price_file(self.directory, ticker)) for ticker in tickers}

    def locate(self, ticker: str, position: int) -> str:
        # The reader refuses blank lines and unordered dates, so row n is line n + 2.
        return f"{price_file(self.directory, ticker)}: line {position + 2}"

    def fetch_fundamentals(self, tickers: list[str]) -> FundData:
        """From the optional fundamentals.csv, sector_weights.csv and holdings.csv."""
        paths = [self.directory / name for name in (FUNDAMENTALS_FILE, SECTOR_WEIGHTS_FILE,
                                                    HOLDINGS_FILE)]
        return FundData(
            read_fundamentals_csv(paths[0]) if paths[0].is_file() else empty_fundamentals(),
            read_weights_csv(paths[1], SECTOR_WEIGHT_COLUMNS) if paths[1].is_file()
            else empty_sector_weights(),
            read_weights_csv(paths[2], HOLDING_COLUMNS) if paths[2].is_file()
            else empty_holdings(),
        ).only(tickers)


def sample_directory() -> Path:
    return Path(str(resources.files("reportgen.data") / "sample"))


def open_source(spec: str, label: str | None = None) -> Source:
    """``sample``, ``csv:DIR`` or ``yfinance``; ``label`` is how reports name it (the
    config's ``source_label``; each kind has a default)."""
    if spec == "sample":
        return CsvSource(sample_directory(), is_sample=True)
    if spec.startswith("csv:"):
        return CsvSource(Path(spec.removeprefix("csv:")).expanduser(), label=label)
    if spec == "yfinance":
        from reportgen.data.yahoo_source import YahooSource  # yfinance is slow to import

        source = YahooSource()
        if label:
            source.label = label
        return source
    raise ReportgenError(
        f"Unknown --source {spec!r}: use 'sample', 'csv:DIR' (a folder of CSV files) or 'yfinance'."
    )
