"""Which trading day an edition or a figure is as of: one rule, one error message."""

from __future__ import annotations

import pandas as pd

from reportgen.errors import ReportgenError


def _outside(what: str, calendar: pd.DatetimeIndex) -> ReportgenError:
    return ReportgenError(
        f"{what} is outside the data, which runs from {calendar[0]:%Y-%m-%d} to "
        f"{calendar[-1]:%Y-%m-%d}. Choose a date within that range, or refresh the data "
        "(reportgen data fetch).")


def resolve_as_of(calendar: pd.DatetimeIndex, requested: pd.Timestamp | None
                  ) -> pd.Timestamp:
    """The last trading day in ``calendar`` on or before ``requested``; the calendar's last
    day when nothing is requested.

    Edge cases: a date before the first trading day is an error; so is a date after the
    last one, unless no business day separates them (a weekend or holiday right after the
    data ends), since the data might simply not be there yet.
    """
    if requested is None:
        return calendar[-1]
    if requested < calendar[0] or len(
            pd.bdate_range(calendar[-1] + pd.Timedelta(days=1), requested)):
        raise _outside(f"--as-of {requested:%Y-%m-%d}", calendar)
    return calendar[calendar <= requested][-1]


def edition_dates(calendar: pd.DatetimeIndex, month: pd.Period | None,
                  as_of: pd.Timestamp | None, today: pd.Timestamp | None = None
                  ) -> tuple[pd.Period, pd.Timestamp]:
    """An edition's month and as-of date. By default the last complete calendar month (or
    the data's last month, when the data ends earlier) and its last trading day in
    ``calendar``; ``as_of`` picks both; ``month`` picks the month."""
    if as_of is not None:
        day = resolve_as_of(calendar, as_of)
        return day.to_period("M"), day
    if month is None:
        last_complete = (today or pd.Timestamp.now()).to_period("M") - 1
        month = min(last_complete, calendar[-1].to_period("M"))
    days = calendar[calendar.to_period("M") == month]
    if days.empty:
        raise _outside(f"--month {month}", calendar)
    return month, days[-1]
