"""How a reportgen command's process collects its garbage and ends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reportgen.processes import YOUNG_COLLECTION_THRESHOLD

# Registered before the command runs, so it runs after the command's own exit handlers.
AT_EXIT = """
import atexit, gc, sys
atexit.register(lambda: print(gc.get_threshold()[0], gc.get_freeze_count() > 0))
from reportgen.cli import app
app(sys.argv[1:], prog_name="reportgen")
"""


def test_a_command_collects_rarely_and_ends_without_collecting(tmp_path: Path) -> None:
    ran = subprocess.run([sys.executable, "-c", AT_EXIT, "archive", "list", "--out",
                          str(tmp_path)], capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    # By the end, the collector's threshold is the build's, and what the process made is
    # frozen out of the interpreter's final collections.
    assert ran.stdout.split()[-2:] == [str(YOUNG_COLLECTION_THRESHOLD), "True"]
