"""The command line around the stages: version, starter files, config discovery, logging and
plain-text errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import reportgen
from reportgen.clients import load_clients
from reportgen.config import load_config
from tests.conftest import run_cli


def test_version() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0 and result.stdout == f"reportgen {reportgen.__version__}\n"


def test_init_writes_starter_files_that_work_and_never_overwrites(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    config = load_config(tmp_path / "reportgen.yaml")
    assert config.source == "sample" and config.out == tmp_path / "outputs"
    assert config.smtp.host == "smtp.example.com"
    assert [c.id for c in load_clients(tmp_path / "clients.yaml").clients] == ["example-family"]
    assert "#" in (tmp_path / "reportgen.yaml").read_text()  # commented for the reader
    again = run_cli("init", str(tmp_path))
    assert again.exit_code == 1
    assert "reportgen.yaml already exists; init never overwrites" in again.stderr


@pytest.fixture
def firm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A firm's folder: a reportgen.yaml naming a CSV folder and an editions folder by
    relative paths, and no options on the command line."""
    from reportgen.data.sources import sample_directory

    shutil.copytree(sample_directory(), tmp_path / "prices")
    (tmp_path / "reportgen.yaml").write_text("source: csv:prices\nout: editions\n"
                                             "source_label: Example Data Co\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REPORTGEN_CONFIG", raising=False)
    return tmp_path


def test_the_config_file_in_the_current_folder_sets_the_defaults(firm: Path) -> None:
    result = run_cli("metrics", "--format", "json", "--tickers", "IWM")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["source"] == "Example Data Co"  # the label, never the folder
    from reportgen.config import load_config

    assert load_config(None).source == f"csv:{firm.resolve() / 'prices'}"
    assert summary["sample_data"] is False
    listing = run_cli("archive", "list")
    assert f"No editions in {firm / 'editions'}." in listing.stdout.replace("\n", "")
    assert json.loads(run_cli("metrics", "--format", "json", "--tickers", "IWM", "--source",
                              "sample").stdout)["sample_data"] is True  # the option wins


def test_reportgen_config_in_the_environment_comes_before_the_local_file(
        firm: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "firm.yaml"
    elsewhere.write_text("source: sample\nout: archive\n")
    monkeypatch.setenv("REPORTGEN_CONFIG", str(elsewhere))
    listing = run_cli("archive", "list")
    assert f"No editions in {elsewhere.parent / 'archive'}." in listing.stdout.replace("\n", "")
    given = firm / "given.yaml"
    given.write_text("out: given-out\n")
    listing = run_cli("archive", "list", "--config", str(given))
    assert f"No editions in {firm / 'given-out'}." in listing.stdout.replace("\n", "")
    monkeypatch.setenv("REPORTGEN_CONFIG", str(firm / "missing.yaml"))
    missing = run_cli("archive", "list")
    assert missing.exit_code == 1 and "missing.yaml: cannot read the config file" in \
        missing.stderr


def test_errors_are_plain_text_never_markup(tmp_path: Path) -> None:
    clients = tmp_path / "clients.yaml"
    clients.write_text("clients:\n  - {id: Bad Id, name: X, email: [x@example.com]}\n")
    result = run_cli("send", "--month", "2026-10", "--clients", str(clients), "--out",
                     str(tmp_path))
    assert result.exit_code == 1
    assert "String should match pattern '^[a-z0-9][a-z0-9_-]*$'" in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_verbose_and_log_file_say_what_each_stage_did(tmp_path: Path,
                                                       stub_renderer: list[str]) -> None:
    log = tmp_path / "build.log"
    result = run_cli("--verbose", "--log-file", str(log), "build", "--source", "sample",
                     "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    for stage in ("series from the store", "computed the figures to 2026-10-30",
                  "rendered the edition PDF", "wrote"):
        assert stage in result.stderr, stage
        assert stage in log.read_text(), stage
    assert " s\n" in result.stderr  # each with how long it took
    assert f"Built {tmp_path / 'out' / '2026-10'}" in result.stderr  # never wrapped
    quiet = run_cli("build", "--source", "sample", "--out", str(tmp_path / "out2"))
    assert "computed the figures" not in quiet.stderr
