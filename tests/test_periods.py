import math

import pandas as pd
import pytest

from reportgen.metrics.periods import (
    annualise,
    period_return,
    period_start,
    return_between,
)
from tests.conftest import series

DAY = pd.Timestamp


@pytest.mark.parametrize(("period", "as_of", "start"), [
    ("MTD", "2026-02-18", "2026-01-31"),
    ("YTD", "2026-02-18", "2025-12-31"),
    ("1M", "2026-03-31", "2026-02-28"),  # no 31 February: the month's last day
    ("3M", "2026-05-31", "2026-02-28"),
    ("6M", "2026-02-18", "2025-08-18"),
    ("1Y", "2024-02-29", "2023-02-28"),
    ("3Y", "2026-02-18", "2023-02-18"),
    ("10Y", "2026-02-18", "2016-02-18"),
])
def test_period_start_follows_the_calendar(period: str, as_of: str, start: str) -> None:
    assert period_start(period, DAY(as_of)) == DAY(start)


def test_period_starts_at_the_last_close_on_or_before_a_weekend_start() -> None:
    closes = series({"2026-01-29": 90.0, "2026-01-30": 100.0, "2026-02-02": 105.0,
                     "2026-02-18": 110.0})
    result = period_return(closes, "MTD", DAY("2026-02-18"))
    # 31 January 2026 is a Saturday: the month opens at Friday's close.
    assert result.start_date == DAY("2026-01-30")
    assert result.total == pytest.approx(0.10)


def test_as_of_on_a_holiday_uses_the_last_close_before_it() -> None:
    closes = series({"2025-12-31": 50.0, "2026-01-02": 55.0, "2026-01-05": 60.0})
    result = period_return(closes, "YTD", DAY("2026-01-04"))
    assert (result.end_date, result.total) == (DAY("2026-01-02"), pytest.approx(0.10))


def test_too_short_a_history_gives_none_not_zero() -> None:
    closes = series({"2026-01-05": 100.0, "2026-02-18": 120.0})
    assert period_return(closes, "YTD", DAY("2026-02-18")) is None
    assert period_return(closes, "MTD", DAY("2026-02-18")).total == pytest.approx(0.2)


def test_annualised_return_compounds_over_calendar_days() -> None:
    assert annualise(0.21, 730) == pytest.approx(1.21 ** (365.25 / 730) - 1)
    closes = series({"2023-02-17": 100.0, "2026-02-18": 133.1})
    result = return_between(closes, DAY("2023-02-18"), DAY("2026-02-18"))
    days = (DAY("2026-02-18") - DAY("2023-02-17")).days
    assert result.annualised == pytest.approx(1.331 ** (365.25 / days) - 1)


def test_the_report_table_marks_missing_history_as_nan() -> None:
    from reportgen.metrics.report import returns_with_annualised

    long = series({"2020-12-31": 100.0, "2024-12-31": 100.0, "2025-10-30": 105.0,
                   "2025-12-31": 110.0, "2026-02-18": 121.0})
    short = series({"2026-01-30": 10.0, "2026-02-18": 11.0})
    row = returns_with_annualised(long, DAY("2026-02-18"))
    assert row["YTD"] == pytest.approx(0.10)
    assert row["1Y"] == pytest.approx(0.21)
    assert row["5Y"] == pytest.approx(1.21 ** (365.25 / (DAY("2026-02-18")
                                                       - DAY("2020-12-31")).days) - 1)
    assert math.isnan(returns_with_annualised(short, DAY("2026-02-18"))["YTD"])
