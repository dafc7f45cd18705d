"""What would weaken the case: each condition in its own unit, and whether it has fired."""

import pandas as pd

from reportgen.metrics.relative import RelativeSummary, Streak
from reportgen.metrics.triggers import weakening_triggers


def summary(ratio: float, low: float) -> RelativeSummary:
    day = pd.Timestamp("2026-09-30")
    return RelativeSummary(ratio=ratio, price_ratio=0.35, high_52w=110.0, high_52w_date=day,
                           low_52w=low, low_52w_date=day, streak=Streak(0, None),
                           spread_6m=None, spread_12m=None)


def test_a_trigger_that_has_fired_says_so_and_shows_the_change_not_the_level() -> None:
    rates = {t.name: t for t in weakening_triggers("IWM", "SPY", summary(95.0, 95.0), 0.53,
                                                   -0.08, 1.2)}
    rise = rates["Rates rise again"]
    assert (rise.value, rise.unit, rise.fired) == (0.53, "pp", True)
    assert rates["Relative strength breaks down"].fired is True  # at its low
    assert rates["Small-cap drawdown deepens"].fired is False
    assert rates["Volatility gap widens"].fired is False
    quiet = weakening_triggers("IWM", "SPY", None, None, -0.25, 1.6)
    assert [t.fired for t in quiet] == [None, None, True, True]
    assert "52-week low of –" in quiet[0].condition
