"""How numbers and dates are written in every client-facing file; also the template filters.

One sign convention everywhere: a true minus sign (U+2212) for negatives, never a hyphen.
A figure is written from its value and its unit with ``figure``; a change between two
figures of one unit with ``change``. Every other module formats through these.
"""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd

DASH = "–"  # printed where a figure is not available
MINUS = "−"

# What a number measures, and so how it is written:
#   "±%"     a return or a difference of returns, signed: +4.1%
#   "%"      a level that is a fraction, unsigned: 16.7% (volatility, a share)
#   "yield"  a yield already in percent: 4.12%
#   "pp"     a change in a yield, in percentage points: +0.25 pp
#   "ratio"  a multiple of one figure to another: 0.85×
#   "number" a plain level: 104.3
#   "level"  a level whose moves are relative (a price ratio): 0.3512, moving −4.90%
Unit = Literal["±%", "%", "yield", "pp", "ratio", "number", "level"]
# Decimal places each unit is printed with (for fractions: of the percentage).
DECIMALS: dict[Unit, int] = {"±%": 1, "%": 1, "yield": 2, "pp": 2, "ratio": 2, "number": 1,
                             "level": 4}


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _minus(text: str) -> str:
    """A true minus sign; and no sign at all on a value that rounds to zero, since "−0.0%"
    would say it fell and "+0.0%" that it rose."""
    if not any(digit in text for digit in "123456789"):
        text = text.lstrip("+-")
    return text.replace("-", MINUS)


def pct(value: float | None, decimals: int = 1, signed: bool = True) -> str:
    """0.0412 → '+4.1%'; a true minus sign for negatives."""
    if value is None or is_missing(value):
        return DASH
    return _minus(f"{value:+.{decimals}%}" if signed else f"{value:.{decimals}%}")


def points(value: float | None, decimals: int = 2) -> str:
    """A change in a yield, in percentage points: 0.25 → '+0.25 pp'."""
    if value is None or is_missing(value):
        return DASH
    return _minus(f"{value:+.{decimals}f} pp")


def number(value: float | None, decimals: int = 1, signed: bool = False) -> str:
    if value is None or is_missing(value):
        return DASH
    return _minus(f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}")


def times(value: float | None, decimals: int = 2) -> str:
    if value is None or is_missing(value):
        return DASH
    return _minus(f"{value:.{decimals}f}×")


def money(value: float | None) -> str:
    """Fund assets: 70_000_000_000 → '$70.0bn'."""
    if value is None or is_missing(value):
        return DASH
    return f"${value / 1e9:,.1f}bn" if value >= 1e9 else f"${value / 1e6:,.0f}m"


def figure(value: float | None, unit: Unit, decimals: int | None = None) -> str:
    """A value written in its unit, e.g. ``figure(0.25, "pp")`` → '+0.25 pp'."""
    places = DECIMALS[unit] if decimals is None else decimals
    if unit in ("±%", "%"):
        return pct(value, places, signed=unit == "±%")
    if unit == "yield":
        return DASH if value is None or is_missing(value) else f"{number(value, places)}%"
    if unit == "pp":
        return points(value, places)
    if unit == "ratio":
        return times(value, places)
    return number(value, places)


def change(then: float, now: float, unit: Unit) -> str:
    """The move from ``then`` to ``now``, computed from the two figures as printed so that
    the page adds up: percentage points for fractions and yields ('+0.54 pp'), a relative
    change for a level ('−4.90%'), a signed difference for ratios and numbers."""
    places = DECIMALS[unit]
    if unit == "level":
        return pct(round(now, places) / round(then, places) - 1, 2)
    if unit in ("±%", "%"):
        return points(round(100 * now, places) - round(100 * then, places), places)
    if unit in ("yield", "pp"):
        return points(round(now, places) - round(then, places), places)
    return _minus(f"{round(now, places) - round(then, places):+.{places}f}")


def rank(percentile: float) -> str:
    """Where a value sits in its history, from the share at or below it: 'higher than 83%
    of' or 'lower than 96% of' (whichever side is the larger share)."""
    if percentile >= 0.5:
        return f"higher than {pct(percentile, 0, signed=False)} of"
    return f"lower than {pct(1 - percentile, 0, signed=False)} of"


def day(value: pd.Timestamp | None) -> str:
    """'30 Oct 2026' (no leading zero)."""
    return DASH if value is None else f"{value.day} {value:%b %Y}"


def month_name(value: pd.Period | pd.Timestamp) -> str:
    return f"{value:%B %Y}"


FILTERS = {"pct": pct, "points": points, "number": number, "times": times, "money": money,
           "day": day, "month_name": month_name}
