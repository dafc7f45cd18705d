"""Every command, on bad input, ends in one line that says what is wrong: never a traceback.
Each case builds its bad input in a scratch folder; ``{tmp}`` in the arguments is that folder.
The sample archive is copied in for the commands that read one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

FILES = {
    "bad.yaml": "clients: [unclosed\n",
    "aliases.yaml": "a: &x [1]\nb: *x\n",
    "no-pairs.yaml": "instruments:\n  relative_pairs: []\n",
    "typo.yaml": "brandng: {firm_name: X}\n",
    "weather.md": "## weather\nsunny\n",
    "streek.yaml": "sentences:\n  performance.streek: Our words.\n",
    "holdings.yaml": "clients:\n  - {id: acme, name: Acme, email: [cio@acme.example], "
                     "holdings_file: missing.csv}\n",
    "clients.yaml": "clients:\n  - {id: acme, name: Acme, email: [cio@acme.example]}\n",
    "bad-client.yaml": "clients:\n  - {id: Acme!, name: Acme, email: [cio@acme.example]}\n",
    "binary.md": "\udcff",
    "damaged-meta/csv-x/meta.json": "{",
    "not-a-workbook.xls": "plain text",
    "shiller.yaml": "macro:\n  shiller: not-a-workbook.xls\n",
}

CASES = [
    (["build", "--month", "1999-01"], "is outside the data"),
    (["build", "--as-of", "2099-01-01"], "is outside the data"),
    (["build", "--month", "2026-13"], "--month"),
    (["build", "--source", "csv:{tmp}/nowhere"], "no such directory"),
    (["build", "--source", "bloomberg"], "Unknown --source"),
    (["build", "--clients", "{tmp}/missing.yaml"], "cannot read the clients file"),
    (["build", "--clients", "{tmp}/bad.yaml"], "not valid YAML"),
    (["build", "--clients", "{tmp}/bad-client.yaml"], "clients[1]"),
    (["build", "--clients", "{tmp}/holdings.yaml"], "missing.csv"),
    (["approve", "2026-10", "--by", " ", "--out", "{tmp}/archive"], "--by needs the approver"),
    (["build", "--commentary", "{tmp}/weather.md"], "unknown section(s) weather"),
    (["build", "--commentary", "{tmp}/binary.md"], "is not UTF-8 text"),
    (["build", "--commentary", "{tmp}/streek.yaml"], "did you mean performance.streak?"),
    (["build", "--config", "{tmp}/no-pairs.yaml"], "give at least one pair"),
    (["build", "--config", "{tmp}/typo.yaml"], "brandng"),
    (["build", "--config", "{tmp}/aliases.yaml"], "anchors and aliases"),
    (["build", "--config", "{tmp}/missing.yaml"], "cannot read the config file"),
    (["build", "--out", "{tmp}/clients.yaml/out"], "cannot write there"),
    (["build", "--month", "2026-10", "--out", "{tmp}/archive"], "already exists"),
    (["build", "--scheduler", "tcp://127.0.0.1:9"], "Cannot reach a Dask scheduler"),
    (["build", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2"], "not both"),
    (["build", "--workers", "0"], "--workers"),
    (["metrics", "--tickers", "../OUTSIDE/X"], "is not a ticker"),
    (["metrics", "--format", "xml"], "--format 'xml'"),
    (["metrics", "--since", "yesterday"], "dates are written YYYY-MM-DD"),
    (["data", "fetch", "--source", "sample", "--tickers", "A/B"], "is not a ticker"),
    (["send", "--month", "2026-09", "--clients", "{tmp}/clients.yaml", "--out",
      "{tmp}/archive"], "No edition of 2026-09"),
    (["send", "--month", "2026-10", "--clients", "{tmp}/missing.yaml", "--out",
      "{tmp}/archive"], "cannot read the clients file"),
    (["send", "--month", "2026-10", "--clients", "{tmp}/clients.yaml", "--only", "zeta",
      "--out", "{tmp}/archive"], "no client with id zeta"),
    (["send", "--month", "2026-10", "--clients", "{tmp}/clients.yaml", "--out",
      "{tmp}/archive"], "REPORTGEN_SMTP_HOST"),
    (["archive", "show", "2030-01", "--out", "{tmp}/archive"], "No edition 2030-01"),
    (["archive", "rebuild", "2030-01", "--out", "{tmp}/archive"], "No edition 2030-01"),
    (["init", "{tmp}"], "already exists; init never overwrites"),
    (["build", "--config", "{tmp}/shiller.yaml"], "cannot read Shiller's workbook"),
]


@pytest.fixture
def scratch(tmp_path: Path, sample_archive: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text.encode("utf-8", errors="surrogateescape"))
    (tmp_path / "reportgen.yaml").write_text("# an existing config\n")
    shutil.copytree(sample_archive / "out", tmp_path / "archive")
    for variable in ("REPORTGEN_SMTP_HOST", "REPORTGEN_SMTP_FROM", "REPORTGEN_CONFIG"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


@pytest.mark.parametrize(("args", "message"), CASES, ids=[" ".join(a[:2]) + f" #{n}"
                                                         for n, (a, _) in enumerate(CASES)])
def test_bad_input_gives_one_line_and_no_traceback(scratch: Path, args: list[str],
                                                   message: str) -> None:
    result = run_cli(*(arg.replace("{tmp}", str(scratch)) for arg in args))
    assert result.exit_code == 1, (result.exit_code, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)  # not an exception escaping the command
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, \
        result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_an_unforeseen_failure_is_one_line_and_the_traceback_goes_to_the_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen import edition

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(edition, "compute_report_figures", broken)
    log = tmp_path / "run.log"
    result = run_cli("--log-file", str(log), "build", "--out", str(tmp_path / "out"))
    assert result.exit_code == 70
    assert result.stderr == ("error: unexpected ZeroDivisionError: division by zero. This is a "
                             "bug in reportgen: run again with --log-file FILE and report the "
                             "file.\n")
    assert "Traceback" in log.read_text() and "ZeroDivisionError" in log.read_text()
    assert not list((tmp_path / "out").glob("2026-*"))
    for flags in ([], ["--verbose"]):  # without a log file, or with the log on the terminal
        result = run_cli(*flags, "build", "--out", str(tmp_path / "out"))
        assert result.exit_code == 70 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.endswith("report the file.\n")


# Runs the installed command's main() with no file descriptor to spare: the fork server it
# starts before the command line cannot start.
FEW_FILES = """
import os, resource, sys
open_now = len(os.listdir("/proc/self/fd"))
resource.setrlimit(resource.RLIMIT_NOFILE,
                   (open_now + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
sys.argv = ["reportgen", *sys.argv[1:]]
from reportgen.__main__ import main
main()
"""


def test_a_fork_server_that_cannot_start_is_one_line(tmp_path: Path) -> None:
    """The early start gives way: help still works, and the build says what to do."""
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", FEW_FILES, *args], cwd=tmp_path,
                              capture_output=True, text=True, check=False)

    helped = run("build", "--help")
    assert helped.returncode == 0 and "--workers" in helped.stdout, helped.stderr
    assert "Traceback" not in helped.stderr
    built = run("build", "--out", str(tmp_path / "out"))
    assert built.returncode == 1
    assert built.stderr == ("error: this process may open no more files; raise its limit "
                            "(ulimit -n) and run again.\n")
    assert not (tmp_path / "out").exists()
