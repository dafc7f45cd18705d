"""The scorecard: each signal marked supportive, neutral or against by a stated threshold."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reportgen.formatting import Unit, figure


class Mark(StrEnum):
    SUPPORTIVE = "supportive"
    NEUTRAL = "neutral"
    AGAINST = "against"


@dataclass(frozen=True)
class Rule:
    name: str  # the signal, e.g. "Valuation"
    measure: str  # what is measured, in words
    unit: Unit  # of the measure and its thresholds
    supportive_if: str  # "below" or "above"
    supportive: float
    against: float

    def mark(self, value: float) -> Mark:
        if self.supportive_if == "below":
            if value < self.supportive:
                return Mark.SUPPORTIVE
            return Mark.AGAINST if value > self.against else Mark.NEUTRAL
        if value > self.supportive:
            return Mark.SUPPORTIVE
        return Mark.AGAINST if value < self.against else Mark.NEUTRAL

    def describe(self) -> str:
        """The rule in words, for the methodology section."""
        better, worse = ("below", "above") if self.supportive_if == "below" else ("above", "below")
        return (f"{self.measure}: supportive {better} {self._threshold(self.supportive)}, "
                f"against {worse} {self._threshold(self.against)}, neutral in between.")

    def _threshold(self, value: float) -> str:
        return figure(value, self.unit, 0 if self.unit in ("%", "±%") else None)


RULES = {
    "valuation": Rule("Valuation", "Small-cap ÷ large-cap forward P/E (trailing where no "
                      "forward figure)", "ratio", "below", 0.85, 1.00),
    "momentum": Rule("Momentum", "Small-minus-large total return over 6 months", "±%",
                     "above", 0.02, -0.02),
    "rates": Rule("Rates", "Change in the 10-year Treasury yield over 3 months", "pp",
                  "below", -0.25, 0.25),
    "earnings": Rule("Earnings", "Small-cap minus large-cap fund earnings growth", "±%",
                     "above", 0.02, -0.02),
    "breadth": Rule("Breadth", "Share of the small-cap universe above its 200-day average",
                    "%", "above", 0.60, 0.40),
    "risk": Rule("Risk", "Small-cap ÷ large-cap 3-month volatility", "ratio", "below",
                 1.20, 1.50),
}


@dataclass(frozen=True)
class Signal:
    key: str
    value: float | None  # None: the data to judge it is missing

    @property
    def rule(self) -> Rule:
        return RULES[self.key]

    @property
    def mark(self) -> Mark | None:
        return None if self.value is None else self.rule.mark(self.value)


VERDICT_LEAD = 2
VERDICT_RULE = ("The verdict counts only signals with data: constructive when supportive "
                f"signals outnumber those against by {VERDICT_LEAD} or more, cautious when "
                f"those against outnumber the supportive ones by {VERDICT_LEAD} or more, "
                "balanced otherwise.")


@dataclass(frozen=True)
class Tally:
    supportive: int
    neutral: int
    against: int

    @property
    def judged(self) -> int:
        """Signals with data; those without are not counted anywhere."""
        return self.supportive + self.neutral + self.against


def tally(signals: list[Signal]) -> Tally:
    marks = [s.mark for s in signals]
    return Tally(marks.count(Mark.SUPPORTIVE), marks.count(Mark.NEUTRAL),
                 marks.count(Mark.AGAINST))


def verdict_tone(signals: list[Signal]) -> str:
    """'constructive', 'balanced' or 'cautious', by VERDICT_RULE."""
    count = tally(signals)
    lead = count.supportive - count.against
    if lead >= VERDICT_LEAD:
        return "constructive"
    if lead <= -VERDICT_LEAD:
        return "cautious"
    return "balanced"
