"""Universes of any size: an iShares holdings file as the universe, the best and worst ten,
the month by sector, breadth across the whole universe."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reportgen.charts import report_charts
from reportgen.config import Config
from reportgen.data.holdings import read_ishares_holdings
from reportgen.data.model import MarketData
from reportgen.data.sources import sample_directory
from reportgen.metrics.report import compute_report_figures
from reportgen.render.narrative import write_narrative
from tests.conftest import REAL_PRICES, run_cli

SECTORS = ["Industrials", "Financials", "Health Care", "Information Technology",
           "Consumer Discretionary", "Real Estate"]
PREAMBLE = ('\ufeffiShares Russell 2000 ETF\nFund Holdings as of,"May 05, 2026"\n'
            'Inception Date,"May 22, 2000"\n \n')
HEADER = ("Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,"
          "Price,Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date\n")


def holdings_file(path: Path, tickers: list[str]) -> Path:
    rows = [f'"{t}","{t} CORP","{SECTORS[n % len(SECTORS)]}","Equity","1,000.00",'
            f'"{100 / len(tickers):.4f}","1,000.00","10.00","100.00","United States","NYSE",'
            '"USD","1.00","USD","-"' for n, t in enumerate(tickers)]
    rows.append('"RTYM6","RUSSELL 2000 EMINI","Cash and/or Derivatives","Futures","0.00",'
                '"0.00","1.00","1.00","1.00","-","CME","USD","1.00","USD","-"')
    path.write_text(PREAMBLE + HEADER + "\n".join(rows) + '\n \n"The content contained herein'
                    ' is owned or licensed by BlackRock"\n', encoding="utf-8")
    return path


def synthetic_closes(count: int, days: pd.DatetimeIndex, seed: int = 7) -> dict[str, pd.Series]:
    rng = np.random.default_rng(seed)
    moves = rng.normal(0.0004, 0.02, size=(len(days), count))
    levels = 50 * np.exp(np.cumsum(moves, axis=0))
    return {f"S{n:03d}": pd.Series(levels[:, n], index=days) for n in range(count)}


def test_the_real_ishares_file_is_read_as_published() -> None:
    path = REAL_PRICES.parent / "reference" / "ishares_iwm_holdings" / "IWM_holdings_2026-05-05.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found (the shared market-data folder)")
    holdings = read_ishares_holdings(path)
    assert holdings.index[0] == "BE" and holdings.loc["BE", "sector"] == "Industrials"
    assert holdings.loc["BE", "weight"] == pytest.approx(0.0193)
    assert 1_850 <= len(holdings) <= 1_924  # equities with a plain ticker ("-" rows dropped)
    assert "RTYM6" not in holdings.index  # the futures row
    assert 0.98 < holdings["weight"].sum() < 1.0
    assert holdings["sector"].nunique() == 11


def test_a_600_stock_universe_shows_the_ends_the_sectors_and_breadth(sample_data) -> None:
    days = sample_data.adj_close("IWM").index
    closes = synthetic_closes(600, days)
    sectors = {t: SECTORS[n % len(SECTORS)] for n, t in enumerate(closes)}
    prices = {**sample_data.prices, **{t: pd.DataFrame({"adj_close": s, "close": s})
                                       for t, s in closes.items()}}
    fundamentals = pd.concat([sample_data.fundamentals,
                              pd.DataFrame({"sector": sectors}).rename_axis("ticker")])
    data = MarketData(prices=prices, fundamentals=fundamentals, source="test")
    ins = Config().instruments.model_copy(update={"universe": list(closes)})
    as_of = pd.Timestamp("2026-10-30")
    figures = compute_report_figures(data, ins, as_of)
    assert len(figures.leaders_month) == 600
    month = pd.Series({t: s[:as_of].iloc[-1] / s[:"2026-09-30"].iloc[-1] - 1
                       for t, s in closes.items()})
    assert figures.leaders_month.iloc[0] == pytest.approx(month.max())
    table = figures.sector_month
    assert list(table["stocks"]) == [100] * 6
    by_hand = month.groupby(month.index.map(sectors)).median()
    for sector, row in table.iterrows():
        assert row["median"] == pytest.approx(by_hand[sector])
    above = np.mean([s[:as_of].iloc[-1] > s[:as_of].iloc[-200:].mean() for s in closes.values()])
    assert figures.quality.share_above_200d == pytest.approx(above)
    assert figures.quality.dispersion_ytd is not None
    chart = report_charts.leaders(figures, figures.leaders_month, "October")
    assert chart is not None
    assert chart.axes[0].get_title(loc="left") == "October: best and worst 10 of 600"
    assert len(chart.axes[0].patches) == 20
    text = " ".join(write_narrative(figures, ins).texts("leaders"))
    assert "Of the universe's 600 stocks with prices this month" in text
    assert not any("No price data for S" in note for note in figures.missing)


def test_a_holdings_file_names_the_universe_of_a_build(tmp_path: Path,
                                                       stub_renderer: list[str]) -> None:
    folder = tmp_path / "csv"
    shutil.copytree(sample_directory(), folder)
    days = pd.read_csv(folder / "IWM.csv", parse_dates=["date"])["date"]
    closes = synthetic_closes(36, pd.DatetimeIndex(days))
    for ticker, series in closes.items():
        pd.DataFrame({"date": series.index.strftime("%Y-%m-%d"), "close": series.round(4),
                      "adj_close": series.round(4)}).to_csv(folder / f"{ticker}.csv",
                                                            index=False)
    listed = [*closes, "NOPX1", "NOPX2"]  # two holdings without prices
    (tmp_path / "reportgen.yaml").write_text(
        f"universe_file: {holdings_file(tmp_path / 'IWM_holdings.csv', listed)}\n")
    result = run_cli("build", "--source", f"csv:{folder}", "--out", str(tmp_path / "out"),
                     "--config", str(tmp_path / "reportgen.yaml"), "--store",
                     str(tmp_path / "store"))
    assert result.exit_code == 0, result.stderr
    [html] = stub_renderer
    assert "2 of the universe&#39;s 38 stocks have no prices from this source" in html
    assert "by sector" in html and "Information Technology" in html


def test_the_leaders_values_never_run_into_the_names_or_off_the_chart(sample_data) -> None:
    """With 600 stocks the leaders' names are long ("S123 · Information Technology"): each
    bar's value stands clear of every name, and the chart shows all it draws. (Values given
    room as a share of the data's range ran off the chart, and up to the names, when the
    plot was narrowed to fit the names: a layout to test with this.)"""
    from tests.test_charts import assert_cropped_as_matplotlib_would

    days = sample_data.adj_close("IWM").index
    closes = synthetic_closes(600, days)
    prices = {**sample_data.prices, **{t: pd.DataFrame({"adj_close": s, "close": s})
                                       for t, s in closes.items()}}
    sectors = pd.DataFrame({"sector": {t: SECTORS[n % len(SECTORS)]
                                       for n, t in enumerate(closes)}}).rename_axis("ticker")
    data = MarketData(prices=prices, source="test",
                      fundamentals=pd.concat([sample_data.fundamentals, sectors]))
    ins = Config().instruments.model_copy(update={"universe": list(closes)})
    figures = compute_report_figures(data, ins, pd.Timestamp("2026-10-30"))
    for returns, when in ((figures.leaders_month, "October"), (figures.leaders_ytd, "YTD")):
        chart = report_charts.leaders(figures, returns, when)
        assert chart is not None
        assert_cropped_as_matplotlib_would(when, chart)  # drawn, so laid out as shown
        ax = chart.axes[0]
        gap = 2 * chart.dpi / 72  # two points
        names = [label.get_window_extent().padded(gap) for label in ax.get_yticklabels()]
        values = [text.get_window_extent() for text in ax.texts]
        assert len(values) == 20 and len(names) == 20
        for value in values:
            assert not any(value.overlaps(name) for name in names), (when, value)
