"""Dated editions: manifest, verify, revisions, rebuild from the snapshot, clients."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from reportgen.clients import load_clients
from reportgen.config import Config
from reportgen.edition import EditionRequest, build_edition
from reportgen.errors import ReportgenError
from tests.conftest import pdf_text, run_cli


def run(*args: str) -> tuple[int, str, str]:
    result = run_cli(*args)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def archive(sample_archive: Path) -> Path:
    return sample_archive


def manifest(archive: Path, edition: str = "2026-10") -> dict:
    return json.loads((archive / "out" / edition / "manifest.json").read_text())


def test_manifest_lists_every_file_with_its_checksum(archive: Path) -> None:
    m = manifest(archive)
    folder = archive / "out" / "2026-10"
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    # The approval is recorded after publication, beside the manifest (and in the chain).
    assert set(m["files"]) == on_disk - {"manifest.json", "approval.json"}
    for name, digest in m["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert {"us-small-cap-outlook-2026-10.pdf", "us-small-cap-outlook-2026-10.html",
            "data-prices.parquet",
            "data-fundamentals.parquet", "inputs/clients.yaml"} <= set(m["files"])
    assert m["as_of"] == "2026-10-30" and m["edition"] == "2026-10"
    assert m["versions"]["weasyprint"] and m["versions"]["pandas"]
    # librsvg draws the charts' pages: its version, as rsvg-convert gives it.
    librsvg = subprocess.run(["rsvg-convert", "--version"], capture_output=True, text=True,
                             check=True).stdout
    assert m["versions"]["librsvg"] == librsvg.split()[-1] and "." in librsvg
    assert m["client_pdfs"] == {c: f"clients/us-small-cap-outlook-2026-10-{c}.pdf"
                                for c in ("acme", "birch", "cedar")}


def test_client_editions_carry_their_names_as_written_and_the_whole_report(archive: Path
                                                                          ) -> None:
    folder = archive / "out" / "2026-10"
    master = PdfReader(folder / "us-small-cap-outlook-2026-10.pdf")
    master_text = pdf_text(folder / "us-small-cap-outlook-2026-10.pdf")

    def copy(client: str) -> Path:
        return folder / "clients" / f"us-small-cap-outlook-2026-10-{client}.pdf"

    for client, name in (("acme", "Acme Family Office"), ("birch", "Birch & Co <Trust>"),
                         ("cedar", "Cedar Pension Fund")):
        reader = PdfReader(copy(client))
        assert f"Prepared for {name}" in pdf_text(copy(client))[0]
        own_pages = 1 if client == "acme" else 0  # acme holds a portfolio: its own page
        assert len(reader.pages) == len(master.pages) + own_pages
        assert [o.title for o in reader.outline] == [o.title for o in master.outline]
        # The master's title, PDF/A declaration and dates, as WeasyPrint wrote them.
        assert reader.xmp_metadata.stream.get_data() == master.xmp_metadata.stream.get_data()
    assert "Your adviser: Jane Doe" in pdf_text(copy("acme"))[0]
    # The portfolio page comes after the summary; the body's pages keep their numbers.
    acme = pdf_text(copy("acme"))
    assert acme[2].startswith("Your portfolio") and "Your portfolio returned" in acme[2]
    assert acme[1] == master_text[1] and acme[4] == master_text[3]  # the shared body
    assert PdfReader(copy("acme")).page_labels[:5] == ["1", "2", "Your portfolio 1", "3", "4"]
    assert pdf_text(copy("cedar"))[3] == master_text[3]
    # A copy carries its own pages' resources only, not its whole batch's: about the size
    # of the master (the fonts of its own pages, and of its holdings table, are its own:
    # 1.19 and 1.43 times the master's size on 3 Dec).
    master_size = (folder / "us-small-cap-outlook-2026-10.pdf").stat().st_size
    for client in ("acme", "birch", "cedar"):
        assert copy(client).stat().st_size < (1.5 if client == "acme" else 1.3) * master_size
    assert "Prepared for" not in master_text[0]


def test_verify_names_changed_and_missing_files(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(archive / "out", out)
    code, stdout, _ = run("archive", "verify", "--out", str(out))
    assert code == 0 and "every file matches" in stdout
    with (out / "2026-10" / "us-small-cap-outlook-2026-10.pdf").open("ab") as pdf:
        pdf.write(b"%")
    (out / "2026-10" / "data-prices.parquet").unlink()
    code, _, stderr = run("archive", "verify", "--out", str(out))
    assert code == 1
    assert "2026-10/us-small-cap-outlook-2026-10.pdf: changed" in stderr
    assert "2026-10/data-prices.parquet: missing" in stderr


def test_rebuild_from_the_snapshot_gives_the_same_figures_and_bytes(
        archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    shutil.copytree(archive / "out", out)
    # Neither the source's files nor a store are needed: it all comes from the edition folder.
    from reportgen.data import sources

    monkeypatch.setattr(sources, "sample_directory", lambda: tmp_path / "no-sample-here")
    monkeypatch.setenv("REPORTGEN_STORE", str(tmp_path / "store"))
    code, stdout, stderr = run("archive", "rebuild", "2026-10", "--out", str(out),
                               "--into", str(tmp_path / "rebuilt"))
    assert code == 0, stderr
    assert "Figures: identical." in stdout
    assert stdout.count("byte-identical.") == 4  # the master and three client editions
    assert not (tmp_path / "store").exists()


def test_a_month_is_never_overwritten_and_a_revision_records_its_reason(
        archive: Path, sample_data, tmp_path: Path, stub_renderer: list[str]) -> None:
    out = tmp_path / "out"
    shutil.copytree(archive / "out", out)
    before = manifest(archive)["files"]
    code, _, stderr = run("build", "--month", "2026-10", "--out", str(out))
    assert code == 1 and "never overwritten" in stderr and "--revision" in stderr
    revision = EditionRequest(out_dir=out, month=pd.Period("2026-10", "M"),
                              revision_reason="Corrected the disclaimer")
    build_edition(sample_data, Config(), revision)
    revised = json.loads((out / "2026-10-r2" / "manifest.json").read_text())
    assert (revised["revision"], revised["revision_reason"]) == (2, "Corrected the disclaimer")
    assert json.loads((out / "2026-10" / "manifest.json").read_text())["files"] == before
    code, stdout, _ = run("archive", "list", "--out", str(out))
    assert "2026-10-r2" in stdout and "Corrected the disclaimer" in stdout
    index = (out / "index.html").read_text()
    assert 'href="2026-10-r2/us-small-cap-outlook-2026-10.pdf"' in index
    assert 'href="2026-10/clients/us-small-cap-outlook-2026-10-birch.pdf"' in index
    assert ">birch</a>" in index and "Corrected the disclaimer" in index
    with pytest.raises(ReportgenError, match="no edition of 2026-09"):
        build_edition(sample_data, Config(), EditionRequest(
            out_dir=out, month=pd.Period("2026-09", "M"), revision_reason="x"))


def test_show_prints_the_manifest(archive: Path) -> None:
    code, stdout, _ = run("archive", "show", "2026-10", "--out", str(archive / "out"))
    assert code == 0
    assert "data to 2026-10-30" in stdout and "data-prices.parquet" in stdout
    code, _, stderr = run("archive", "show", "2030-01", "--out", str(archive / "out"))
    assert code == 1 and "No edition 2030-01" in stderr


@pytest.mark.parametrize(("text", "message"), [
    ("clients:\n  - {id: acme, name: Acme, email: [not-an-address]}\n",
     "clients[1] (acme): email: 'not-an-address' is not an email address"),
    ("clients:\n  - {id: acme, name: Acme, email: [a@b.co]}\n"
     "  - {id: acme, name: Other, email: [c@d.co]}\n", "clients[2] (acme): id: the id is used"),
    ("clients:\n  - {id: acme, email: [a@b.co]}\n", "clients[1] (acme): name: Field required"),
    ("clients:\n  - {id: acme, name: A, email: [a@b.co], branding: {colour: red}}\n",
     "clients[1] (acme): branding.colour: String should match pattern"),
    ("clients: [\n", "not valid YAML"),
])
def test_clients_file_errors_name_the_entry_and_field(tmp_path: Path, text: str,
                                                      message: str) -> None:
    path = tmp_path / "clients.yaml"
    path.write_text(text)
    with pytest.raises(ReportgenError, match=None) as caught:
        load_clients(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_a_clients_name_lands_in_the_room_the_cover_leaves_for_it(archive: Path) -> None:
    """The client's block is laid over the shared cover: at its left edge, between the
    chart's source line and the notes under it, overlapping nothing."""
    import re
    pdf = archive / "out" / "2026-10" / "clients" / "us-small-cap-outlook-2026-10-acme.pdf"
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                       r'yMax="([\d.]+)">([^<]*)</word>', boxes)
    first = {w[4]: tuple(map(float, w[:4])) for w in reversed(words)}  # first box of each
    prepared, source, built = first["Prepared"], first["Source:"], first["Built"]
    assert abs(prepared[0] - first["For"][0]) < 0.5  # the cover's left edge
    assert source[3] < prepared[1] and first["Doe"][3] < built[1]  # in the gap, inside it


@pytest.mark.parametrize("rows_per_group", [1 << 17, 5_000])
def test_the_snapshot_reads_back_as_the_data_to_the_as_of_date(
        sample_data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows_per_group: int
        ) -> None:
    """What ``write_snapshot`` writes (prices gathered in numpy and Arrow a few tickers at
    a time, the rest as pandas writes it) reads back as the data itself, without the rows
    after the as-of date, with the fund tables and the macro series and their sources;
    each of its row groups holds whole tickers."""
    import dataclasses

    import pyarrow.parquet as pq

    from reportgen.archive import snapshot
    from reportgen.archive.snapshot import PRICES_FILE, read_snapshot, write_snapshot

    monkeypatch.setattr(snapshot, "ROWS_PER_GROUP", rows_per_group)

    as_of = pd.Timestamp("2026-06-30")
    days = pd.DatetimeIndex(["2026-05-29", "2026-06-30", "2026-07-31"], name="date")
    macro = pd.Series([4.1, 4.2, 4.3], index=days, name="DGS10")
    data = dataclasses.replace(sample_data, macro={"DGS10": macro}, macro_sources=["FRED"])
    assert sorted(write_snapshot(data, as_of, tmp_path)) == sorted(p.name for p in
                                                                  tmp_path.iterdir())
    back = read_snapshot(tmp_path, "sample", True, {})
    assert list(back.prices) == list(data.prices)
    for ticker, frame in data.prices.items():
        expected = frame[frame.index <= as_of]
        assert back.prices[ticker].index.max() == expected.index.max() <= as_of
        pd.testing.assert_frame_equal(back.prices[ticker], expected, check_exact=True,
                                      check_freq=False, check_names=False)
    groups = pq.ParquetFile(tmp_path / PRICES_FILE)
    tickers = [set(groups.read_row_group(n, ["ticker"])["ticker"].to_pylist())
               for n in range(groups.num_row_groups)]
    assert len(tickers) == (1 if rows_per_group > 50_000 else 10)  # of two tickers each
    assert sum(map(len, tickers)) == len(set().union(*tickers)) == len(data.prices)
    assert back.fundamentals.index.tolist() == data.fundamentals.index.tolist()
    assert back.macro_sources == ["FRED"]
    assert back.macro["DGS10"].tolist() == [4.1, 4.2]
