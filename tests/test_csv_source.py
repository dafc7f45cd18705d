from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.data.csv_source import read_fundamentals_csv, read_price_csv
from reportgen.errors import ReportgenError

HEADER = "date,open,high,low,close,adj_close,volume\n"
GOOD = HEADER + "2026-01-02,,,,10,10,\n2026-01-05,,,,11,11,\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_vendor_files_with_empty_fields(tmp_path: Path) -> None:
    frame = read_price_csv(write(tmp_path, "IWM.csv", GOOD))
    assert list(frame["adj_close"]) == [10.0, 11.0]
    assert frame["open"].isna().all()


def test_close_stands_in_only_when_adj_close_is_wholly_absent(tmp_path: Path) -> None:
    frame = read_price_csv(write(tmp_path, "X.csv", HEADER + "2026-01-02,,,,10,,\n"))
    assert frame["adj_close"].iloc[0] == 10.0
    partial = HEADER + "2026-01-02,,,,10,10,\n2026-01-05,,,,11,,\n"
    with pytest.raises(ReportgenError, match="line 3: column adj_close is empty"):
        read_price_csv(write(tmp_path, "Y.csv", partial))


@pytest.mark.parametrize(("text", "message"), [
    (HEADER + "2026-01-02,,,,10,10,\n2026-13-05,,,,11,11,\n",
     "line 3: bad date '2026-13-05'"),
    (HEADER + "2026-01-02,,,,10,ten,\n", "line 2: column adj_close holds 'ten', not a number"),
    (HEADER + "2026-01-02,,,,10,10,\n2026-01-02,,,,11,11,\n",
     "line 3: date 2026-01-02 repeats the previous row's date"),
    (HEADER + "2026-01-05,,,,10,10,\n2026-01-02,,,,11,11,\n",
     "line 3: date 2026-01-02 comes before the previous row's date"),
    ("date,close,volume\n2026-01-02,10,\n", "line 1: missing column.s. adj_close"),
    (HEADER, "the file has a header but no rows"),
    ("", "the file is empty"),
])
def test_malformed_files_name_the_file_and_line(tmp_path: Path, text: str, message: str
                                               ) -> None:
    path = write(tmp_path, "BAD.csv", text)
    with pytest.raises(ReportgenError, match=message) as caught:
        read_price_csv(path)
    assert str(caught.value).startswith(str(path))


def test_fundamentals_columns_and_errors(tmp_path: Path) -> None:
    frame = read_fundamentals_csv(write(
        tmp_path, "fundamentals.csv",
        "ticker,as_of,trailing_pe,pe_method\niwm,2026-02-18,19.5,ex-negative\n"))
    assert frame.at["IWM", "trailing_pe"] == 19.5
    assert frame.at["IWM", "as_of"] == pd.Timestamp("2026-02-18")
    assert frame.at["IWM", "pe_method"] == "ex-negative"
    assert frame.at["IWM", "forward_pe"] != frame.at["IWM", "forward_pe"]  # NaN: not given
    with pytest.raises(ReportgenError, match="line 3: ticker IWM appears twice"):
        read_fundamentals_csv(write(tmp_path, "f2.csv", "ticker,as_of\nIWM,2026-02-18\n"
                                                        "IWM,2026-02-18\n"))


def test_cli_reports_a_bad_file_once_on_stderr_and_exits_non_zero(tmp_path: Path) -> None:
    for ticker in ("IWM", "SPY", "IRX", "TNX"):
        write(tmp_path, f"{ticker}.csv", GOOD)
    write(tmp_path, "SPY.csv", HEADER + "2026-01-02,,,,10,10,\n2026-01-05,,,,x,y,\n")
    result = CliRunner().invoke(app, ["metrics", "--source", f"csv:{tmp_path}", "--tickers",
                                      "IWM,SPY", "--format", "json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "SPY.csv: line 3: column close holds 'x'" in result.stderr
    assert result.stderr.count("error:") == 1


def test_fund_composition_files_are_read_and_validated(tmp_path: Path) -> None:
    from reportgen.data.csv_source import read_weights_csv
    from reportgen.data.model import SECTOR_WEIGHT_COLUMNS

    frame = read_weights_csv(write(tmp_path, "sector_weights.csv",
                                   "fund,sector,weight\niwm,technology,0.15\n"),
                             SECTOR_WEIGHT_COLUMNS)
    assert frame.to_dict("records") == [{"fund": "IWM", "sector": "technology", "weight": 0.15}]
    with pytest.raises(ReportgenError, match="line 2: column weight holds '15%'"):
        read_weights_csv(write(tmp_path, "bad.csv", "fund,sector,weight\nIWM,tech,15%\n"),
                         SECTOR_WEIGHT_COLUMNS)


def test_the_fast_reader_and_the_cell_by_cell_reader_agree_on_every_file(
        real_prices: Path) -> None:
    """pyarrow reads a clean file; pandas, cell by cell, reads any other to name the bad
    line. On every real and sample price file both give the same frame."""
    from reportgen.data.csv_source import _prices_cell_by_cell, _typed_prices
    from reportgen.data.sources import sample_directory

    files = [*sorted(real_prices.glob("*.csv")), *sorted(sample_directory().glob("*.csv"))]
    prices = [f for f in files if f.name not in ("fundamentals.csv", "sector_weights.csv",
                                                 "holdings.csv")]
    assert len(prices) > 40
    for path in prices:
        fast = _typed_prices(path)
        assert fast is not None, path
        pd.testing.assert_frame_equal(fast, _prices_cell_by_cell(path), check_freq=False)
