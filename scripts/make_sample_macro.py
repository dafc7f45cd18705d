"""Regenerate the bundled sample macro series in reportgen/data/sample/macro/.

Synthetic and deterministic, like the sample prices: a policy-rate path and NBER recession
months set by hand to the shape of the real record, a high-yield spread and a VIX drawn from
mean-reverting processes that jump in the recessions, size-decile returns since 1926 from a
two-factor model, and a small- and large-cap forward P/E history. Written in the publishers'
own file formats (FRED's CSV download; Kenneth French's CSV with its preamble; a vendor file of
``date,measure,value``), so the sample exercises the same readers as real data. Nothing in it
is a market figure; every report built from it says so.

    python scripts/make_sample_macro.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent.parent / "reportgen" / "data" / "sample" / "macro"
SEED = 20261122
END = "2026-10-30"
# NBER business-cycle dates (peak month + 1 to trough month): public facts, not data.
RECESSIONS = [("1929-09", "1933-03"), ("1937-06", "1938-06"), ("1945-03", "1945-10"),
              ("1948-12", "1949-10"), ("1953-08", "1954-05"), ("1957-09", "1958-04"),
              ("1960-05", "1961-02"), ("1970-01", "1970-11"), ("1973-12", "1975-03"),
              ("1980-02", "1980-07"), ("1981-08", "1982-11"), ("1990-08", "1991-03"),
              ("2001-04", "2001-11"), ("2008-01", "2009-06"), ("2020-03", "2020-04")]
# Upper bound of the target range (percent) from each date: the shape of the real path.
TARGET_STEPS = [("2008-12-16", 0.25), ("2015-12-17", 0.50), ("2016-12-15", 0.75),
                ("2017-03-16", 1.00), ("2017-06-15", 1.25), ("2017-12-14", 1.50),
                ("2018-03-22", 1.75), ("2018-06-14", 2.00), ("2018-09-27", 2.25),
                ("2018-12-20", 2.50), ("2019-08-01", 2.25), ("2019-09-19", 2.00),
                ("2019-10-31", 1.75), ("2020-03-04", 1.25), ("2020-03-16", 0.25),
                ("2022-03-17", 0.50), ("2022-05-05", 1.00), ("2022-06-16", 1.75),
                ("2022-07-28", 2.50), ("2022-09-22", 3.25), ("2022-11-03", 4.00),
                ("2022-12-15", 4.50), ("2023-02-02", 4.75), ("2023-03-23", 5.00),
                ("2023-05-04", 5.25), ("2023-07-27", 5.50), ("2024-09-19", 5.00),
                ("2024-11-08", 4.75), ("2024-12-19", 4.50), ("2025-09-18", 4.25),
                ("2025-10-30", 4.00), ("2025-12-11", 3.75)]


def recession_flags(months: pd.DatetimeIndex) -> pd.Series:
    flags = pd.Series(0, index=months)
    for first, last in RECESSIONS:
        flags[(months >= pd.Timestamp(first)) & (months <= pd.Timestamp(last))] = 1
    return flags


def fred_file(name: str, series: pd.Series, decimals: int) -> None:
    frame = pd.DataFrame({"observation_date": series.index.strftime("%Y-%m-%d"),
                          name: series.round(decimals).to_numpy()})
    frame.to_csv(OUT / "fred" / f"{name}.csv", index=False)


def mean_reverting(days: pd.DatetimeIndex, level: float, speed: float, vol: float,
                   stress: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    values = np.empty(len(days))
    value = level
    for n in range(len(days)):
        target = level * (2.2 if stress[n] else 1.0)
        value += speed * (target - value) + vol * value * rng.standard_normal()
        values[n] = max(value, level * 0.4)
    return values


def main() -> None:
    rng = np.random.default_rng(SEED)
    (OUT / "fred").mkdir(parents=True, exist_ok=True)
    (OUT / "french").mkdir(parents=True, exist_ok=True)

    months = pd.date_range("1926-07-01", END, freq="MS")
    usrec = recession_flags(months)
    fred_file("USREC", usrec[usrec.index >= "1960-01-01"], 0)

    days = pd.bdate_range("2008-12-16", END)
    steps = pd.Series({pd.Timestamp(d): v for d, v in TARGET_STEPS})
    upper = steps.reindex(days, method="ffill")
    fred_file("DFEDTARU", upper, 2)
    fred_file("DFEDTARL", upper - 0.25, 2)

    daily = pd.bdate_range("1997-01-02", END)
    stressed = recession_flags(daily.to_period("M").to_timestamp()).to_numpy() == 1
    fred_file("BAMLH0A0HYM2", pd.Series(mean_reverting(daily, 4.6, 0.01, 0.012, stressed, rng),
                                        index=daily), 2)
    vix_days = pd.bdate_range("1990-01-02", END)
    vix_stress = recession_flags(vix_days.to_period("M").to_timestamp()).to_numpy() == 1
    fred_file("VIXCLS", pd.Series(mean_reverting(vix_days, 17.0, 0.03, 0.045, vix_stress, rng),
                                  index=vix_days), 2)

    # Size deciles: market plus a size factor that pays on average and suffers in stress.
    market = rng.normal(0.009, 0.045, len(months)) - 0.03 * usrec.to_numpy()
    size = rng.normal(0.0015, 0.03, len(months)) - 0.01 * usrec.to_numpy()
    rows = []
    for month, m, s in zip(months, market, size, strict=True):
        deciles = [m + s * (1 - d / 4.5) + rng.normal(0, 0.01) for d in range(10)]
        rows.append(f"{month:%Y%m}," + ",".join(f"{100 * r:8.2f}" for r in deciles))
    header = ",Lo 10,Dec 2,Dec 3,Dec 4,Dec 5,Dec 6,Dec 7,Dec 8,Dec 9,Hi 10"
    (OUT / "french" / "Portfolios_Formed_on_ME.csv").write_text(
        "This file is synthetic sample data in the layout of the library's file.\n\n"
        "  Value Weight Returns -- Monthly\n" + header + "\n" + "\n".join(rows) + "\n\n"
        "  Equal Weight Returns -- Monthly\n" + header + "\n")

    pe_months = pd.date_range("2005-01-31", END, freq="ME")
    small = 17 + np.cumsum(rng.normal(0, 0.6, len(pe_months))) * 0.3
    large = 16 + np.cumsum(rng.normal(0.01, 0.4, len(pe_months))) * 0.3
    history = pd.concat([
        pd.DataFrame({"date": pe_months.strftime("%Y-%m-%d"),
                      "measure": "Russell 2000 forward P/E (sample)", "value": small.round(1)}),
        pd.DataFrame({"date": pe_months.strftime("%Y-%m-%d"),
                      "measure": "S&P 500 forward P/E (sample)", "value": large.round(1)})])
    history.to_csv(OUT / "valuation_history.csv", index=False)


if __name__ == "__main__":
    main()
