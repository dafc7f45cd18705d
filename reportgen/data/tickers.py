"""Ticker spelling: Yahoo symbols carry a caret for indices, file names do not."""

from pathlib import Path


def file_stem(ticker: str) -> str:
    """``^IRX`` is stored as ``IRX.csv``."""
    return ticker.lstrip("^").upper()


def find_ticker_file(directory: Path, ticker: str, suffix: str) -> Path | None:
    path = directory / f"{file_stem(ticker)}{suffix}"
    return path if path.is_file() else None
