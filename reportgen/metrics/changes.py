"""Section 11's figures: what each edition carries forward to the next, and what moved.

Each edition stores its key figures (``key_figures``) as JSON beside its PDF; the next
month's build compares its own against the latest earlier edition's (``compare``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from reportgen.formatting import Unit, is_missing
from reportgen.metrics.report import ReportFigures, number_at

FORWARD_PE_RATIO = "Small ÷ large forward P/E"  # section 4 shows this figure's history
# How much of a change in each unit counts as "one unit of news" when ranking the moves.
SCALE: dict[Unit, float] = {"±%": 0.01, "%": 0.01, "yield": 0.1, "pp": 0.1, "ratio": 0.02,
                            "number": 1.0, "level": 0.01}
# Units as archives before this version named them.
LEGACY_UNITS = {"pct": "±%", "pp": "yield"}
MOST_MOVES = 8


@dataclass(frozen=True)
class KeyFigure:
    name: str
    value: float | None
    unit: Unit


@dataclass(frozen=True)
class KeyFigures:
    as_of: pd.Timestamp
    figures: list[KeyFigure]
    signals: dict[str, str | None]  # signal key → mark, None where it had no data


@dataclass(frozen=True)
class PreviousEdition:
    edition: str  # "2026-09" or "2026-09-r2"
    figures: KeyFigures


@dataclass(frozen=True)
class Move:
    name: str
    then: float
    now: float
    unit: Unit


@dataclass(frozen=True)
class Comparison:
    """The current edition against ``previous``: the moves that matter most first."""

    previous: PreviousEdition
    moves: list[Move]
    flips: list[tuple[str, str | None, str | None]]  # signal, mark then, mark now


def key_figures(f: ReportFigures) -> KeyFigures:
    """The figures carried from one edition to the next."""
    small, large, pair = f.small, f.large, f.pair
    by_multiple = {v.multiple: v.ratio for v in f.valuation}
    entries: list[tuple[str, float | None, Unit]] = [
        (f"{small} return, month", f.month_returns.get(small), "±%"),
        (f"{large} return, month", f.month_returns.get(large), "±%"),
        (f"{small} return, year to date", number_at(f.returns, small, "YTD"), "±%"),
        (f"{large} return, year to date", number_at(f.returns, large, "YTD"), "±%"),
        (f"Price ratio {small} ÷ {large}", pair.price_ratio if pair else None, "level"),
        (FORWARD_PE_RATIO, by_multiple.get("forward_pe"), "ratio"),
        ("Small ÷ large trailing P/E", by_multiple.get("trailing_pe"), "ratio"),
        ("10-year Treasury yield, %", f.rates.ten_year_yield, "yield"),
        ("13-week T-bill yield, %", f.rates.bill_yield, "yield"),
        (f"{small} 3-month volatility", f.risk.volatility_3m.get(small), "%"),
        ("Universe above 200-day average", f.quality.share_above_200d, "%"),
    ]
    return KeyFigures(
        f.as_of,
        [KeyFigure(name, None if is_missing(v) else float(cast(float, v)), unit)
         for name, v, unit in entries],
        {s.key: s.mark.value if s.mark else None for s in f.signals})


def to_json(figures: KeyFigures) -> dict[str, Any]:
    return {"as_of": f"{figures.as_of:%Y-%m-%d}",
            "figures": {k.name: {"value": k.value, "kind": k.unit} for k in figures.figures},
            "signals": figures.signals}


def from_json(raw: dict[str, Any]) -> KeyFigures:
    return KeyFigures(
        pd.Timestamp(raw["as_of"]),
        [KeyFigure(name, entry["value"], cast(Unit, LEGACY_UNITS.get(entry["kind"],
                                                                      entry["kind"])))
         for name, entry in raw["figures"].items()],
        dict(raw["signals"]))


def _size(move: Move) -> float:
    """How far a figure moved in its own unit: relative for a level, else the difference."""
    if move.unit == "level":
        return abs(move.now / move.then - 1) if move.then else 0.0
    return abs(move.now - move.then)


def compare(previous: PreviousEdition, current: KeyFigures) -> Comparison:
    """The figures both editions have, ranked by how far each moved in its own unit
    (``SCALE``), at most ``MOST_MOVES``; and every signal whose mark changed."""
    then = {k.name: k.value for k in previous.figures.figures}
    moves = [Move(k.name, was, k.value, k.unit) for k in current.figures
             if k.value is not None and (was := then.get(k.name)) is not None]
    moves.sort(key=lambda m: -_size(m) / SCALE[m.unit])
    old = previous.figures.signals
    flips = [(key, old.get(key), mark) for key, mark in current.signals.items()
             if old.get(key) != mark]
    return Comparison(previous, moves[:MOST_MOVES], flips)
