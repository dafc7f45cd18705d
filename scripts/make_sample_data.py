"""Regenerate the bundled sample data set in reportgen/data/sample/.

The sample is synthetic and deterministic: daily returns from a small factor model (market,
size, value, ex-US and rates factors with calm and stressed volatility regimes) drawn from a
fixed seed, on a NYSE-like calendar from 2013-01-02 to 2026-10-30. Rates follow hand-set
anchor points shaped like the real path of US yields, plus noise. Nothing in it is a market
price; the fund fundamentals in fundamentals.csv are hand-written illustrative figures and
are not touched by this script; every report built from it says so on every page.

    python scripts/make_sample_data.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.holiday import (
    AbstractHolidayCalendar,
    GoodFriday,
    Holiday,
    USLaborDay,
    USMartinLutherKingJr,
    USMemorialDay,
    USPresidentsDay,
    USThanksgivingDay,
    nearest_workday,
)
from pandas.tseries.offsets import CustomBusinessDay

OUT = Path(__file__).resolve().parent.parent / "reportgen" / "data" / "sample"
SEED = 20260218
START, END = "2013-01-02", "2026-10-30"


class ExchangeHolidays(AbstractHolidayCalendar):
    rules = [  # noqa: RUF012 (pandas reads this class attribute)
        Holiday("New Year", month=1, day=1, observance=nearest_workday),
        USMartinLutherKingJr, USPresidentsDay, GoodFriday, USMemorialDay,
        Holiday("Juneteenth", month=6, day=19, start_date="2022-01-01",
                observance=nearest_workday),
        Holiday("Independence Day", month=7, day=4, observance=nearest_workday),
        USLaborDay, USThanksgivingDay,
        Holiday("Christmas", month=12, day=25, observance=nearest_workday),
    ]


# ticker: (start level, market beta, size, value, ex-US, idiosyncratic annual vol, annual drift)
FUNDS = {
    "SPY": (145.0, 1.00, 0.00, 0.00, 0.0, 0.010, 0.000),
    "^GSPC": (1460.0, 1.00, 0.00, 0.00, 0.0, 0.002, -0.015),  # price index: no dividends
    "IWB": (80.0, 1.00, 0.08, 0.00, 0.0, 0.012, 0.000),
    "QQQ": (66.0, 1.15, -0.05, -0.45, 0.0, 0.030, 0.020),
    "IWM": (85.0, 1.10, 1.00, 0.10, 0.0, 0.015, 0.000),
    "^RUT": (870.0, 1.10, 1.00, 0.10, 0.0, 0.004, -0.013),
    "IJR": (38.0, 1.05, 0.90, 0.25, 0.0, 0.020, 0.010),
    "VTWO": (40.0, 1.10, 1.00, 0.10, 0.0, 0.016, -0.001),
    "AVUV": (55.0, 1.10, 1.00, 0.80, 0.0, 0.030, 0.015),
    "VBR": (65.0, 1.05, 0.60, 0.50, 0.0, 0.020, 0.005),
    "IJS": (50.0, 1.10, 0.90, 0.70, 0.0, 0.025, 0.000),
    "ACWX": (42.0, 0.80, 0.05, 0.15, 1.0, 0.020, -0.010),
    "ICHR": (12.0, 1.40, 1.10, 0.00, 0.0, 0.450, 0.040),
    "CC": (20.0, 1.30, 1.00, 0.30, 0.0, 0.400, 0.000),
    "POWL": (15.0, 1.10, 1.00, 0.20, 0.0, 0.380, 0.120),
    "BE": (10.0, 1.60, 1.20, -0.40, 0.0, 0.600, 0.050),
    "CRM": (45.0, 1.15, -0.10, -0.40, 0.0, 0.250, 0.020),
    "NOW": (22.0, 1.20, -0.10, -0.50, 0.0, 0.280, 0.080),
    "ADBE": (38.0, 1.15, -0.10, -0.45, 0.0, 0.250, 0.030),
}
FIRST_DAY = {"AVUV": "2019-09-26"}

# Anchor points (date, percent) for the 13-week bill and the 10-year yield.
BILL_ANCHORS = [("2013-01-02", 0.07), ("2015-12-01", 0.20), ("2016-12-15", 0.50),
                ("2018-12-20", 2.40), ("2019-07-31", 2.05), ("2019-12-31", 1.52),
                ("2020-03-20", 0.05), ("2021-12-31", 0.05), ("2022-06-15", 1.50),
                ("2022-12-31", 4.30), ("2023-08-01", 5.25), ("2024-08-30", 5.05),
                ("2024-12-31", 4.30), ("2025-08-29", 4.10), ("2025-12-31", 3.60),
                ("2026-10-30", 3.70)]
TEN_YEAR_ANCHORS = [("2013-01-02", 1.85), ("2013-12-31", 3.00), ("2016-07-08", 1.37),
                    ("2018-10-05", 3.23), ("2019-08-30", 1.50), ("2020-03-09", 0.54),
                    ("2020-08-04", 0.51), ("2021-12-31", 1.51), ("2022-10-21", 4.22),
                    ("2023-10-19", 4.99), ("2024-09-16", 3.62), ("2025-01-13", 4.79),
                    ("2025-09-16", 4.03), ("2026-10-30", 4.15)]


def trading_days() -> pd.DatetimeIndex:
    return pd.date_range(START, END, freq=CustomBusinessDay(calendar=ExchangeHolidays()))


def factor_returns(days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    count = len(days)
    stressed = np.zeros(count, dtype=bool)
    for first, last in [("2015-08-17", "2016-02-29"), ("2018-10-01", "2018-12-31"),
                        ("2020-02-20", "2020-06-30"), ("2022-01-03", "2022-10-31"),
                        ("2025-03-03", "2025-05-15")]:
        stressed |= (days >= first) & (days <= last)
    market_vol = np.where(stressed, 0.32, 0.13) / np.sqrt(252)
    market = rng.standard_t(5, count) * np.sqrt(3 / 5) * market_vol + 0.15 / 252
    market[stressed] -= 0.15 / 252
    size = rng.normal(-0.005 / 252, 0.075 / np.sqrt(252), count)
    value = rng.normal(0.0, 0.06 / np.sqrt(252), count)
    world = rng.normal(-0.02 / 252, 0.09 / np.sqrt(252), count)
    return pd.DataFrame({"market": market, "size": size, "value": value, "world": world},
                        index=days)


def yields(days: pd.DatetimeIndex, anchors: list[tuple[str, float]], noise: float,
           rng: np.random.Generator) -> pd.Series:
    points = pd.Series({pd.Timestamp(d): v for d, v in anchors})
    path = points.reindex(points.index.union(days)).interpolate("time").reindex(days)
    wiggle = pd.Series(rng.normal(0, noise, len(days)), index=days).rolling(10, 1).mean()
    return (path + wiggle).clip(lower=0.01).round(3)


def write_prices(ticker: str, closes: pd.Series) -> None:
    text = closes.round(4).map("{:.4f}".format)
    frame = pd.DataFrame({"date": closes.index.strftime("%Y-%m-%d"), "open": "", "high": "",
                          "low": "", "close": text.to_numpy(), "adj_close": text.to_numpy(),
                          "volume": ""})
    frame.to_csv(OUT / f"{ticker.lstrip('^')}.csv", index=False)


def main() -> None:
    rng = np.random.default_rng(SEED)
    days = trading_days()
    factors = factor_returns(days, rng)
    bills = yields(days, BILL_ANCHORS, 0.03, rng)
    ten_year = yields(days, TEN_YEAR_ANCHORS, 0.05, rng)
    # Small caps carry more floating-rate debt: they suffer more when yields jump.
    factors["size"] -= 0.35 * ten_year.diff().fillna(0) / 100 * 10
    OUT.mkdir(parents=True, exist_ok=True)
    for ticker, (level, beta, size, value, world, idio, drift) in FUNDS.items():
        noise = rng.normal(0, idio / np.sqrt(252), len(days))
        daily = (beta * factors["market"] + size * factors["size"] + value * factors["value"]
                 + world * factors["world"] + noise + (drift + idio**2 / 2) / 252)
        closes = level * np.exp(np.log1p(daily).cumsum())
        write_prices(ticker, closes[closes.index >= FIRST_DAY.get(ticker, START)])
    write_prices("^IRX", bills)
    write_prices("^TNX", ten_year)



if __name__ == "__main__":
    main()
