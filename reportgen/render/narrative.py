"""Sentences generated from the figures by fixed rules: no number is ever typed by hand.

``write_narrative`` reads ``ReportFigures`` once per build and returns every generated
sentence as plain text (the templates escape it). Wording follows the data: "led" or
"lagged", "widest since", and a plain statement where the data is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reportgen.config import Instruments
from reportgen.formatting import day, month_name, number, pct, points, rank, times
from reportgen.metrics.report import MIN_UNIVERSE, ReportFigures, number_at
from reportgen.metrics.signals import Mark, tally, verdict_tone
from reportgen.metrics.valuation import MULTIPLES

ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
            8: "eighth", 9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth"}


# What counts as one unit of "remarkable" for each headline candidate: a 2-point monthly
# gap, a 5-day winning run, a 25% valuation gap; a 52-week extreme scores 2.
HEADLINE_SCALES = {"rotation": 0.02, "streak": 5, "valuation": 0.25, "extreme": 2.0}


@dataclass(frozen=True)
class Narrative:
    """Every generated sentence of one edition."""

    headline: str
    takeaways: list[str]
    performance: list[str]
    valuation: list[str]
    valuation_history: str
    rates: list[str]
    quality: list[str]
    leaders: list[str]
    vehicles: str
    risks: str
    verdict: str
    verdict_line: str  # the verdict in one sentence, without figures: cover and summary


def write_narrative(figures: ReportFigures, instruments: Instruments,
                    valuation_history: pd.Series | None = None) -> Narrative:
    """``valuation_history``: the forward P/E ratio of archived editions, by as-of date."""
    writer = _Writer(figures, instruments)
    history = valuation_history if valuation_history is not None else pd.Series(dtype=float)
    return Narrative(
        headline=writer.headline(), takeaways=writer.takeaways(),
        performance=writer.performance(), valuation=writer.valuation(),
        valuation_history=writer.valuation_history(history) if figures.valuation else "",
        rates=writer.rates(), quality=writer.quality(), leaders=writer.leaders(),
        vehicles=writer.vehicles(), risks=writer.risks(), verdict=writer.verdict(),
        verdict_line=writer.verdict_line())


@dataclass(frozen=True)
class _Writer:
    figures: ReportFigures
    instruments: Instruments

    @property
    def _pair(self) -> tuple[str, str]:
        return self.figures.small, self.figures.large

    def _label(self, ticker: str) -> str:
        return f"{self.instruments.name(ticker)} ({ticker})"

    def _month_returns(self) -> tuple[float, float] | None:
        """Calendar-month returns: what "in October" means; None when either is withheld
        (no data, or a gap in the month)."""
        small, large = self._pair
        returns = self.figures.month_returns
        if pd.isna(returns.get(small)) or pd.isna(returns.get(large)):
            return None
        return float(returns[small]), float(returns[large])

    def _month_withheld(self) -> str:
        withheld = [t for t in self._pair if pd.isna(self.figures.month_returns.get(t))]
        return (f"{' and '.join(withheld)} {month_name(self.figures.month)} return"
                f"{'s are' if len(withheld) > 1 else ' is'} not shown: the data notes say why.")

    @property
    def as_of(self) -> str:
        return day(self.figures.as_of)

    # -- cover and summary -------------------------------------------------------------

    def headline(self) -> str:
        """The strongest signal of the month, in one line: each candidate is scored by how
        far it is beyond what would be unremarkable (see HEADLINE_SCALES)."""
        candidates = [c for c in (self._rotation_headline(), self._streak_headline(),
                                  self._extreme_headline(), self._valuation_headline())
                      if c is not None]
        if not candidates:
            return f"US small caps to {self.as_of}"
        return max(candidates, key=lambda c: c[0])[1]

    def _rotation_headline(self) -> tuple[float, str] | None:
        small, large = self._pair
        months = self._month_returns()
        if months is None:
            return None
        small_month, large_month = months
        run = abs(self.figures.month_lead_streak)
        verb = "lead" if small_month > large_month else "trail"
        streak = f" for a {ORDINALS[run]} month" if run in ORDINALS else ""
        if run > 12:
            streak = f" for {run} months running"
        text = (f"Small caps {verb}{streak}: the {self.instruments.name(small)} "
                f"{'led' if verb == 'lead' else 'lagged'} the {self.instruments.name(large)} "
                f"by {_gap(small_month, large_month)} in {self.figures.as_of:%B}")
        return abs(small_month - large_month) / HEADLINE_SCALES["rotation"], text

    def _streak_headline(self) -> tuple[float, str] | None:
        pair = self.figures.pair
        if pair is None or pair.streak.length < 5:
            return None
        since = (f"the longest run since {day(pair.streak.last_as_long)}"
                 if pair.streak.last_as_long else "the longest on record")
        return (pair.streak.length / HEADLINE_SCALES["streak"],
                f"Small caps beat large caps {pair.streak.length} days running, {since}")

    def _extreme_headline(self) -> tuple[float, str] | None:
        pair = self.figures.pair
        if pair is None or pair.low_52w < pair.ratio < pair.high_52w:
            return None
        level = "high" if pair.ratio >= pair.high_52w else "low"
        return (HEADLINE_SCALES["extreme"],
                f"Small caps at a 52-week {level} against large caps: "
                f"{' ÷ '.join(self._pair)} {pct(pair.ratio / 100 - 1)} in a year")

    def _valuation_headline(self) -> tuple[float, str] | None:
        ratios = {v.multiple: v for v in self.figures.valuation}
        chosen = ratios.get("forward_pe") or ratios.get("trailing_pe")
        if chosen is None:
            return None
        gap = "discount" if chosen.ratio < 1 else "premium"
        return (abs(1 - chosen.ratio) / HEADLINE_SCALES["valuation"],
                f"Small caps trade at a {pct(abs(1 - chosen.ratio), 0, signed=False)} {gap} "
                f"to large caps on {_lower_first(MULTIPLES[chosen.multiple])}")

    def takeaways(self) -> list[str]:
        items = [self.rotation_takeaway(), self.valuation_takeaway(), self.rates_takeaway(),
                 self.earnings_takeaway(), self.risk_takeaway()]
        return [item for item in items if item]

    def rotation_takeaway(self) -> str:
        small, large = self._pair
        pair = self.figures.pair
        months = self._month_returns()
        if months is None:
            text = f"Rotation: {self._month_withheld()}"
        else:
            small_month, large_month = months
            verb = "outperformed" if small_month > large_month else "underperformed"
            text = (f"Rotation: small caps {verb} in {month_name(self.figures.month)}: {small} "
                    f"{'led' if small_month > large_month else 'trailed'} {large} by "
                    f"{_gap(small_month, large_month)} (month to {self.as_of}).")
        if pair and pair.spread_12m is not None:
            side = "ahead" if pair.spread_12m > 0 else "behind"
            text += (f" Over twelve months small caps are {side} by "
                     f"{pct(abs(pair.spread_12m), signed=False)}.")
        return text

    def valuation_takeaway(self) -> str:
        ratios = {v.multiple: v for v in self.figures.valuation}
        chosen = ratios.get("forward_pe") or ratios.get("trailing_pe")
        if chosen is None:
            return ("Valuation: no P/E figures are available for the funds this month, so no "
                    "valuation comparison is made.")
        cheaper = "a discount" if chosen.ratio < 1 else "a premium"
        return (f"Valuation: small caps trade at {times(chosen.ratio)} large-cap "
                f"{_lower_first(MULTIPLES[chosen.multiple])} ({self.figures.small} "
                f"{chosen.small:.1f} vs {self.figures.large} {chosen.large:.1f}), {cheaper} of "
                f"{pct(abs(chosen.ratio - 1), 0, signed=False)}.")

    def rates_takeaway(self) -> str:
        rates = self.figures.rates
        if rates.ten_year_yield is None:
            return ""
        change = rates.ten_year_change_3m
        moved = ("rose" if change > 0 else "fell") if change else "was unchanged"
        text = f"Rates: the 10-year Treasury yield {moved} over the three months to {self.as_of}."
        cuts = number_at(rates.fed_study, 6, "count")
        share = number_at(rates.fed_study, 6, "share_positive")
        if cuts and share is not None:
            text += (f" In the six months after past Fed cuts, small caps led large caps after "
                     f"{pct(share, 0, signed=False)} of {int(cuts)} cuts.")
        return text

    def earnings_takeaway(self) -> str:
        table = self.figures.quality.fundamentals
        small, large = self._pair
        small_growth = number_at(table, small, "earnings_growth")
        large_growth = number_at(table, large, "earnings_growth")
        if small_growth is None or large_growth is None:
            return ""
        return (f"Earnings: {small}'s holdings report earnings growth of "
                f"{pct(small_growth, 0, signed=False)} against "
                f"{pct(large_growth, 0, signed=False)} for {large} "
                "(fund-level figures from the data source).")

    def risk_takeaway(self) -> str:
        small, large = self._pair
        small_vol = self.figures.risk.volatility_3m.get(small)
        large_vol = self.figures.risk.volatility_3m.get(large)
        if small_vol is None or large_vol is None:
            return ""
        return (f"Risk: {small}'s three-month volatility is "
                f"{pct(small_vol, signed=False)} against {pct(large_vol, signed=False)} "
                f"for {large}, to {self.as_of}.")

    # -- sections ----------------------------------------------------------------------

    def _month_paragraph(self) -> str:
        small, large = self._pair
        months = self._month_returns()
        if months is None:
            return self._month_withheld()
        small_month, large_month = months
        verb = "led" if small_month > large_month else "lagged"
        text = (f"In {month_name(self.figures.month)} the {self._label(small)} {verb} the "
                f"{self._label(large)}, as the table shows for each period.")
        small_ytd = number_at(self.figures.returns, small, "YTD")
        large_ytd = number_at(self.figures.returns, large, "YTD")
        if small_ytd is not None and large_ytd is not None:
            ahead = "ahead of" if small_ytd > large_ytd else "behind"
            text += (f" Year to date small caps are {ahead} large caps by "
                     f"{_gap(small_ytd, large_ytd)}.")
        return text

    def performance(self) -> list[str]:
        small, large = self._pair
        pair = self.figures.pair
        paragraphs = [self._month_paragraph()]
        if pair is None:
            paragraphs.append("Relative strength needs a year of prices shared by both funds, "
                              "which the data does not give, so it is not shown.")
            return paragraphs
        position = ("at its 52-week high" if pair.ratio >= pair.high_52w else
                    "at its 52-week low" if pair.ratio <= pair.low_52w else
                    f"{pct(1 - pair.ratio / pair.high_52w, signed=False)} below its 52-week "
                    f"high of {day(pair.high_52w_date)} (the cover's chart marks both ends)")
        paragraphs.append(
            f"Relative strength ({small} ÷ {large}, rebased to 100 a year ago) is "
            f"{pair.ratio:.1f}, {position}.")
        streak = pair.streak
        if streak.length:
            since = (f"the longest streak since {day(streak.last_as_long)}"
                     if streak.last_as_long else "the longest in the shared history")
            paragraphs.append(f"Small caps have beaten large caps for {streak.length} trading "
                              f"day{'s' if streak.length > 1 else ''} running to {self.as_of}, "
                              f"{since}.")
        else:
            paragraphs.append(f"Small caps trailed large caps on {self.as_of}, so there is no "
                              "current run of winning days.")
        spread = (f"The small-minus-large spread over twelve months is {pct(pair.spread_12m)}; "
                  "the six-month spread is on the cover.")
        widest = self.figures.spread_6m_last_as_wide
        if pair.spread_6m is not None and (widest is None or widest < self.figures.as_of
                                           - pd.DateOffset(months=1)):
            side = "in small caps' favour" if pair.spread_6m > 0 else "against small caps"
            since = f"since {day(widest)}" if widest is not None else "in the shared history"
            spread += f" That six-month gap {side} is the widest {since}."
        paragraphs.append(spread)
        decade = self._decades()
        return [*paragraphs, decade] if decade else paragraphs

    def _decades(self) -> str:
        """The long run, from the size deciles: where the latest ten years rank."""
        spell = self.figures.macro.size_spread_10y
        if spell is None:
            return ""
        side = "more" if spell.value > 0 else "less"
        return (f"Over the longer run, in the ten years to {spell.as_of:%B %Y} the smallest "
                f"tenth of US stocks returned {pct(abs(spell.value), signed=False)} a year "
                f"{side} than the largest tenth, {rank(spell.percentile)} ten-year spells "
                f"since {spell.since:%Y}.")

    def valuation(self) -> list[str]:
        if not self.figures.valuation:
            return [f"No valuation multiples are available for {self.figures.small} or "
                    f"{self.figures.large} this month, so this section has no figures."]
        lines = []
        for ratio in self.figures.valuation:
            lines.append(f"{MULTIPLES[ratio.multiple]}: {self.figures.small} "
                         f"{ratio.small:.1f} vs {self.figures.large} {ratio.large:.1f}, a "
                         f"ratio of {ratio.ratio:.2f}.")
        method = self.figures.valuation[0].method_small
        if method:
            lines.append(f"Method, as the source states it: {method}.")
        return lines

    def rates(self) -> list[str]:
        rates = self.figures.rates
        text = []
        yields = []
        if rates.bill_yield is not None:
            yields.append(f"the 13-week T-bill yielded {rates.bill_yield:.2f}% "
                          f"({points(rates.bill_change_12m)} over a year)")
        if rates.ten_year_yield is not None:
            yields.append(f"the 10-year Treasury {rates.ten_year_yield:.2f}% "
                          f"({points(rates.ten_year_change_3m)} over three months)")
        if yields:
            text.append(f"On {self.as_of} {' and '.join(yields)}.")
        fit = rates.sensitivity
        if fit is not None:
            text.append(f"Fitted over the last {fit.months} months, small caps' monthly return "
                        f"relative to large caps moved by {pct(fit.slope)} for each percentage "
                        f"point the 10-year yield rose in a month (a regression slope; "
                        f"correlation {number(fit.correlation, 2)}, so rates explain "
                        f"{pct(fit.correlation ** 2, 0, signed=False)} of the monthly "
                        "differences).")
        macro = self.figures.macro
        if macro.target_low is not None and macro.target_high is not None:
            text.insert(0, f"The Fed's target range for the federal funds rate was "
                           f"{number(macro.target_low, 2)}–{number(macro.target_high, 2)}% "
                           f"on {day(macro.target_as_of)}, the latest date in the data.")
        if rates.cuts_in_study:
            text.append(f"The event study covers {rates.cuts_in_study} Fed rate cuts from "
                        f"{day(rates.first_cut)} to {day(rates.last_cut)}, of which "
                        f"{rates.cycle_starts_in_study} began an easing cycle (the first cut "
                        "after six months without one); cuts within a cycle are not "
                        "independent events, so the table shows cycle starts apart.")
        if rates.latest_cut is not None:
            when, number_, began = rates.latest_cut
            text.append(f"The latest cut, on {day(when)}, was the {_ordinal(number_)} of the "
                        f"easing cycle that began on {day(began)}."
                        if number_ > 1 else
                        f"The latest cut, on {day(when)}, began a new easing cycle.")
        return text

    def quality(self) -> list[str]:
        quality = self.figures.quality
        text = []
        if quality.fundamentals.empty:
            text.append("No fund-level earnings or profitability figures are available this "
                        "month.")
        if 0 < quality.universe_size < MIN_UNIVERSE:
            text.append(f"The stock universe is {_join(quality.universe)}: "
                        f"{quality.universe_size} stocks, too few for a share of losers, a "
                        f"spread of returns or a breadth figure to say anything about small "
                        f"caps (that needs at least {MIN_UNIVERSE}).")
        if quality.share_unprofitable is not None:
            text.append(f"In the universe of {quality.universe_size} small "
                        f"companies, {pct(quality.share_unprofitable, 0, signed=False)} report "
                        "a loss over the last twelve months.")
        if quality.dispersion_ytd is not None:
            text.append(f"The spread of year-to-date returns across that universe (standard "
                        f"deviation) is {pct(quality.dispersion_ytd, 0, signed=False)}: the "
                        "raw material for stock selection.")
        if quality.share_above_200d is not None:
            text.append(f"{pct(quality.share_above_200d, 0, signed=False)} of the universe "
                        "trades above its 200-day average.")
        return text

    def leaders(self) -> list[str]:
        month = self.figures.leaders_month
        if month.empty:
            return ["No prices are available for the stock universe this month."]
        return [f"Of the universe's {len(month)} stocks with prices this month, the best in "
                f"{month_name(self.figures.month)} was {month.index[0]} ({pct(month.iloc[0])}) "
                f"and the worst {month.index[-1]} ({pct(month.iloc[-1])})."]

    def valuation_history(self, history: pd.Series) -> str:
        """Where this month's forward P/E ratio sits among the archived editions' ratios."""
        now = {v.multiple: v.ratio for v in self.figures.valuation}.get("forward_pe")
        if now is None or len(history) < 2:
            return ("Where this ratio sits against its own history builds month by month "
                    f"from the archive of past editions; {len(history)} earlier edition"
                    f"{'' if len(history) == 1 else 's'} with a forward P/E ratio so far.")
        below = float((history < now).mean())
        return (f"Against the {len(history)} archived editions since {day(history.index[0])}, "
                f"the forward P/E ratio ranged from {history.min():.2f} to "
                f"{history.max():.2f}; at {now:.2f} it is above "
                f"{pct(below, 0, signed=False)} of them.")

    def vehicles(self) -> str:
        best = self.figures.best_sharpe
        if best is None:
            return ""
        return (f"Over three years the best Sharpe ratio (return above T-bills per unit of "
                f"volatility) was {best[0]}'s, {number(best[1], 2)}; index funds differ mainly "
                "in cost and in how "
                "they treat unprofitable companies, while value and quality tilts change what "
                "you own.")

    def risks(self) -> str:
        small, large = self._pair
        risk = self.figures.risk
        worst = risk.max_drawdown_3y.get(small)
        summary = (f"Over one year {small}'s volatility was "
                   f"{pct(risk.volatility_1y.get(small), signed=False)} against "
                   f"{pct(risk.volatility_1y.get(large), signed=False)} for {large}, and "
                   f"their daily returns had a correlation of "
                   f"{number(risk.correlation_1y, 2)}.")
        if worst is not None:
            summary += (f" {small}'s deepest fall in three years was {pct(worst.depth)}, "
                        f"from {day(worst.peak)} to {day(worst.trough)}; it is now "
                        f"{pct(risk.drawdown_now.get(small))} from its three-year high.")
        return summary + self._risk_appetite()

    def _risk_appetite(self) -> str:
        """Credit and volatility against their own history: context for the risks."""
        macro, parts = self.figures.macro, []
        if macro.high_yield_spread is not None:
            hy = macro.high_yield_spread
            parts.append(f"the high-yield bond spread was {number(hy.value, 2)}% on "
                         f"{day(hy.as_of)}, {rank(hy.percentile)} days since {hy.since:%Y}")
        if macro.vix is not None:
            parts.append(f"VIX was {number(macro.vix.value, 1)} on {day(macro.vix.as_of)}, "
                         f"{rank(macro.vix.percentile)} days since {macro.vix.since:%Y}")
        if not parts:
            return ""
        return (f" For risk appetite, {' and '.join(parts)}; small companies borrow more and "
                "feel tighter credit first.")

    def verdict_line(self) -> str:
        signals = self.figures.signals
        named = {mark: [s.rule.name.lower() for s in signals if s.mark == mark]
                 for mark in (Mark.SUPPORTIVE, Mark.AGAINST)}
        reasons = [f"{_join(names)} {mark.value}" for mark, names in named.items() if names]
        return (f"The evidence reads {verdict_tone(signals)} for small caps"
                + (f": {'; '.join(reasons)}." if reasons else "."))

    def verdict(self) -> str:
        signals = self.figures.signals
        tone = verdict_tone(signals)
        by_mark = {mark: [s.rule.name.lower() for s in signals if s.mark == mark]
                   for mark in Mark}
        missing = [s.rule.name.lower() for s in signals if s.mark is None]
        parts = []
        for mark in Mark:
            if by_mark[mark]:
                parts.append(f"{_join(by_mark[mark])} {_be(by_mark[mark])} {mark.value}")
        count = tally(signals)
        text = (f"The evidence reads {tone} for small caps ({count.supportive} supportive, "
                f"{count.against} against, of {count.judged} signals with data): "
                f"{'; '.join(parts)}.")
        if missing:
            text += f" No judgement on {_join(missing)}: the data is missing."
        return text + " This is a summary of the signals, not a recommendation."


def _gap(first: float, second: float) -> str:
    """The difference of two returns as printed (so it adds up), in percentage points."""
    return f"{abs(round(100 * first, 1) - round(100 * second, 1)):.1f} percentage points"


def _ordinal(number: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
             7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth"}
    return words.get(number, f"{number}th")


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _be(words: list[str]) -> str:
    return "is" if len(words) == 1 else "are"
