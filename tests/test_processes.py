"""How a reportgen command's process collects its garbage and ends, and its helpers with it."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen.processes import YOUNG_COLLECTION_THRESHOLD, usable_cores
from tests.conftest import run_probed_cli


def test_a_command_collects_rarely_and_ends_without_collecting(tmp_path: Path) -> None:
    ran = run_probed_cli("gc.get_threshold()[0], gc.get_freeze_count() > 0",
                         "archive", "list", "--out", str(tmp_path))
    assert ran.returncode == 0, ran.stderr
    # By the end, the collector's threshold is the build's, and what the process made is
    # frozen out of the interpreter's final collections.
    assert ran.stdout.splitlines()[-1] == f"({YOUNG_COLLECTION_THRESHOLD}, True)"


def _state(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent, or None once it has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def _running(pid: int) -> bool:
    state = _state(pid)
    return state is not None and state[0] != "Z"  # ended but not yet reaped: ended


def _descendants(pid: int) -> set[int]:
    """The processes under ``pid`` still running."""
    parents = {}
    for folder in Path("/proc").glob("[0-9]*"):
        state = _state(int(folder.name))
        if state is not None and state[0] != "Z":
            parents[int(folder.name)] = state[1]
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _helpers(build: int) -> set[int]:
    """The build's helper processes: forked by its fork server, itself a child of the build."""
    return {pid for pid in _descendants(build)
            if (state := _state(pid)) is not None and state[1] != build
            and b"multiprocessing.forkserver" in _command(pid)}


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes in /proc")
@pytest.mark.skipif(usable_cores() < 2, reason="helpers start only with a core to spare")
def test_a_build_killed_outright_leaves_no_helper_process(tmp_path: Path) -> None:
    """A build killed mid-way (out of memory, kill -9) has no chance to end its helpers;
    each ends by itself, instead of waiting for work forever with its memory."""
    clients = tmp_path / "clients.yaml"
    clients.write_text("clients:\n" + "".join(
        f"  - {{id: c{n}, name: Client {n}, email: [c{n}@example.com], holdings: "
        "[{ticker: IWM, weight: 1}]}\n" for n in range(60)))
    build = subprocess.Popen([sys.executable, "-m", "reportgen", "build", "--out",
                              str(tmp_path / "out"), "--clients", str(clients),
                              "--workers", "2"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(helpers := _helpers(build.pid)) < 2:
            assert build.poll() is None and time.monotonic() < deadline, "no helpers seen"
            time.sleep(0.1)
    finally:
        build.kill()
        build.wait()
    deadline = time.monotonic() + 30
    while left := {pid for pid in helpers if _running(pid)}:
        assert time.monotonic() < deadline, f"helpers still running: {sorted(left)}"
        time.sleep(0.2)


def test_a_build_leaves_nothing_in_the_temporary_folder_but_the_template_cache(
        tmp_path: Path) -> None:
    """Every process that lays out a document (the build, and each local process that makes
    client copies) removes WeasyPrint's folder of fonts.css's faces as it ends (0.8 MB
    each, left behind before), as the build removes its own temporary folders."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    clients = tmp_path / "clients.yaml"
    clients.write_text("clients:\n" + "".join(
        f"  - {{id: c{n}, name: Client {n}, email: [c{n}@example.com], holdings: "
        "[{ticker: IWM, weight: 1}]}\n" for n in range(3)))
    built = subprocess.run([sys.executable, "-m", "reportgen", "build", "--out",
                            str(tmp_path / "out"), "--clients", str(clients), "--workers", "2"],
                           env={**os.environ, "TMPDIR": str(temporary)},
                           capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    assert len(list((tmp_path / "out").glob("*/clients/*.pdf"))) == 3
    # The fork server and its processes end just after the build: give them a moment.
    deadline = time.monotonic() + 30
    while left := sorted(p.name for p in temporary.iterdir()
                         if not p.name.startswith("_jinja2-cache-")):
        assert time.monotonic() < deadline, f"left in the temporary folder: {left}"
        time.sleep(0.2)


def test_an_edition_is_laid_out_with_what_the_build_made_before_out_of_the_collector_s_reach(
        sample_data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full collection during the layout would go over every module, frame and figure
    again: they are frozen while the edition is laid out, and given back to the collector
    after."""
    from reportgen.config import Config
    from reportgen.edition import EditionRequest, build_edition
    from reportgen.render import pdf

    frozen_at_layout: list[int] = []
    render_document = pdf.render_document

    def recording(html: str, **options: object) -> pdf.Rendered:
        frozen_at_layout.append(gc.get_freeze_count())
        return render_document(html, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf, "render_document", recording)
    before = gc.get_freeze_count()
    build_edition(sample_data, Config(), EditionRequest(out_dir=tmp_path))
    assert frozen_at_layout and frozen_at_layout[0] > before + 10_000
    assert gc.get_freeze_count() == before
