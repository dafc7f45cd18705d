from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
import yfinance as yf

REPO = Path(__file__).resolve().parent.parent
REAL_PRICES = Path(os.environ.get("REPORTGEN_REAL_PRICES",
                                  REPO.parent / "shared" / "market-data" / "prices"))


@pytest.fixture(scope="session", autouse=True)
def _yfinance_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep yfinance's time-zone and cookie caches out of the user's home."""
    yf.set_tz_cache_location(str(tmp_path_factory.mktemp("yfinance-cache")))


@pytest.fixture(autouse=True)
def _private_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    store = tmp_path / "store"
    monkeypatch.setenv("REPORTGEN_STORE", str(store))
    return store


@pytest.fixture(scope="session")
def real_prices() -> Path:
    if not (REAL_PRICES / "SPY.csv").is_file():
        pytest.skip(f"real price files not found at {REAL_PRICES} "
                    "(set REPORTGEN_REAL_PRICES to the shared market-data/prices folder)")
    return REAL_PRICES


def series(values: dict[str, float]) -> pd.Series:
    """A close series from {"YYYY-MM-DD": price}."""
    return pd.Series(values, dtype=float).set_axis(pd.DatetimeIndex(list(values)))


def from_returns(start: str, returns: list[float], level: float = 100.0) -> pd.Series:
    """Closes on consecutive business days from ``start`` with the given daily returns."""
    days = pd.bdate_range(start, periods=len(returns) + 1)
    closes = [level]
    for r in returns:
        closes.append(closes[-1] * (1 + r))
    return pd.Series(closes, index=days)
