"""A fund's holdings file as iShares publishes it (e.g. IWM's): the stock universe of the
report, with each stock's sector and weight.

The file: a UTF-8 byte-order mark, a preamble of fund facts, one header row starting
``Ticker,Name,Sector,Asset Class,…,Weight (%),…``, one row per holding, then a blank line
and a legal footer. Only equities with a ticker that is a plain symbol are kept.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from reportgen.config import read_text
from reportgen.errors import ReportgenError
from reportgen.tickers import TICKER

HEADER_START = "Ticker,Name,Sector,Asset Class"


def read_ishares_holdings(path: Path) -> pd.DataFrame:
    """Equity holdings indexed by ticker, columns ``name``, ``sector``, ``weight`` (a
    fraction of the fund), largest first."""
    text = read_text(path, "holdings file").lstrip("\ufeff")
    lines = text.splitlines()
    try:
        start = next(n for n, line in enumerate(lines) if line.startswith(HEADER_START))
    except StopIteration:
        raise ReportgenError(f"{path}: no '{HEADER_START},…' header row; is it a holdings "
                             "file as iShares publishes it?") from None
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            break  # the footer follows a blank line
        rows.append(line)
    reader = csv.DictReader(io.StringIO("\n".join([lines[start], *rows])))
    holdings = {}
    for number, row in enumerate(reader, start=start + 2):
        ticker = (row.get("Ticker") or "").strip().upper()
        if row.get("Asset Class") != "Equity" or not TICKER.match(ticker):
            continue
        try:
            weight = float((row.get("Weight (%)") or "").replace(",", "")) / 100
        except ValueError:
            raise ReportgenError(f"{path}: line {number}: weight {row.get('Weight (%)')!r} "
                                 "is not a number.") from None
        holdings[ticker] = {"name": row.get("Name", ""), "sector": row.get("Sector", ""),
                            "weight": weight}
    if not holdings:
        raise ReportgenError(f"{path}: no equity holdings in it.")
    table = pd.DataFrame.from_dict(holdings, orient="index").rename_axis("ticker")
    return table.sort_values("weight", ascending=False)
