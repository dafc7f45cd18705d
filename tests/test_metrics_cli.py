"""``reportgen metrics`` end to end: the JSON contract, on real and on sample data."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reportgen.cli import app
from tests import independent

AS_OF = date(2026, 2, 18)
TICKERS = ["IWM", "IJR", "VTWO", "SPY", "QQQ", "IWB", "ACWX", "AVUV", "VBR", "IJS"]


def run_metrics(*args: str) -> dict:
    result = CliRunner().invoke(app, ["metrics", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def real_summary(real_prices: Path) -> dict:
    return run_metrics("--source", f"csv:{real_prices}", "--as-of", f"{AS_OF}",
                       "--since", "2024-11-05")


def test_returns_match_an_independent_computation(real_summary: dict, real_prices: Path
                                                  ) -> None:
    assert real_summary["as_of"] == "2026-02-18"
    assert real_summary["returns"]["SPY"]["YTD"] == pytest.approx(0.0064, abs=5e-5)
    for ticker in TICKERS:
        dates, closes = independent.read_closes(real_prices / f"{ticker}.csv")
        for period in ["MTD", "1M", "3M", "6M", "YTD", "1Y", "3Y", "5Y", "10Y", "SINCE"]:
            start = (date(2024, 11, 5) if period == "SINCE"
                     else independent.start_of(period, AS_OF))
            expected = independent.period_return(dates, closes, start, AS_OF)
            got = real_summary["returns"][ticker][period]
            if expected is None:
                assert got is None, (ticker, period)
                continue
            assert got == pytest.approx(expected[0], rel=1e-8, abs=1e-9), (ticker, period)
            if period in ("3Y", "5Y", "10Y", "SINCE"):
                total, days = expected
                annual = (1 + total) ** (365.25 / days) - 1 if days >= 365 else None
                assert real_summary["annualized"][ticker][period] == pytest.approx(annual)


def test_risk_matches_an_independent_computation(real_summary: dict, real_prices: Path
                                                 ) -> None:
    start = independent.start_of("1Y", AS_OF)
    irx_dates, irx = independent.read_closes(real_prices / "IRX.csv")
    bills = [y for d, y in zip(irx_dates, irx, strict=True) if start < d <= AS_OF]
    for ticker in TICKERS:
        dates, closes = independent.read_closes(real_prices / f"{ticker}.csv")
        year = independent.window(dates, closes, start, AS_OF)
        vol = independent.volatility(year)
        risk = real_summary["risk"][ticker]
        assert risk["volatility_1y"] == pytest.approx(vol, rel=1e-8)
        assert risk["max_drawdown_1y"] == pytest.approx(independent.max_drawdown(year))
        total, days = independent.period_return(dates, closes, start, AS_OF)
        annual = (1 + total) ** (365.25 / days) - 1
        sharpe = (annual - sum(bills) / len(bills) / 100) / vol
        assert risk["sharpe_1y"] == pytest.approx(sharpe, rel=1e-8)


def test_relative_strength_matches_an_independent_computation(real_summary: dict,
                                                              real_prices: Path) -> None:
    large = independent.read_closes(real_prices / "SPY.csv")
    for small_ticker in ("IWM", "IJR"):
        small = independent.read_closes(real_prices / f"{small_ticker}.csv")
        relative = real_summary["relative"][f"{small_ticker}/SPY"]
        length, last_as_long = independent.streak(small, large, AS_OF)
        assert relative["streak"] == length
        assert relative["streak_last_as_long"] == (last_as_long and f"{last_as_long}")
        for months, key in ((6, "spread_6m"), (12, "spread_12m")):
            start = independent.months_back(AS_OF, months)
            spread = (independent.period_return(*small, start, AS_OF)[0]
                      - independent.period_return(*large, start, AS_OF)[0])
            assert relative[key] == pytest.approx(spread)
    # Streaks at other dates exercise the "last as long" search on real data.
    for as_of in ("2026-01-22", "2025-07-16", "2024-07-16"):
        summary = run_metrics("--source", f"csv:{real_prices}", "--as-of", as_of,
                              "--tickers", "IWM")
        small = independent.read_closes(real_prices / "IWM.csv")
        length, last = independent.streak(small, large, date.fromisoformat(as_of))
        assert summary["relative"]["IWM/SPY"]["streak"] == length
        assert summary["relative"]["IWM/SPY"]["streak_last_as_long"] == (last and f"{last}")


def test_json_contract_nulls_and_since(real_summary: dict) -> None:
    assert set(real_summary) >= {"as_of", "returns", "annualized", "relative", "risk"}
    assert real_summary["returns"]["AVUV"]["10Y"] is None  # launched 2019
    assert real_summary["annualized"]["AVUV"]["10Y"] is None
    plain = run_metrics("--source", "sample", "--as-of", "2026-02-18")
    assert all("SINCE" not in row for row in plain["returns"].values())
    assert "SINCE" in real_summary["returns"]["SPY"]


def test_sample_source_works_offline_and_is_marked() -> None:
    summary = run_metrics("--source", "sample")
    assert summary["sample_data"] is True
    assert summary["as_of"] == "2026-10-30"
    assert summary["valuation"]["IWM/SPY"]["trailing_pe"]["ratio"] == pytest.approx(19.6 / 27.4)


def test_stdout_holds_exactly_one_json_object() -> None:
    result = subprocess.run([sys.executable, "-m", "reportgen", "metrics", "--source",
                             "sample", "--format", "json", "--tickers", "IWM,SPY"],
                            capture_output=True, text=True, check=True)
    assert isinstance(json.loads(result.stdout), dict)
    assert result.stdout.count("\n") == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--tickers", "NOPE"], "Unknown ticker NOPE"),
    (["--as-of", "1999-01-04"], "--as-of 1999-01-04 is outside the data"),
    (["--as-of", "2026-11-20"], "--as-of 2026-11-20 is outside the data"),
    (["--as-of", "18/02/2026"], "YYYY-MM-DD"),
    (["--format", "xml"], "use table or json"),
])
def test_bad_input_gives_one_message_and_a_non_zero_exit(args: list[str], message: str
                                                         ) -> None:
    result = CliRunner().invoke(app, ["metrics", "--source", "sample", *args])
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_unknown_source_and_missing_folder() -> None:
    for source, message in (("bloomberg", "Unknown --source"), ("csv:/no/such", "no such")):
        result = CliRunner().invoke(app, ["metrics", "--source", source])
        assert result.exit_code == 1 and message in result.stderr
