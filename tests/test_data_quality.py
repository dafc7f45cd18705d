"""The data-quality gate between a source and the store, and withheld gaps."""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from reportgen.config import Config, DataQuality, Instruments
from reportgen.data.quality import PriceGate, find_gaps, withhold_gaps
from reportgen.data.sources import sample_directory
from reportgen.errors import ReportgenError
from reportgen.metrics.report import compute_report_figures
from reportgen.tickers import check_ticker
from tests.conftest import run_cli


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "csv"
    shutil.copytree(sample_directory(), folder)
    return folder


def edit_close(folder: Path, ticker: str, day: str, value: str) -> int:
    """Set one row's close and adjusted close; returns the row's line in the file."""
    lines = (folder / f"{ticker}.csv").read_text().splitlines()
    number = next(n for n, line in enumerate(lines) if line.startswith(day))
    cells = lines[number].split(",")
    cells[4] = cells[5] = value
    lines[number] = ",".join(cells)
    (folder / f"{ticker}.csv").write_text("\n".join(lines) + "\n")
    return number + 1


def metrics(folder: Path, store: Path, *extra: str):
    return run_cli("metrics", "--source", f"csv:{folder}", "--store", str(store),
                   "--as-of", "2026-10-30", *extra)


@pytest.mark.parametrize("value", ["inf", "-inf", "0", "-3.5"])
def test_impossible_prices_are_refused_with_file_and_line_and_nothing_is_stored(
        sample_copy: Path, tmp_path: Path, value: str) -> None:
    line = edit_close(sample_copy, "IWM", "2026-06-15", value)
    result = metrics(sample_copy, tmp_path / "store")
    assert result.exit_code == 1
    assert f"IWM.csv: line {line}: IWM close is {float(value):g} on 2026-06-15" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert not list((tmp_path / "store").rglob("*.parquet"))


def test_yields_may_be_zero_or_negative_but_not_infinite() -> None:
    frame = pd.DataFrame({"adj_close": [0.01, 0.0, -0.02]},
                         index=pd.bdate_range("2015-01-05", periods=3))
    PriceGate().refuse_impossible("^IRX", frame, str)
    with pytest.raises(ReportgenError, match="IWM close"):
        PriceGate().refuse_impossible("IWM", frame.rename(columns={"adj_close": "close"}), str)
    with pytest.raises(ReportgenError, match="IRX adj_close is inf"):
        PriceGate().refuse_impossible("^IRX", frame.replace(0.0, float("inf")), str)


def test_rows_dated_after_today_are_refused(sample_copy: Path, tmp_path: Path) -> None:
    gate = PriceGate(today=pd.Timestamp("2026-10-29").date())
    frame = pd.DataFrame({"adj_close": [10.0, 10.5]},
                         index=pd.DatetimeIndex(["2026-10-29", "2026-10-30"]))
    with pytest.raises(ReportgenError, match=r"file\.csv: line 3: IWM has a row dated "
                                             "2026-10-30, after today"):
        gate.refuse_impossible("IWM", frame, lambda row: f"file.csv: line {row + 2}")
    # Through the command line: the real clock, a row a year ahead.
    path = sample_copy / "SPY.csv"
    next_year = pd.Timestamp.now().year + 1
    path.write_text(path.read_text() + f"{next_year}-01-05,,,,600,600,\n")
    result = metrics(sample_copy, tmp_path / "store")
    assert result.exit_code == 1
    assert f"SPY has a row dated {next_year}-01-05, after today" in result.stderr


def test_a_bad_tick_stops_the_build_unless_the_config_acknowledges_that_day(
        sample_copy: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(sample_copy / "IWM.csv", index_col="date", parse_dates=True)
    hundredfold = f"{frame.loc['2026-06-15', 'close'] * 100:.4f}"
    edit_close(sample_copy, "IWM", "2026-06-15", hundredfold)
    result = metrics(sample_copy, tmp_path / "store")
    assert result.exit_code == 1
    assert re.search(r"IWM moved \+99\d\d\.\d% on 2026-06-15, beyond the 0.25 limit for a fund: "
                     "a suspected bad tick", result.stderr)
    config = tmp_path / "reportgen.yaml"
    config.write_text("data_quality:\n  acknowledged_moves:\n"
                      "    - {ticker: IWM, date: 2026-06-15, reason: checked}\n"
                      "    - {ticker: IWM, date: 2026-06-16, reason: checked}\n")
    result = metrics(sample_copy, tmp_path / "store", "--config", str(config))
    assert result.exit_code == 0, result.stderr


def test_limits_follow_the_instrument_kind() -> None:
    gate = PriceGate(Instruments(), DataQuality(max_daily_move={"stock": 0.5}))
    days = pd.bdate_range("2026-01-05", periods=3)
    gate.refuse_bad_ticks("BE", pd.Series([10.0, 14.0, 13.0], index=days))  # +40%: a stock
    with pytest.raises(ReportgenError, match=r"IWM moved \+40.0% on 2026-01-06, beyond the "
                                             "0.25 limit for a fund"):
        gate.refuse_bad_ticks("IWM", pd.Series([10.0, 14.0, 13.0], index=days))
    # Yields move in points: 4.0 → 4.9 is +0.9 points, not +22%.
    gate.refuse_bad_ticks("^TNX", pd.Series([4.0, 4.9, 4.8], index=days))
    with pytest.raises(ReportgenError, match=r"\^TNX moved \+2.50 points"):
        gate.refuse_bad_ticks("^TNX", pd.Series([4.0, 6.5, 4.8], index=days))


def test_an_acknowledged_move_does_not_excuse_the_next_one() -> None:
    from reportgen.config import AcknowledgedMove

    days = pd.bdate_range("2026-01-05", periods=5)
    closes = pd.Series([10.0, 20.0, 10.0, 0.0, 10.0], index=days)
    checked = AcknowledgedMove(ticker="IWM", date=days[1].date(), reason="checked")
    gate = PriceGate(Instruments(), DataQuality(acknowledged_moves=[checked]))
    with pytest.raises(ReportgenError, match=r"IWM moved −50.0% on 2026-01-07"):
        gate.refuse_bad_ticks("IWM", closes)
    both = [checked, AcknowledgedMove(ticker="IWM", date=days[2].date(), reason="checked")]
    with pytest.raises(ReportgenError, match=r"IWM moved −100.0% on 2026-01-08"):
        PriceGate(Instruments(), DataQuality(acknowledged_moves=both)).refuse_bad_ticks(
            "IWM", closes)
    moves = [AcknowledgedMove(ticker="IWM", date=d.date(), reason="checked") for d in days]
    # From a zero close the move is infinite, and refused like any other unless acknowledged.
    with pytest.raises(ReportgenError, match=r"IWM moved from a close of zero on 2026-01-09"):
        PriceGate(Instruments(), DataQuality(acknowledged_moves=moves[:4])).refuse_bad_ticks(
            "IWM", closes)
    PriceGate(Instruments(), DataQuality(acknowledged_moves=moves)).refuse_bad_ticks(
        "IWM", closes)


def test_the_real_prices_pass_the_gate_with_the_default_limits(real_prices: Path,
                                                               tmp_path: Path) -> None:
    from reportgen.data.sources import open_source
    from reportgen.data.store import Store

    source = open_source(f"csv:{real_prices}")
    tickers = [t for t in Config().instruments.all_tickers if source.has(t)]
    data = Store(tmp_path).load(source, tickers, gate=PriceGate())
    assert set(data.prices) == set(tickers)


def test_a_gap_withholds_the_figures_that_span_it_and_is_named(
        sample_copy: Path, tmp_path: Path, stub_renderer: list[str]) -> None:
    path = sample_copy / "IWM.csv"
    frame = pd.read_csv(path, dtype=str)
    dates = pd.to_datetime(frame["date"])
    missing = (dates >= "2026-05-01") & (dates < "2026-09-01")
    frame[~missing].to_csv(path, index=False)
    result = run_cli("build", "--source", f"csv:{sample_copy}", "--out", str(tmp_path / "out"),
                     "--store", str(tmp_path / "store"), "--month", "2026-09")
    assert result.exit_code == 0, result.stderr
    [html] = stub_renderer
    assert "IWM has no prices for 87 trading days between 30 Apr 2026 and 1 Sep 2026; " \
           "its figures for periods that reach back before 1 Sep 2026 are withheld." in html
    assert "IWM September 2026 return is not shown: the data notes say why." in html


def test_withheld_series_start_after_their_last_gap(sample_data) -> None:
    closes = sample_data.adj_close("IWM")
    holed = closes[(closes.index < "2026-05-01") | (closes.index >= "2026-09-01")]
    data = type(sample_data)(prices={**sample_data.prices,
                                     "IWM": sample_data.prices["IWM"].loc[holed.index]})
    [gap] = find_gaps("IWM", holed, 5)
    assert (gap.last_before, gap.first_after) == (pd.Timestamp("2026-04-30"),
                                                  pd.Timestamp("2026-09-01"))
    trimmed, notes = withhold_gaps(data, pd.Timestamp("2026-10-30"), 5)
    assert trimmed.adj_close("IWM").index[0] == pd.Timestamp("2026-09-01")
    assert trimmed.adj_close("SPY").equals(sample_data.adj_close("SPY"))
    assert len(notes) == 1
    figures = compute_report_figures(trimmed, Instruments(), pd.Timestamp("2026-10-30"), notes)
    assert figures.missing[0] == notes[0]
    assert figures.returns.loc["IWM", "MTD"] == pytest.approx(
        closes.iloc[-1] / closes[:"2026-09-30"].iloc[-1] - 1)
    assert figures.returns.loc["IWM", ["3M", "6M", "YTD", "1Y"]].isna().all()
    assert figures.pair is None  # relative strength needs 52 weeks on both sides
    # A gap after the as-of date is not in any period the report uses: the data is kept.
    kept, notes = withhold_gaps(data, pd.Timestamp("2026-04-30"), 5)
    assert kept is data and notes == []
    # Holidays and a long weekend are not gaps (9/11: four weekdays closed).
    nine_eleven = pd.Series([1.0, 1.0], index=pd.DatetimeIndex(["2001-09-10", "2001-09-17"]))
    assert find_gaps("X", nine_eleven, 5) == []


@pytest.mark.parametrize("ticker", ["../OUTSIDE/X", "A/B", "..", "IWM;rm", "", "^"])
def test_tickers_are_plain_symbols(ticker: str, sample_copy: Path, tmp_path: Path) -> None:
    with pytest.raises(ReportgenError, match="is not a ticker"):
        check_ticker(ticker)
    if ticker:
        result = run_cli("metrics", "--source", f"csv:{sample_copy}", "--tickers", ticker,
                         "--store", str(tmp_path / "store"))
        assert result.exit_code == 1
        assert "is not a ticker" in result.stderr
    assert [check_ticker(t) for t in ("iwm", "BRK-B", "^TNX", "EURUSD=X")] == [
        "IWM", "BRK-B", "^TNX", "EURUSD=X"]


def test_the_config_refuses_path_tickers_and_an_empty_pair_list(tmp_path: Path) -> None:
    for body, message in (("instruments:\n  universe: [../x/y]\n", "is not a ticker"),
                          ("instruments:\n  relative_pairs: []\n", "give at least one pair")):
        config = tmp_path / "c.yaml"
        config.write_text(body)
        result = run_cli("metrics", "--config", str(config))
        assert result.exit_code == 1
        assert message in result.stderr and "Traceback" not in result.stderr
