"""Ticker spelling: Yahoo's symbols, which carry a caret for indices; file names do not."""

import re
from pathlib import Path

from reportgen.errors import ReportgenError

# Letters, digits, '.', '-', '=' and a leading '^' (IWM, BRK-B, EURUSD=X, ^IRX). Nothing else,
# so a ticker can never name a path ('/', '..').
TICKER = re.compile(r"^\^?[A-Z0-9][A-Z0-9.=-]{0,19}$")


def check_ticker(ticker: str) -> str:
    """``ticker`` upper-cased; an error when it is not a plain symbol."""
    symbol = ticker.strip().upper()
    if not TICKER.match(symbol) or ".." in symbol:
        raise ReportgenError(f"{ticker!r} is not a ticker: use letters, digits, '.', '-', '=' "
                             "and a leading '^' (e.g. IWM, BRK-B, ^TNX).")
    return symbol


def file_stem(ticker: str) -> str:
    """``^IRX`` is stored as ``IRX.csv``."""
    return check_ticker(ticker).lstrip("^")


def find_ticker_file(directory: Path, ticker: str, suffix: str) -> Path | None:
    path = directory / f"{file_stem(ticker)}{suffix}"
    return path if path.is_file() else None
