"""Section 11: the figures that moved most since the previous archived edition.

Each build writes its key figures to ``figures.json`` beside the PDF; the next month's build
reads the latest earlier one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reportgen.archive.editions import list_editions
from reportgen.metrics.report import ReportFigures
from reportgen.render.formatting import day, is_missing, number, pct, points, times

FIGURES_FILE = "figures.json"
FORWARD_PE_RATIO = "Small ÷ large forward P/E"  # section 4 shows this figure's history
# How much of a change in each kind of figure counts as "one unit" when ranking moves.
SCALE = {"pct": 0.01, "pp": 0.1, "ratio": 0.02, "number": 1.0}


@dataclass(frozen=True)
class PreviousEdition:
    edition: str  # "2026-09"
    as_of: pd.Timestamp
    figures: dict[str, dict[str, Any]]
    signals: dict[str, str | None]


def key_figures(f: ReportFigures) -> dict[str, Any]:
    """The figures carried from one edition to the next, as plain JSON-ready data."""
    small, large = f.small, f.large
    pair = f.relative.get(f"{small}/{large}")
    by_multiple = {v.multiple: v.ratio for v in f.valuation}
    entries = {
        f"{small} return, month": (f.month_returns.get(small), "pct"),
        f"{large} return, month": (f.month_returns.get(large), "pct"),
        f"{small} return, year to date": (f.returns.at[small, "YTD"], "pct"),
        f"{large} return, year to date": (f.returns.at[large, "YTD"], "pct"),
        f"Relative strength {small} ÷ {large}": (pair.ratio if pair else None, "number"),
        FORWARD_PE_RATIO: (by_multiple.get("forward_pe"), "ratio"),
        "Small ÷ large trailing P/E": (by_multiple.get("trailing_pe"), "ratio"),
        "10-year Treasury yield, %": (f.rates.ten_year_yield, "pp"),
        "13-week T-bill yield, %": (f.rates.bill_yield, "pp"),
        f"{small} 3-month volatility": (f.risk.volatility_3m.get(small), "pct"),
        "Universe above 200-day average": (f.quality.share_above_200d, "pct"),
    }
    return {
        "as_of": f"{f.as_of:%Y-%m-%d}",
        "figures": {name: {"value": None if is_missing(v) else float(v), "kind": kind}
                    for name, (v, kind) in entries.items()},
        "signals": {s.key: s.mark.value if s.mark else None for s in f.signals},
    }


def write_key_figures(folder: Path, edition: str, f: ReportFigures) -> None:
    (folder / FIGURES_FILE).write_text(json.dumps({"edition": edition, **key_figures(f)},
                                                  indent=1))


def _latest_before(out_dir: Path, month: pd.Period) -> list[tuple[str, dict[str, Any]]]:
    """(edition name, key figures) of the latest revision of each month before ``month``,
    oldest month first."""
    latest = {e.month: e for e in list_editions(out_dir) if e.month < month}
    return [(e.name, json.loads((e.folder / FIGURES_FILE).read_text()))
            for _, e in sorted(latest.items())]


def figure_history(out_dir: Path, month: pd.Period, name: str) -> pd.Series:
    """One figure across the archived editions before ``month``, indexed by as-of date."""
    points = {pd.Timestamp(raw["as_of"]): raw["figures"].get(name, {}).get("value")
              for _, raw in _latest_before(out_dir, month)}
    return pd.Series({d: v for d, v in points.items() if v is not None},
                     dtype=float).sort_index()


def find_previous(out_dir: Path, month: pd.Period) -> PreviousEdition | None:
    """The latest edition (revisions included) of a month before ``month``."""
    earlier = _latest_before(out_dir, month)
    if not earlier:
        return None
    name, raw = earlier[-1]
    return PreviousEdition(name, pd.Timestamp(raw["as_of"]), raw["figures"], raw["signals"])


def as_dict(previous: PreviousEdition | None) -> dict[str, Any] | None:
    """For the manifest, so a rebuild makes the same comparison."""
    if previous is None:
        return None
    return {"edition": previous.edition, "as_of": f"{previous.as_of:%Y-%m-%d}",
            "figures": previous.figures, "signals": previous.signals}


def from_dict(raw: dict[str, Any] | None) -> PreviousEdition | None:
    if raw is None:
        return None
    return PreviousEdition(raw["edition"], pd.Timestamp(raw["as_of"]), raw["figures"],
                           raw["signals"])


def _write(value: float | None, kind: str) -> str:
    if kind == "pct":
        return pct(value)
    if kind == "pp":
        return number(value, 2)
    if kind == "ratio":
        return times(value)
    return number(value)


def _change(then: float, now: float, kind: str) -> str:
    if kind == "pct":
        return points(100 * (now - then)).replace(" pp", " pts")
    if kind == "pp":
        return points(now - then)
    return number(now - then, 2)


def compare(previous: PreviousEdition | None, current: dict[str, Any]) -> dict[str, Any]:
    if previous is None:
        return {"previous": None,
                "note": "No earlier edition is archived yet, so there is nothing to compare "
                        "with. From next month this section lists the figures that moved most "
                        "and the signals that changed mark."}
    rows = []
    for name, now in current["figures"].items():
        then = previous.figures.get(name, {}).get("value")
        if then is None or now["value"] is None:
            continue
        kind = now["kind"]
        rows.append((abs(now["value"] - then) / SCALE[kind],
                     {"name": name, "then": _write(then, kind), "now": _write(now["value"], kind),
                      "change": _change(then, now["value"], kind)}))
    rows.sort(key=lambda item: -item[0])
    flips = [f"{key} from {previous.signals.get(key) or 'no data'} to {mark or 'no data'}"
             for key, mark in current["signals"].items()
             if previous.signals.get(key) != mark]
    return {"previous": previous.edition, "previous_as_of": day(previous.as_of),
            "rows": [row for _, row in rows[:8]], "flips": flips}
