"""The build driver: dates, atomic output, no overwrite, month-on-month changes, missing data.

The charts and WeasyPrint stages are replaced by the ``stub_renderer`` fixture here (their own
tests and the shared whole-edition builds exercise them for real); what the driver passes to
the renderer is the HTML, which these tests read.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from reportgen.config import Config
from reportgen.edition import EditionRequest, build_edition
from reportgen.errors import ReportgenError
from reportgen.formatting import pct
from reportgen.metrics.dates import edition_dates, resolve_as_of
from reportgen.render import pdf
from tests.conftest import manifest_json, run_cli

OCTOBER = pd.Period("2026-10", "M")


def test_default_month_is_the_last_complete_one_and_as_of_its_last_trading_day(sample_data
                                                                              ) -> None:
    calendar = sample_data.calendar(["SPY"])
    month, as_of = edition_dates(calendar, None, None, today=pd.Timestamp("2026-11-21"))
    assert (str(month), as_of) == ("2026-10", pd.Timestamp("2026-10-30"))
    month, _ = edition_dates(calendar, None, None, today=pd.Timestamp("2027-03-01"))
    assert str(month) == "2026-10"  # the sample ends in October 2026
    month, as_of = edition_dates(calendar, pd.Period("2026-05", "M"), None)
    assert as_of == pd.Timestamp("2026-05-29")  # 30 and 31 May 2026 are a weekend
    month, as_of = edition_dates(calendar, None, pd.Timestamp("2026-07-04"))
    assert (str(month), as_of) == ("2026-07", pd.Timestamp("2026-07-02"))  # 3 July observed


@pytest.mark.parametrize(("month", "as_of", "said"), [
    ("2027-01", None, "--month 2027-01 is outside the data"),
    ("1999-01", None, "--month 1999-01 is outside the data"),
    (None, "2026-11-05", "--as-of 2026-11-05 is outside the data"),
    (None, "2012-12-31", "--as-of 2012-12-31 is outside the data"),
])
def test_a_date_outside_the_data_is_one_error_naming_the_range(sample_data, month, as_of,
                                                               said) -> None:
    calendar = sample_data.calendar(["SPY"])
    with pytest.raises(ReportgenError, match=said) as caught:
        edition_dates(calendar, month and pd.Period(month, "M"), as_of and pd.Timestamp(as_of))
    assert "runs from 2013-01-02 to 2026-10-30" in str(caught.value)


def test_the_weekend_after_the_data_ends_is_not_outside_it(sample_data) -> None:
    calendar = sample_data.calendar(["SPY"])  # ends Friday 30 Oct 2026
    assert resolve_as_of(calendar, pd.Timestamp("2026-11-01")) == pd.Timestamp("2026-10-30")


def test_the_snapshot_is_written_where_a_killed_build_s_leftovers_are_removed(
        sample_data, tmp_path: Path, stub_renderer: list[str]) -> None:
    """The data's snapshot is written beside the edition while it is laid out, in a folder
    named as a build's staging folder is: were the build killed there, the next build of
    the month would remove it (see the archive's tests of unfinished builds)."""
    from reportgen.archive.editions import scan

    seen: list[list[Path]] = []

    def look(text: str) -> None:
        if text == "Rendering PDF":
            seen.append(scan(tmp_path).unfinished)

    build_edition(sample_data, Config(), EditionRequest(out_dir=tmp_path, month=OCTOBER), look)
    [[folder]] = seen
    assert folder.name.startswith(".2026-10.snapshot-")
    assert not folder.exists() and (tmp_path / "2026-10" / "data-prices.parquet").is_file()


def test_a_failed_build_leaves_nothing_and_an_edition_is_never_overwritten(
        sample_data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stub_renderer: list[str]) -> None:
    request = EditionRequest(out_dir=tmp_path, month=OCTOBER)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C in the middle of rendering

    with monkeypatch.context() as patch:
        patch.setattr(pdf, "render_document", interrupted)
        with pytest.raises(KeyboardInterrupt):
            build_edition(sample_data, Config(), request)
    assert [p.name for p in tmp_path.iterdir()] == [".locks"]  # no edition, no staging
    built = build_edition(sample_data, Config(), request)
    before = built.pdf.read_bytes()
    with pytest.raises(ReportgenError, match="never overwritten"):
        build_edition(sample_data, Config(), request)
    assert built.pdf.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".locks", "2026-10", "chain.jsonl",
                                                          "index.html"]


def test_section_eleven_compares_with_the_previous_edition(sample_data, tmp_path: Path,
                                                           stub_renderer: list[str]) -> None:
    for month in ("2026-08", "2026-09", "2026-10"):
        build_edition(sample_data, Config(), EditionRequest(out_dir=tmp_path,
                                                            month=pd.Period(month, "M")))
    first, _, last = stub_renderer
    assert "No earlier edition is archived yet" in first
    assert "Compared with the 2026-09 edition (data to 30 Sep 2026)" in last
    assert "10-year Treasury yield, %" in last
    # Like with like: the price ratio (not a line rebased on another day each month), its
    # move as a relative change computed from the printed figures.
    figures = [json.loads((tmp_path / m / "figures.json").read_text())["figures"]
               for m in ("2026-09", "2026-10")]
    then, now = (f["Price ratio IWM ÷ SPY"]["value"] for f in figures)
    assert then == pytest.approx(sample_data.adj_close("IWM")[:"2026-09-30"].iloc[-1]
                                 / sample_data.adj_close("SPY")[:"2026-09-30"].iloc[-1])
    moved = pct(round(now, 4) / round(then, 4) - 1, 2)
    assert re.search(rf"Price ratio IWM ÷ SPY</td>\s*<td[^>]*>{then:.4f}</td>\s*<td[^>]*>"
                     rf"{now:.4f}</td>\s*<td[^>]*>{moved}</td>", last), moved
    # Section 4 places the forward P/E ratio among the archived editions' ratios.
    earlier = [json.loads((tmp_path / m / "figures.json").read_text())["figures"][
        "Small ÷ large forward P/E"]["value"] for m in ("2026-08", "2026-09")]
    assert ("Against the 2 archived editions since 31 Aug 2026, the forward P/E ratio ranged "
            f"from {min(earlier):.2f} to {max(earlier):.2f}") in last


@pytest.mark.parametrize(("args", "message"), [
    (["--month", "2026-13"], "months are written YYYY-MM"),
    (["--month", "1990-01"], "--month 1990-01 is outside the data"),
    (["--as-of", "2026-12-01"], "--as-of 2026-12-01 is outside the data"),
    (["--pdf-variant", "pdf/z"], "--pdf-variant 'pdf/z'"),
    (["--commentary", "/no/such.yaml"], "/no/such.yaml: cannot read the commentary file"),
])
def test_build_errors_are_one_clear_message(tmp_path: Path, args: list[str], message: str
                                            ) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--source", "sample", "--out", str(out), *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_absent_tickers_are_named_in_the_report_not_fatal(tmp_path: Path,
                                                          stub_renderer: list[str]) -> None:
    from reportgen.data.sources import sample_directory

    folder = tmp_path / "csv"
    shutil.copytree(sample_directory(), folder)
    for ticker in ("ACWX", "TNX", "AVUV"):
        (folder / f"{ticker}.csv").unlink()
    result = run_cli("build", "--source", f"csv:{folder}", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    [html] = stub_renderer
    for ticker in ("ACWX", "^TNX", "AVUV"):
        assert f"No price data for {ticker} from this source." in html
    (folder / "SPY.csv").unlink()
    result = run_cli("build", "--source", f"csv:{folder}", "--out", str(tmp_path / "out2"))
    assert result.exit_code == 1
    assert "has no prices for SPY, which the report cannot do without" in result.stderr


def test_the_previous_edition_is_the_highest_revision_of_the_latest_earlier_month(
        tmp_path: Path) -> None:
    from reportgen.archive.history import figure_history, find_previous

    for name, month, revision, value in (("2026-08", "2026-08", 1, 0.70),
                                         ("2026-09", "2026-09", 1, 0.80),
                                         ("2026-09-r9", "2026-09", 9, 0.81),
                                         ("2026-09-r10", "2026-09", 10, 0.82),
                                         ("2026-10", "2026-10", 1, 0.90)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "manifest.json").write_text(manifest_json(name, revision))
        (folder / "figures.json").write_text(json.dumps({
            "as_of": f"{month}-28", "signals": {},
            "figures": {"Small ÷ large forward P/E": {"value": value, "kind": "ratio"}}}))
    previous = find_previous(tmp_path, OCTOBER)
    assert previous is not None and previous.edition == "2026-09-r10"
    history = figure_history(tmp_path, OCTOBER, "Small ÷ large forward P/E")
    assert history.tolist() == [0.70, 0.82]


def test_a_client_with_its_own_branding_gets_its_own_body_and_paper(
        sample_data, tmp_path: Path, stub_renderer: list[str]) -> None:
    clients = tmp_path / "clients.yaml"
    clients.write_text(
        "clients:\n"
        "  - {id: acme, name: Acme Family Office, email: [cio@acme.example]}\n"
        "  - {id: bell, name: Bell Trust, email: [a@bell.example],\n"
        "     holdings: [{ticker: IWM, weight: 1}]}\n"
        "  - id: cedar\n    name: Cedar Pension Fund\n    email: [pm@cedar.example]\n"
        "    holdings: [{ticker: SPY, weight: 1}]\n"
        "    branding: {colour: '#7a1f5c', paper: Letter, firm_name: Cedar Advisory}\n")
    build_edition(sample_data, Config(), EditionRequest(out_dir=tmp_path / "out",
                                                        month=OCTOBER, clients=clients))
    # The body and the frame of a portfolio page once per branding (all laid out before any
    # client's copy is spliced, to be sent to the workers); the clients' blocks and pages are
    # drawn, not laid out.
    master, house_frame, cedar_body, cedar_frame = stub_renderer
    assert "size: A4" in master and "Cedar" not in master
    assert 'id="portfolio"' in house_frame and "size: A4" in house_frame
    for page in (cedar_body, cedar_frame):
        assert "size: Letter" in page and "Cedar Advisory" in page and "#7a1f5c" in page
    assert not any("Prepared for" in page for page in stub_renderer)
    folder = tmp_path / "out" / "2026-10" / "clients"
    cedar = (folder / "us-small-cap-outlook-2026-10-cedar.pdf").read_bytes()
    assert cedar.endswith(cedar_body.encode())  # its own pages on its body
    assert b'Prepared for <tspan font-weight="600">Cedar Pension Fund</tspan>' in cedar
    assert b">Your portfolio</text>" in cedar and b"#7a1f5c" in cedar.split(b"<!DOCTYPE")[0]
    acme = (folder / "us-small-cap-outlook-2026-10-acme.pdf").read_bytes()
    assert acme.endswith(master.encode()) and b"Acme Family Office" in acme
    assert b">Your portfolio</text>" not in acme


def test_a_revision_knows_its_inherited_clients_before_the_data_is_loaded(
        sample_data, tmp_path: Path, stub_renderer: list[str]) -> None:
    """So the build can load the prices of what those clients hold; and the files read
    then are the build's, read once."""
    from reportgen.edition import read_inputs

    clients = tmp_path / "clients.yaml"
    clients.write_text("clients:\n  - {id: acme, name: Acme, email: [cio@acme.example], "
                       "holdings: [{ticker: IWM, weight: 1}]}\n")
    out = tmp_path / "out"
    build_edition(sample_data, Config(), EditionRequest(out_dir=out, month=OCTOBER,
                                                        clients=clients))
    revision = EditionRequest(out_dir=out, month=OCTOBER, revision_reason="Corrected")
    inherited = read_inputs(revision)
    assert inherited.files[1] == out / "2026-10" / "inputs" / "clients.yaml"
    assert inherited.held_tickers == ["IWM"]
    assert read_inputs(EditionRequest(out_dir=out, month=OCTOBER)).files == (None, None)
    assert read_inputs(EditionRequest(out_dir=out, clients=clients, revision_reason="x")
                       ).files == (None, clients)
    stored = inherited.files[1]
    assert stored is not None
    stored.write_text("not: read again\n")  # the build uses what was read
    built = build_edition(sample_data, Config(), revision, inputs=inherited)
    assert set(built.client_pdfs) == {"acme"}
