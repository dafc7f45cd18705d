"""What earlier editions said: each edition's key figures (``figures.json``), read back for
section 11's comparison and for the history of a figure across editions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from reportgen.archive.editions import list_editions
from reportgen.metrics.changes import KeyFigures, PreviousEdition, from_json, to_json

FIGURES_FILE = "figures.json"


def write_key_figures(folder: Path, edition: str, figures: KeyFigures) -> None:
    (folder / FIGURES_FILE).write_text(json.dumps({"edition": edition, **to_json(figures)},
                                                  indent=1, ensure_ascii=False))


def read_key_figures(folder: Path) -> KeyFigures:
    return from_json(json.loads((folder / FIGURES_FILE).read_text()))


def _latest_before(out_dir: Path, month: pd.Period) -> list[PreviousEdition]:
    """The latest revision of each month before ``month``, oldest month first."""
    latest = {e.month: e for e in list_editions(out_dir) if e.month < month}
    return [PreviousEdition(e.name, read_key_figures(e.folder))
            for _, e in sorted(latest.items())]


def find_previous(out_dir: Path, month: pd.Period) -> PreviousEdition | None:
    """The latest edition (revisions included) of a month before ``month``."""
    earlier = _latest_before(out_dir, month)
    return earlier[-1] if earlier else None


def figure_history(out_dir: Path, month: pd.Period, name: str) -> pd.Series:
    """One key figure across the archived editions before ``month``, by as-of date."""
    values = {e.figures.as_of: k.value for e in _latest_before(out_dir, month)
              for k in e.figures.figures if k.name == name and k.value is not None}
    return pd.Series(values, dtype=float).sort_index()
