"""What would weaken the case for small caps: measurable conditions, each with its value now
and whether it has already fired."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.formatting import Unit, number
from reportgen.metrics.relative import RelativeSummary

RATE_RISE_PP = 0.25  # in three months
DEEP_DRAWDOWN = -0.20  # from the three-year high
VOLATILITY_GAP = 1.5  # small-cap three-month volatility ÷ large-cap


@dataclass(frozen=True)
class Trigger:
    name: str  # e.g. "Rates rise again"
    condition: str  # when it fires, in words
    value: float | None  # the measure now, in ``unit``; None without data
    unit: Unit
    fired: bool | None  # None without data


def _fired(value: float | None, above: bool, threshold: float) -> bool | None:
    if value is None:
        return None
    return value > threshold if above else value < threshold


def weakening_triggers(small: str, large: str, pair: RelativeSummary | None,
                       ten_year_change_3m: float | None, drawdown_now: float | None,
                       volatility_ratio: float | None) -> list[Trigger]:
    """Each condition measured in the unit it is stated in: the change in the yield, not its
    level; the relative-strength line against its own 52-week low."""
    ratio = pair.ratio if pair else None
    low = number(pair.low_52w if pair else None)
    return [
        Trigger("Relative strength breaks down",
                f"{small} ÷ {large} (rebased to 100 a year ago) falls below its 52-week low "
                f"of {low}", ratio, "number",
                None if pair is None else pair.ratio <= pair.low_52w),
        Trigger("Rates rise again",
                f"the 10-year yield rises more than {RATE_RISE_PP} pp in three months",
                ten_year_change_3m, "pp", _fired(ten_year_change_3m, True, RATE_RISE_PP)),
        Trigger("Small-cap drawdown deepens",
                f"{small} falls more than {abs(DEEP_DRAWDOWN):.0%} below its three-year high",
                drawdown_now, "±%", _fired(drawdown_now, False, DEEP_DRAWDOWN)),
        Trigger("Volatility gap widens",
                f"{small}'s 3-month volatility exceeds {VOLATILITY_GAP}× {large}'s",
                volatility_ratio, "ratio", _fired(volatility_ratio, True, VOLATILITY_GAP)),
    ]
