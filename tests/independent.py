"""An independent implementation of the spec's metric definitions in plain Python (csv,
datetime, bisect, math, statistics: no pandas), to check reportgen's pandas code against."""

from __future__ import annotations

import bisect
import calendar
import csv
import itertools
import math
import statistics
from datetime import date, timedelta
from pathlib import Path


def read_closes(path: Path) -> tuple[list[date], list[float]]:
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    return [date.fromisoformat(r["date"]) for r in rows], [float(r["adj_close"]) for r in rows]


def months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def start_of(period: str, as_of: date) -> date:
    if period == "MTD":
        return as_of.replace(day=1) - timedelta(days=1)
    if period == "YTD":
        return date(as_of.year - 1, 12, 31)
    number, unit = int(period[:-1]), period[-1]
    return months_back(as_of, number * (12 if unit == "Y" else 1))


def last_on_or_before(dates: list[date], day: date) -> int | None:
    position = bisect.bisect_right(dates, day) - 1
    return None if position < 0 else position


def period_return(dates: list[date], closes: list[float], start: date, as_of: date
                  ) -> tuple[float, int] | None:
    """(total return, calendar days between the two closes)."""
    first, last = last_on_or_before(dates, start), last_on_or_before(dates, as_of)
    if first is None or last is None:
        return None
    return closes[last] / closes[first] - 1, (dates[last] - dates[first]).days


def window(dates: list[date], closes: list[float], start: date, as_of: date) -> list[float]:
    first, last = last_on_or_before(dates, start), last_on_or_before(dates, as_of)
    return closes[first: last + 1]


def volatility(values: list[float]) -> float:
    logs = [math.log(b / a) for a, b in itertools.pairwise(values)]
    return statistics.stdev(logs) * math.sqrt(252)


def max_drawdown(values: list[float]) -> float:
    peak, worst = values[0], 0.0
    for value in values:
        peak = max(peak, value)
        worst = min(worst, value / peak - 1)
    return worst


def streak(small: tuple[list[date], list[float]], large: tuple[list[date], list[float]],
           as_of: date) -> tuple[int, date | None]:
    large_by_day = dict(zip(*large, strict=True))
    shared = [(d, c, large_by_day[d]) for d, c in zip(*small, strict=True)
              if d in large_by_day and d <= as_of]
    wins = [(shared[i][0], shared[i][1] / shared[i - 1][1] > shared[i][2] / shared[i - 1][2])
            for i in range(1, len(shared))]
    length = 0
    while length < len(wins) and wins[-1 - length][1]:
        length += 1
    if length == 0:
        return 0, None
    run = 0
    last_as_long = None
    for day, won in wins[: len(wins) - length]:
        run = run + 1 if won else 0
        if run >= length:
            last_as_long = day
    return length, last_as_long


def monthly_gaps(small: tuple[list[date], list[float]], large: tuple[list[date], list[float]],
                 as_of: date) -> list[float]:
    """Small-minus-large return of each calendar month on shared days, month-end close to
    month-end close, to ``as_of``."""
    large_by_day = dict(zip(*large, strict=True))
    month_ends: dict[tuple[int, int], tuple[float, float]] = {}
    for day, close in zip(*small, strict=True):
        if day in large_by_day and day <= as_of:
            month_ends[(day.year, day.month)] = (close, large_by_day[day])
    ends = list(month_ends.values())
    return [(s1 / s0 - 1) - (l1 / l0 - 1) for (s0, l0), (s1, l1) in itertools.pairwise(ends)]
