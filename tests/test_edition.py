"""Building editions: dates, atomic output, no overwrite, and month-on-month changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.config import Config
from reportgen.data.sources import open_source
from reportgen.data.store import Store
from reportgen.errors import ReportgenError
from reportgen.render import edition as edition_module
from reportgen.render.edition import EditionRequest, build_edition, edition_dates


@pytest.fixture(scope="module")
def sample_data():
    return Store().load(open_source("sample"), Config().instruments.all_tickers)


def test_default_month_is_the_last_complete_one_and_as_of_its_last_trading_day(sample_data
                                                                              ) -> None:
    month, as_of = edition_dates(sample_data, ["SPY"], None, None,
                                 today=pd.Timestamp("2026-11-21"))
    assert (str(month), as_of) == ("2026-10", pd.Timestamp("2026-10-30"))
    month, _ = edition_dates(sample_data, ["SPY"], None, None, today=pd.Timestamp("2027-03-01"))
    assert str(month) == "2026-10"  # the sample ends in October 2026
    month, as_of = edition_dates(sample_data, ["SPY"], pd.Period("2026-05", "M"), None)
    assert as_of == pd.Timestamp("2026-05-29")  # 30 and 31 May 2026 are a weekend
    month, as_of = edition_dates(sample_data, ["SPY"], None, pd.Timestamp("2026-07-04"))
    assert (str(month), as_of) == ("2026-07", pd.Timestamp("2026-07-02"))  # 3 July observed
    with pytest.raises(ReportgenError, match="no trading days in 2027-01"):
        edition_dates(sample_data, ["SPY"], pd.Period("2027-01", "M"), None)


def test_a_failed_build_leaves_nothing_and_an_edition_is_never_overwritten(
        sample_data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config()
    request = EditionRequest(out_dir=tmp_path, month=pd.Period("2026-10", "M"), variant="none")

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C in the middle of rendering

    monkeypatch.setattr(edition_module, "render_pdf", crash)
    with pytest.raises(KeyboardInterrupt):
        build_edition(sample_data, config, request)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    built = build_edition(sample_data, config, request)
    before = built.pdf.read_bytes()
    with pytest.raises(ReportgenError, match="never overwritten"):
        build_edition(sample_data, config, request)
    assert built.pdf.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10", "index.html"]


def test_section_eleven_compares_with_the_previous_edition(tmp_path: Path) -> None:
    runner = CliRunner()
    for month in ("2026-08", "2026-09", "2026-10"):
        result = runner.invoke(app, ["build", "--source", "sample", "--month", month, "--out",
                                     str(tmp_path), "--pdf-variant", "none"])
        assert result.exit_code == 0, result.stderr
    first = "\n".join(p.extract_text() for p in PdfReader(
        tmp_path / "2026-08" / "us-small-cap-outlook-2026-08.pdf").pages)
    assert "No earlier edition is archived yet" in first
    second = "\n".join(p.extract_text() for p in PdfReader(
        tmp_path / "2026-10" / "us-small-cap-outlook-2026-10.pdf").pages)
    assert "Compared with the 2026-09 edition (data to 30 Sep 2026)" in second
    assert "10-year Treasury yield, %" in second
    # Section 4 places the forward P/E ratio among the archived editions' ratios.
    earlier = [json.loads((tmp_path / m / "figures.json").read_text())["figures"][
        "Small ÷ large forward P/E"]["value"] for m in ("2026-08", "2026-09")]
    assert "Against the 2 archived editions since 31 Aug 2026, the forward P/E ratio ranged " \
           f"from {min(earlier):.2f} to {max(earlier):.2f}" in second.replace("\n", " ")


@pytest.mark.parametrize(("args", "message"), [
    (["--month", "2026-13"], "months are written YYYY-MM"),
    (["--month", "1990-01"], "no trading days in 1990-01"),
    (["--pdf-variant", "pdf/z"], "--pdf-variant 'pdf/z'"),
    (["--commentary", "/no/such.yaml"], "/no/such.yaml: cannot read the commentary file"),
])
def test_build_errors_are_one_clear_message(tmp_path: Path, args: list[str], message: str
                                            ) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", "--source", "sample", "--out", str(out), *args])
    assert result.exit_code == 1
    assert message in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_absent_tickers_are_named_in_the_report_not_fatal(tmp_path: Path) -> None:
    from reportgen.data.sources import sample_directory

    folder = tmp_path / "csv"
    shutil.copytree(sample_directory(), folder)
    for ticker in ("ACWX", "TNX", "AVUV"):
        (folder / f"{ticker}.csv").unlink()
    result = CliRunner().invoke(app, ["build", "--source", f"csv:{folder}", "--out",
                                      str(tmp_path / "out"), "--pdf-variant", "none"])
    assert result.exit_code == 0, result.stderr
    [pdf] = (tmp_path / "out").glob("*/*.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    for ticker in ("ACWX", "^TNX", "AVUV"):
        assert f"No price data for {ticker} from this source." in text
    assert "Rate history is missing from the source." in text
    (folder / "SPY.csv").unlink()
    result = CliRunner().invoke(app, ["build", "--source", f"csv:{folder}", "--out",
                                      str(tmp_path / "out2")])
    assert result.exit_code == 1
    assert "has no prices for SPY, which the report cannot do without" in result.stderr


def test_the_previous_edition_is_the_highest_revision_of_the_latest_earlier_month(
        tmp_path: Path) -> None:
    from reportgen.render.changes import figure_history, find_previous

    for name, month, revision, value in (("2026-08", "2026-08", 1, 0.70),
                                         ("2026-09", "2026-09", 1, 0.80),
                                         ("2026-09-r9", "2026-09", 9, 0.81),
                                         ("2026-09-r10", "2026-09", 10, 0.82),
                                         ("2026-10", "2026-10", 1, 0.90)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({"month": month,
                                                          "revision": revision}))
        (folder / "figures.json").write_text(json.dumps({
            "as_of": f"{month}-28", "signals": {},
            "figures": {"Small ÷ large forward P/E": {"value": value, "kind": "ratio"}}}))
    previous = find_previous(tmp_path, pd.Period("2026-10", "M"))
    assert previous.edition == "2026-09-r10"
    history = figure_history(tmp_path, pd.Period("2026-10", "M"), "Small ÷ large forward P/E")
    assert history.tolist() == [0.70, 0.82]
