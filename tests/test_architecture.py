"""Imports run one way: data → metrics → charts → render → archive → distribute.

A stage package imports only earlier stages and the leaf modules at the package root; render
and archive never import each other; leaf modules import only other leaves; the build driver
(``edition``; ``processes``, where its helper processes come from; ``chart_drawing``,
whose helpers draw its charts; ``copies`` and ``cluster``, which make its client copies)
and the command
line sit above everything. Every import counts, including
those inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"
STAGES = ["data", "metrics", "charts", "render", "archive", "distribute"]
NEVER = {("render", "archive"), ("archive", "render")}
LEAVES = {"errors", "config", "clients", "durable", "formatting", "sections", "templating",
          "quiet", "timing", "tickers"}
# A driver imports stages, leaves and the drivers before it.
DRIVERS = ["processes", "chart_drawing", "copies", "cluster", "edition"]
ABOVE = {"cli", "__main__"}
DATA_PACKAGES = {"starter"}  # package data, no code


def imports(source: str) -> set[str]:
    """The reportgen modules a source file imports (absolute imports only: the project
    uses no relative ones)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, "relative import"
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] == "reportgen"}


def part_of(module: str) -> str:
    """The stage, leaf or top-level module a dotted name belongs to ('' for the package)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def backward_arrows(module: str, source: str) -> list[str]:
    """Every import of ``module`` (dotted) that breaks the rules, as 'a → b'."""
    own = part_of(module)
    wrong = []
    for target in sorted(imports(source)):
        other = part_of(target)
        if other in ("", own):
            continue
        if own in STAGES:
            allowed = other in LEAVES or (other in STAGES and STAGES.index(other)
                                          < STAGES.index(own) and (own, other) not in NEVER)
        elif own in LEAVES:
            allowed = other in LEAVES
        elif own in DRIVERS:
            allowed = other in STAGES or other in LEAVES or (
                other in DRIVERS and DRIVERS.index(other) < DRIVERS.index(own))
        else:
            allowed = own in ABOVE
        if not allowed:
            wrong.append(f"{module} → {target}")
    return wrong


def modules() -> list[tuple[str, Path]]:
    return [(".".join(("reportgen", *path.relative_to(PACKAGE).with_suffix("").parts)), path)
            for path in sorted(PACKAGE.rglob("*.py"))]


def test_every_module_has_a_place_in_the_flow() -> None:
    places = set(STAGES) | LEAVES | set(DRIVERS) | ABOVE | DATA_PACKAGES | {"__init__"}
    unplaced = [name for name, _ in modules() if part_of(name) not in places]
    assert not unplaced, f"give these a place in test_architecture.py: {unplaced}"


def test_imports_run_one_way() -> None:
    wrong = [arrow for name, path in modules()
             for arrow in backward_arrows(name, path.read_text())]
    assert not wrong, "imports that run backwards:\n" + "\n".join(wrong)


@pytest.mark.parametrize(("module", "source"), [
    ("reportgen.charts.report_charts", "from reportgen.render.compose import chart_context"),
    ("reportgen.archive.index", "def f():\n    import reportgen.render.html\n"),
    ("reportgen.render.compose", "from reportgen.archive import history"),
    ("reportgen.formatting", "from reportgen.metrics.periods import PERIODS"),
    ("reportgen.metrics.report", "from reportgen.edition import build_edition"),
    ("reportgen.data.store", "from reportgen import cli"),
])
def test_the_check_sees_a_backward_arrow(module: str, source: str) -> None:
    assert backward_arrows(module, source), source


def test_the_check_allows_the_flow() -> None:
    assert not backward_arrows("reportgen.render.compose",
                               "from reportgen.charts.report_charts import Chart\n"
                               "from reportgen.formatting import pct")
    assert not backward_arrows("reportgen.distribute.send",
                               "from reportgen.archive.editions import Edition")
    assert not backward_arrows("reportgen.edition", "from reportgen.render.html import x")
