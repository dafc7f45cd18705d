"""How a reportgen command's process collects its garbage and ends."""

from __future__ import annotations

from pathlib import Path

from reportgen.processes import YOUNG_COLLECTION_THRESHOLD
from tests.conftest import run_probed_cli


def test_a_command_collects_rarely_and_ends_without_collecting(tmp_path: Path) -> None:
    ran = run_probed_cli("gc.get_threshold()[0], gc.get_freeze_count() > 0",
                         "archive", "list", "--out", str(tmp_path))
    assert ran.returncode == 0, ran.stderr
    # By the end, the collector's threshold is the build's, and what the process made is
    # frozen out of the interpreter's final collections.
    assert ran.stdout.splitlines()[-1] == f"({YOUNG_COLLECTION_THRESHOLD}, True)"
