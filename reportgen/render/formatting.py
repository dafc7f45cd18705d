"""How numbers and dates are written in the report; also registered as template filters."""

from __future__ import annotations

import math

import pandas as pd

DASH = "–"  # printed where a figure is not available


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value: float | None, decimals: int = 1, signed: bool = True) -> str:
    """0.0412 → '+4.1%'; a true minus sign for negatives."""
    if is_missing(value):
        return DASH
    text = f"{value:+.{decimals}%}" if signed else f"{value:.{decimals}%}"
    return text.replace("-", "−")


def points(value: float | None) -> str:
    """A change in a yield, in percentage points: 0.25 → '+0.25 pp'."""
    return DASH if is_missing(value) else f"{value:+.2f} pp".replace("-", "−")


def number(value: float | None, decimals: int = 1) -> str:
    return DASH if is_missing(value) else f"{value:,.{decimals}f}".replace("-", "−")


def times(value: float | None) -> str:
    return DASH if is_missing(value) else f"{value:.2f}×"


def money(value: float | None) -> str:
    """Fund assets: 70_000_000_000 → '$70.0bn'."""
    if is_missing(value):
        return DASH
    return f"${value / 1e9:,.1f}bn" if value >= 1e9 else f"${value / 1e6:,.0f}m"


def day(value: pd.Timestamp | None) -> str:
    """'30 Oct 2026' (no leading zero)."""
    return DASH if value is None else f"{value.day} {value:%b %Y}"


def month_name(value: pd.Period | pd.Timestamp) -> str:
    return f"{value:%B %Y}"


FILTERS = {"pct": pct, "points": points, "number": number, "times": times, "money": money,
           "day": day, "month_name": month_name}
