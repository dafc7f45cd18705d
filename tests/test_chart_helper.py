"""The build's helper processes (forked from the fork server) draw its charts, measured first
and encoded while the edition is laid out: the charts are byte for byte those drawn in one
process, in the report's order, with the shapes the layout was given; a helper that dies
costs time, not charts; and the build's own process never imports matplotlib."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from reportgen.chart_drawing import ChartDrawing, chart_data, drawing_charts
from reportgen.charts.chart import CHART_NAMES, Chart, ChartShape, receive
from reportgen.charts.report_charts import CHARTS, draw_charts
from reportgen.config import Config
from reportgen.data.model import MarketData
from reportgen.metrics.report import ReportFigures
from reportgen.processes import fork_server, spare_cores, start_helper_with
from tests.conftest import DiesWhenUnpickled, run_probed_cli

pytestmark = pytest.mark.skipif(not spare_cores(), reason="one core: no helper process")


def _drawn(data: MarketData, figures: ReportFigures,
           meanwhile: Callable[[], object] = lambda: None
           ) -> tuple[dict[str, ChartShape | None], dict[str, Chart | None]]:
    """The shapes, then the charts, of a drawing by the build's helpers."""
    with drawing_charts(data, Config().instruments, figures) as drawing:
        return drawing.shapes(meanwhile), drawing.charts()


def _shapes_of(charts: dict[str, Chart | None]) -> dict[str, ChartShape | None]:
    return {name: None if chart is None else chart.shape for name, chart in charts.items()}


def test_charts_drawn_beside_a_helper_are_those_drawn_here(sample_data, sample_figures
                                                            ) -> None:
    alone = draw_charts(sample_data, Config().instruments, sample_figures)
    shapes, together = _drawn(sample_data, sample_figures)
    assert list(together) == list(shapes) == list(alone) == list(CHARTS) == list(CHART_NAMES)
    assert sum(chart is not None for chart in alone.values()) >= 12
    assert together == alone
    assert shapes == _shapes_of(alone)  # what the layout was given is what was encoded


def test_helpers_are_sent_the_funds_and_rates_not_the_universe_s_stocks(sample_data) -> None:
    """Every chart is handed to a helper with its data: the universe's stocks (600 in a
    large one) are read by the figures, never by a chart, so they are left behind. The
    test above holds the charts drawn from what is sent to those drawn from everything."""
    ins = Config().instruments
    sent = chart_data(sample_data, ins)
    assert set(ins.universe) <= set(sample_data.prices)
    assert set(sent.prices) == set(sample_data.prices) & {*ins.funds, *ins.rates}
    assert sent.macro is sample_data.macro


class _KillsItsReader(DiesWhenUnpickled, MarketData):
    """Market data that ends any process that unpickles it: the helper dies mid-task."""


def test_a_dead_helper_s_charts_are_drawn_here(sample_data, sample_figures,
                                               caplog: pytest.LogCaptureFixture) -> None:
    """A helper killed while the charts are measured (once all are handed out): the
    charts not back are drawn here, the same. (Killed as it starts instead, it could break
    the pool while CPython's pool still starts the other helper, which makes CPython's
    fork server end: test_a_pool_broken_before_the_charts_are_handed_out_costs_no_chart
    breaks the pool before, with one helper started.)"""
    ins = Config().instruments

    def kill_a_helper() -> None:
        assert drawing.pool is not None
        next(iter(drawing.pool._processes.values())).kill()

    with drawing_charts(sample_data, ins, sample_figures) as drawing:
        shapes, charts = drawing.shapes(meanwhile=kill_a_helper), drawing.charts()
    assert charts == draw_charts(sample_data, ins, sample_figures)
    assert shapes == _shapes_of(charts)
    assert "chart helper process died" in caplog.text


def test_a_pool_broken_before_the_charts_are_handed_out_costs_no_chart(
        sample_data, sample_figures, caplog: pytest.LogCaptureFixture) -> None:
    """A helper may die as it starts, before every chart is handed out: the pool refuses
    the rest, and they are drawn here. Here the pool is broken before the first chart, by
    its one helper started so far."""
    ins = Config().instruments
    doomed = _KillsItsReader(**{f.name: getattr(sample_data, f.name)
                                for f in dataclasses.fields(sample_data) if f.init})
    read = (chart_data(sample_data, ins), ins, sample_figures)
    with ProcessPoolExecutor(2, mp_context=fork_server(), initializer=start_helper_with,
                             initargs=(receive, doomed, ins, sample_figures,
                                       fork_server().Lock())) as pool:
        with pytest.raises(BrokenProcessPool):
            pool.submit(int).result()
        drawing = ChartDrawing(read, pool, helpers=2)
        shapes, charts = drawing.shapes(), drawing.charts()
    assert charts == draw_charts(sample_data, ins, sample_figures)
    assert shapes == _shapes_of(charts)
    assert "chart helper process died" in caplog.text


def test_a_helper_lost_after_measuring_costs_time_not_charts(
        sample_data, sample_figures, caplog: pytest.LogCaptureFixture) -> None:
    """The helpers are killed once every chart is measured, as they begin to encode: the
    charts they held are drawn here, the same."""
    ins = Config().instruments
    with drawing_charts(sample_data, ins, sample_figures) as drawing:
        shapes = drawing.shapes()
        assert drawing.pool is not None
        for helper in list(drawing.pool._processes.values()):
            helper.kill()
        charts = drawing.charts()
    assert charts == draw_charts(sample_data, ins, sample_figures)
    assert shapes == _shapes_of(charts)
    assert drawing.drawn_here
    assert "chart helper process died" in caplog.text


def test_charts_held_by_a_helper_not_asked_to_encode_are_drawn_again(sample_data,
                                                                     sample_figures) -> None:
    """Each helper is asked once to encode what it holds; should one helper take both
    requests, the charts the other holds are drawn again. Here two helpers are asked once
    between them."""
    ins = Config().instruments
    read = (chart_data(sample_data, ins), ins, sample_figures)
    with ProcessPoolExecutor(2, mp_context=fork_server(), initializer=start_helper_with,
                             initargs=(receive, *read, fork_server().Lock())) as pool:
        drawing = ChartDrawing(read, pool, helpers=1)
        drawing.shapes()
        charts = drawing.charts()
    assert charts == draw_charts(sample_data, ins, sample_figures)
    assert drawing.drawn_here == {}  # all by the helpers


# As pip writes the installed ``reportgen`` command: the script is the helpers' main module.
CONSOLE_SCRIPT = """
import sys
from reportgen.__main__ import main
if __name__ == "__main__":
    sys.exit(main())
"""


def test_helpers_of_the_installed_command_do_not_import_the_command_line(tmp_path: Path
                                                                          ) -> None:
    """A helper imports the program's main module as it starts; the fork server has not
    imported the command line, so that module must not import it (it would cost each helper
    a third of a second), and the helpers must still start and draw."""
    imported = subprocess.run([sys.executable, "-c", "import sys, reportgen.__main__; "
                               "print('reportgen.cli' in sys.modules)"],
                              capture_output=True, text=True, check=True)
    assert imported.stdout.split() == ["False"]
    script = tmp_path / "reportgen"
    script.write_text(CONSOLE_SCRIPT)
    built = subprocess.run([sys.executable, str(script), "--verbose", "build", "--out",
                            str(tmp_path / "out")], capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    assert "drew and measured the charts" in built.stderr
    assert "died" not in built.stderr


def test_the_build_s_own_process_never_imports_matplotlib(tmp_path: Path) -> None:
    built = run_probed_cli("'matplotlib' in sys.modules", "build", "--out", str(tmp_path))
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "2026-10" / "us-small-cap-outlook-2026-10.pdf").is_file()
    assert built.stdout.splitlines()[-1] == "False"


def test_the_renderer_is_imported_while_the_charts_are_drawn(sample_data, sample_figures
                                                            ) -> None:
    """WeasyPrint (a second's import) is not imported with the build's modules; the build
    imports it while the helpers draw the charts (``meanwhile``), and the charts are the same."""
    imported = subprocess.run([sys.executable, "-c", "import sys, reportgen.cli, "
                               "reportgen.edition, reportgen.copies; "
                               "print('weasyprint' in sys.modules)"],
                              capture_output=True, text=True, check=True)
    assert imported.stdout.split() == ["False"]
    called = []
    _, charts = _drawn(sample_data, sample_figures, meanwhile=lambda: called.append(len(called)))
    assert called == [0]
    assert charts == draw_charts(sample_data, Config().instruments, sample_figures)


# Says, as the command line is imported, whether this process has started a fork server.
SERVER_PROBE = """
import os, sys, time

def fork_server_running():
    children = [pid for task in os.listdir("/proc/self/task")
                for pid in open(f"/proc/self/task/{task}/children").read().split()]
    own = open("/proc/self/cmdline", "rb").read()
    started = time.monotonic()
    while True:  # a child shows this process's command line, then none, until it runs its own
        lines = [open(f"/proc/{pid}/cmdline", "rb").read() for pid in children]
        if all(line not in (own, b"") for line in lines) or time.monotonic() - started > 30:
            return any(b"forkserver" in line for line in lines)
        time.sleep(0.01)

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "reportgen.cli":
            print("fork server:", fork_server_running(), flush=True)

sys.meta_path.insert(0, Watch())
sys.argv = ["reportgen", *sys.argv[1:]]
from reportgen.__main__ import main
main()
"""


@pytest.mark.parametrize(("args", "started"), [
    (["build", "--help"], True),
    (["--log-file", "build.log", "archive", "rebuild", "--help"], True),
    (["-v", "publish", "--help"], True),
    (["archive", "list", "--help"], False),
    (["data", "status", "--help"], False),
])
def test_a_building_command_starts_the_fork_server_before_the_command_line(
        tmp_path: Path, args: list[str], started: bool) -> None:
    """So the server imports matplotlib on the core the command line's imports leave idle."""
    probed = subprocess.run([sys.executable, "-c", SERVER_PROBE, *args], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert probed.returncode == 0, probed.stderr
    assert probed.stdout.splitlines()[0] == f"fork server: {started}"


@pytest.mark.parametrize(("args", "workers"), [
    (["build"], 1), (["build", "--workers", "3"], 3), (["build", "--workers=2"], 2),
    (["build", "--workers", "many"], 1), (["build", "--workers", "1"], 1),
])
def test_the_fork_server_readies_the_renderer_when_workers_will_make_copies(
        args: list[str], workers: int) -> None:
    from reportgen.__main__ import workers_asked

    assert workers_asked(args) == workers


def test_main_knows_the_command_line_s_valued_options_and_building_commands() -> None:
    """``__main__.py`` finds the command without importing the command line: it must know
    each option before the command that takes a value (or it would read that value as the
    command), and each building command must be one the command line has."""
    import typer.main

    from reportgen.__main__ import BUILDING, VALUED
    from reportgen.cli import app

    group = typer.main.get_command(app)
    valued = {name for param in group.params if not getattr(param, "is_flag", True)
              for name in param.opts}
    assert valued == set(VALUED)
    for words in BUILDING:
        command = group
        for word in words:
            assert hasattr(command, "commands"), f"{words}: {word} has no subcommands"
            command = command.commands[word]
        assert not hasattr(command, "commands"), f"{words} is a group, not a command"
