"""Compiled templates are kept from one run to the next (templating.py), in a folder of the
temporary folder that is the user's alone; a run without such a folder still renders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Renders a template in a new process, which compiles (or loads) every template first.
RUN = """
from reportgen.templating import render_template
print(render_template("archive/index.html.j2", {"editions": []}))
"""


def run_with_temporary_folder(folder: Path) -> str:
    done = subprocess.run([sys.executable, "-c", RUN], env={**os.environ, "TMPDIR": str(folder)},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_second_run_loads_the_templates_the_first_compiled(tmp_path: Path) -> None:
    first = run_with_temporary_folder(tmp_path)
    [cache] = tmp_path.glob("_jinja2-cache-*")
    assert cache.stat().st_mode & 0o777 == 0o700
    compiled = {path: path.stat().st_mtime_ns for path in cache.iterdir()}
    assert len(compiled) >= 20  # one a template
    assert run_with_temporary_folder(tmp_path) == first
    # Jinja writes an entry only when it compiles its template: none was written again.
    assert {path: path.stat().st_mtime_ns for path in cache.iterdir()} == compiled


def test_templates_render_where_no_cache_folder_can_be_made(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    assert run_with_temporary_folder(not_a_folder) == run_with_temporary_folder(tmp_path)
