"""The archive detects forgery and damage, heals what a crash leaves, and never lets one bad
edition stop commands on the others. Editions here are built by the real driver with the
charts and WeasyPrint stubbed (``stub_renderer``): what is tested is the archive."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from reportgen.archive.chain import CHAIN, read_chain
from reportgen.config import Config
from reportgen.edition import EditionRequest, build_edition
from tests.conftest import run_cli, stub_rendering

MONTHS = ["2026-08", "2026-09", "2026-10"]


@pytest.fixture(scope="module")
def three_editions(sample_data, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three chained editions, August to October 2026, built once for the module."""
    folder = tmp_path_factory.mktemp("archive") / "out"
    with pytest.MonkeyPatch.context() as patch:
        stub_rendering(patch)
        for month in MONTHS:
            build_edition(sample_data, Config(), EditionRequest(out_dir=folder,
                                                                month=pd.Period(month, "M")))
    return folder


@pytest.fixture
def out(three_editions: Path, tmp_path: Path) -> Path:
    """A copy of the three editions for one test to damage."""
    return Path(shutil.copytree(three_editions, tmp_path / "out"))


def verify(out: Path, *edition: str):
    return run_cli("archive", "verify", *edition, "--out", str(out))


def edit_manifest(out: Path, edition: str, **changes: object) -> None:
    path = out / edition / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))


def test_a_clean_archive_verifies_and_prints_the_chain_head(out: Path) -> None:
    links = read_chain(out)
    assert [link.edition for link in links] == MONTHS
    assert links[0].previous is None
    assert [link.previous for link in links[1:]] == [link.sha256 for link in links[:-1]]
    result = verify(out)
    assert result.exit_code == 0, result.stderr
    assert f"(head {links[-1].sha256})" in result.stdout


@pytest.mark.parametrize(("edition", "changes"), [
    ("2026-10", {"headline": "Buy everything now"}),
    ("2026-08", {"as_of": "2026-08-01"}),  # an old edition, not the newest
    ("2026-09", {"source": "Bloomberg"}),
])
def test_an_edited_manifest_fails_verify(out: Path, edition: str, changes: dict) -> None:
    edit_manifest(out, edition, **changes)
    result = verify(out)
    assert result.exit_code == 1
    assert f"{edition}/manifest.json: changed since it was published" in result.stderr


def test_an_edited_manifest_and_chain_line_still_breaks_the_next_link(out: Path) -> None:
    """A forger who also rewrites the chain's line for August breaks September's record."""
    edit_manifest(out, "2026-08", headline="Forged")
    import hashlib

    digest = hashlib.sha256((out / "2026-08" / "manifest.json").read_bytes()).hexdigest()
    lines = (out / CHAIN).read_text().splitlines()
    first = json.loads(lines[0])
    first["manifest_sha256"] = digest
    lines[0] = json.dumps(first)
    (out / CHAIN).write_text("\n".join(lines) + "\n")
    result = verify(out)
    assert result.exit_code == 1
    assert "the line for 2026-09 does not follow the line before it" in result.stderr


def test_a_path_leaving_the_edition_is_refused_and_the_edition_reported_damaged(
        out: Path) -> None:
    manifest = json.loads((out / "2026-10" / "manifest.json").read_text())
    pdf = manifest["pdf"]
    manifest["files"]["../../../x/secret.txt"] = manifest["files"].pop(pdf)
    manifest["pdf"] = "../../../x/secret.txt"
    (out / "2026-10" / "manifest.json").write_text(json.dumps(manifest))
    result = verify(out)
    assert result.exit_code == 1
    assert "2026-10: damaged:" in result.stderr
    assert "is not a path inside the edition folder" in result.stderr


def test_extra_files_in_an_edition_are_reported(out: Path) -> None:
    (out / "2026-09" / "invoice.pdf").write_bytes(b"%PDF-1.7 not ours")
    result = verify(out)
    assert result.exit_code == 1
    assert "2026-09/invoice.pdf: not in the manifest (added after publication)" in result.stderr


def test_a_damaged_manifest_never_stops_commands_on_other_editions(
        out: Path, sample_data, stub_renderer: list[str]) -> None:
    (out / "2026-09" / "manifest.json").write_text("{ not json")
    listed = run_cli("archive", "list", "--out", str(out))
    assert listed.exit_code == 0
    assert "2026-09: damaged: 2026-09/manifest.json: not valid JSON" in listed.stderr
    assert "2026-10" in listed.stdout and "2026-08" in listed.stdout
    result = verify(out)
    assert result.exit_code == 1 and "2026-09: damaged" in result.stderr
    assert "Traceback" not in result.stderr
    assert verify(out, "2026-10").exit_code == 0
    shown = run_cli("archive", "show", "2026-09", "--out", str(out))
    assert shown.exit_code == 1 and "the edition is damaged" in shown.stderr
    # A build of another month goes ahead.
    build_edition(sample_data, Config(), EditionRequest(out_dir=out,
                                                        month=pd.Period("2026-07", "M")))
    assert (out / "2026-07" / "manifest.json").is_file()


def test_an_unfinished_build_is_reported_then_removed_by_the_next_build_of_its_month(
        out: Path, sample_data, stub_renderer: list[str]) -> None:
    leftover = out / ".2026-07.k1l2m3"
    leftover.mkdir()
    (leftover / "us-small-cap-outlook-2026-07.pdf").write_bytes(b"%PDF half")
    result = verify(out)
    assert result.exit_code == 1
    assert ".2026-07.k1l2m3: an unfinished build" in result.stderr
    build_edition(sample_data, Config(), EditionRequest(out_dir=out,
                                                        month=pd.Period("2026-07", "M")))
    assert not leftover.exists()
    assert verify(out).exit_code == 0


def test_a_crash_between_publishing_and_indexing_heals_on_the_next_command(out: Path) -> None:
    index = out / "index.html"
    index.unlink()
    assert run_cli("archive", "list", "--out", str(out)).exit_code == 0
    assert all(month in index.read_text() for month in MONTHS)
    # An index listing one edition of three (the crash the catalogue found) is rewritten too.
    index.write_text("<html>2026-08 only</html>")
    assert verify(out).exit_code == 0
    assert all(month in index.read_text() for month in MONTHS)
    # A build of a published month is refused, and heals the index on its way.
    index.unlink()
    assert "already exists" in run_cli("build", "--month", "2026-10", "--out", str(out)).stderr
    assert all(month in index.read_text() for month in MONTHS)


def test_a_crash_between_the_rename_and_the_chain_heals_on_the_next_build(
        out: Path, sample_data, stub_renderer: list[str]) -> None:
    lines = (out / CHAIN).read_text().splitlines()
    (out / CHAIN).write_text("\n".join(lines[:-1]) + "\n")  # October's line never written
    result = verify(out)
    assert result.exit_code == 1
    assert "2026-10: not in the archive's chain" in result.stderr
    # The next publication re-chains October first, then adds its own edition.
    build_edition(sample_data, Config(), EditionRequest(out_dir=out,
                                                        month=pd.Period("2026-07", "M")))
    assert [link.edition for link in read_chain(out)] == [*MONTHS, "2026-07"]
    assert verify(out).exit_code == 0


HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from filelock import FileLock
    with FileLock(sys.argv[1]):
        print("held", flush=True)
        time.sleep(30)
""")


def test_a_second_build_of_a_month_is_refused_while_the_first_runs(
        out: Path, tmp_path: Path) -> None:
    """Another process holds the month's build lock, as a running build does."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK,
                               str(out / ".locks" / "build-2026-07.lock")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = run_cli("build", "--month", "2026-10", "--out", str(out))
        assert "already exists" in result.stderr  # another month's lock does not matter
        result = run_cli("build", "--month", "2026-07", "--out", str(out))
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Another build of 2026-07")
    assert "is already running" in result.stderr and result.stderr.count("\n") == 1


DISK_FULL = textwrap.dedent("""
    import resource, sys
    import pytest
    from reportgen.cli import app
    from tests.conftest import stub_rendering
    stub_rendering(pytest.MonkeyPatch())  # what is tested is publishing, not rendering
    # Files may not grow past 64 KiB: every larger write fails as on a full disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
    sys.argv = ["reportgen", *sys.argv[1:]]
    app()
""")


def test_a_full_disk_while_publishing_is_one_line_and_publishes_nothing(out: Path) -> None:
    result = subprocess.run([sys.executable, "-c", DISK_FULL, "build", "--month", "2026-07",
                             "--out", str(out)], capture_output=True, text=True, timeout=300,
                            cwd=Path(__file__).parent.parent)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {out / '2026-07'}: could not write the edition (")
    assert "File too large" in result.stderr and "nothing was published" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (out / "2026-07").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".2026-07")]
    assert verify(out).exit_code == 0


def test_an_out_folder_that_cannot_be_written_is_one_line(out: Path) -> None:
    blocker = out.parent / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("build", "--month", "2026-07", "--out", str(blocker / "editions"))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "cannot write there (Not a directory)" in result.stderr
