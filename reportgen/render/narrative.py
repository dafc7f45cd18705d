"""Sentences generated from the figures by fixed rules: no number is ever typed by hand.

``write_narrative`` reads ``ReportFigures`` once per build and returns every generated
sentence as plain text (the templates escape it). Wording follows the data: "led" or
"lagged", "widest since", and a plain statement where the data is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from reportgen.config import Instruments
from reportgen.formatting import day, figure, month_name, number, pct, points, rank
from reportgen.metrics.changes import Comparison
from reportgen.metrics.macro import CAPE_NAME
from reportgen.metrics.report import MIN_UNIVERSE, ReportFigures, number_at
from reportgen.metrics.signals import Mark, tally, verdict_tone
from reportgen.metrics.valuation import MULTIPLES, ValuationRatio

ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
            8: "eighth", 9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth"}


# What counts as one unit of "remarkable" for each headline candidate: a 2-point monthly
# gap, a 5-day winning run, a 25% valuation gap; a 52-week extreme scores 2.
HEADLINE_SCALES = {"rotation": 0.02, "streak": 5, "valuation": 0.25, "extreme": 2.0}


@dataclass(frozen=True)
class Sentence:
    """One generated statement. Its ``key`` ("performance.streak": the section id, a dot, a
    name) is how the analyst's commentary replaces or removes it."""

    key: str
    text: str  # plain text; an analyst's replacement is rendered Markdown (Markup)


# The sections whose first sentence is their finding, printed under the heading before
# any table or chart. The takeaways are all findings; the sources are reference.
LEADING_SECTIONS = ("performance", "valuation", "rates", "quality", "leaders", "ways_to_play",
                    "risks", "verdict", "changes")


@dataclass(frozen=True)
class Narrative:
    """Every generated sentence of one edition."""

    headline: str  # the commentary's headline replaces it, under its own length limit
    verdict_line: Sentence  # the verdict in one sentence, without figures: cover and summary
    sections: dict[str, tuple[Sentence, ...]]  # section id → its sentences, finding first

    def sentence_keys(self) -> list[str]:
        """The keys of every sentence the commentary may edit."""
        return [self.verdict_line.key,
                *(s.key for sentences in self.sections.values() for s in sentences)]

    def texts(self, section: str) -> list[str]:
        return [s.text for s in self.sections.get(section, ())]

    def revised(self, edits: Mapping[str, str | None]) -> Narrative:
        """The narrative with the analyst's edits: sentence key → new text, or None to
        remove it. The verdict line can be replaced, not removed (the cover needs it)."""
        if self.verdict_line.key in edits and edits[self.verdict_line.key] is None:
            raise ValueError(f"{self.verdict_line.key} can be replaced but not removed")

        def edit(sentence: Sentence) -> Sentence | None:
            if sentence.key not in edits:
                return sentence
            text = edits[sentence.key]
            return None if text is None else Sentence(sentence.key, text)

        def kept(sentences: tuple[Sentence, ...]) -> tuple[Sentence, ...]:
            return tuple(s for s in map(edit, sentences) if s is not None)

        return Narrative(headline=self.headline,
                         verdict_line=edit(self.verdict_line) or self.verdict_line,
                         sections={id_: kept(s) for id_, s in self.sections.items()})


def write_narrative(figures: ReportFigures, instruments: Instruments,
                    valuation_history: pd.Series | None = None,
                    comparison: Comparison | None = None) -> Narrative:
    """``valuation_history``: the forward P/E ratio of archived editions, by as-of date;
    ``comparison``: this edition against the previous one, if there is one."""
    writer = _Writer(figures, instruments)
    history = valuation_history if valuation_history is not None else pd.Series(dtype=float)
    sections = {
        "takeaways": writer.takeaways(), "performance": writer.performance(),
        "valuation": writer.valuation(history), "rates": writer.rates(),
        "quality": writer.quality(), "leaders": writer.leaders(),
        "ways_to_play": writer.vehicles(), "risks": writer.risks(),
        "verdict": writer.verdict(), "changes": writer.changes(comparison)}
    return Narrative(headline=writer.headline(),
                     verdict_line=Sentence("cover.verdict", writer.verdict_line()),
                     sections={id_: tuple(s for s in sentences if s.text)
                               for id_, sentences in sections.items()})


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
        chosen = self._pe()
        if chosen is None:
            return None
        gap = "discount" if chosen.ratio < 1 else "premium"
        return (abs(1 - chosen.ratio) / HEADLINE_SCALES["valuation"],
                f"Small caps trade at a {pct(abs(1 - chosen.ratio), 0, signed=False)} {gap} "
                f"to large caps on {_lower_first(MULTIPLES[chosen.multiple])}")

    def takeaways(self) -> list[Sentence]:
        return [Sentence("takeaways.rotation", self.rotation_takeaway()),
                Sentence("takeaways.valuation", self.valuation_takeaway()),
                Sentence("takeaways.rates", self.rates_takeaway()),
                Sentence("takeaways.earnings", self.earnings_takeaway()),
                Sentence("takeaways.risk", self.risk_takeaway())]

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
        chosen = self._pe()
        if chosen is None:
            return ("Valuation: no P/E figures are available for the funds this month, so no "
                    "valuation comparison is made.")
        cheaper = "discount" if chosen.ratio < 1 else "premium"
        return (f"Valuation: small caps trade at a "
                f"{pct(abs(chosen.ratio - 1), 0, signed=False)} {cheaper} to large caps on "
                f"{_lower_first(MULTIPLES[chosen.multiple])} ({self.figures.small} "
                f"{chosen.small:.1f} against {self.figures.large} {chosen.large:.1f}).")

    def _pe(self) -> ValuationRatio | None:
        """The P/E the edition leads with: forward if the source gives it, else trailing."""
        ratios = {v.multiple: v for v in self.figures.valuation}
        return ratios.get("forward_pe") or ratios.get("trailing_pe")

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

    # -- sections: each list starts with the section's finding --------------------------

    def _month_finding(self) -> str:
        small, large = self._pair
        months = self._month_returns()
        if months is None:
            return self._month_withheld()
        small_month, large_month = months
        verb = "led" if small_month > large_month else "lagged"
        text = (f"In {month_name(self.figures.month)} the {self._label(small)} {verb} the "
                f"{self._label(large)}{self._month_in_history()}.")
        small_ytd = number_at(self.figures.returns, small, "YTD")
        large_ytd = number_at(self.figures.returns, large, "YTD")
        if small_ytd is not None and large_ytd is not None:
            ahead = "ahead of" if small_ytd > large_ytd else "behind"
            text += (f" Year to date small caps are {ahead} large caps by "
                     f"{_gap(small_ytd, large_ytd)}; the table gives every period.")
        return text

    def _month_in_history(self) -> str:
        """Where the month's small-minus-large return ranks among every month since the
        funds' shared history began; nothing when it is unremarkable (the middle half)."""
        gap = self.figures.month_gap
        if gap is None:
            return ""
        for share, words in ((0.1, "tenth"), (0.25, "quarter")):
            since = f"months since {gap.since:%b %Y}"
            if gap.percentile <= share:
                return f", a month in the worst {words} for small caps against large caps of " \
                       f"all {since}"
            if gap.percentile > 1 - share:
                return f", a month in the best {words} for small caps against large caps of " \
                       f"all {since}"
        return ""

    def performance(self) -> list[Sentence]:
        small, large = self._pair
        pair = self.figures.pair
        month = Sentence("performance.month", self._month_finding())
        if pair is None:
            return [month, Sentence(
                "performance.relative_strength",
                "Relative strength needs a year of prices shared by both funds, which the "
                "data does not give, so it is not shown.")]
        position = ("at its 52-week high" if pair.ratio >= pair.high_52w else
                    "at its 52-week low" if pair.ratio <= pair.low_52w else
                    f"{pct(1 - pair.ratio / pair.high_52w, signed=False)} below its 52-week "
                    f"high of {day(pair.high_52w_date)} (the cover's chart marks both ends)")
        strength = Sentence(
            "performance.relative_strength",
            f"Relative strength ({small} ÷ {large}, rebased to 100 a year ago) is "
            f"{pair.ratio:.1f}, {position}; the line rises when small caps gain on large caps.")
        streak = pair.streak
        if streak.length:
            since = (f"the longest streak since {day(streak.last_as_long)}"
                     if streak.last_as_long else "the longest in the shared history")
            run = (f"Small caps have beaten large caps for {streak.length} trading "
                   f"day{'s' if streak.length > 1 else ''} running to {self.as_of}, {since}.")
        else:
            run = (f"Small caps trailed large caps on {self.as_of}, so there is no current "
                   "run of winning days.")
        spread = (f"The small-minus-large spread over twelve months is {pct(pair.spread_12m)}; "
                  "the six-month spread is on the cover.")
        widest = self.figures.spread_6m_last_as_wide
        if pair.spread_6m is not None and (widest is None or widest < self.figures.as_of
                                           - pd.DateOffset(months=1)):
            side = "in small caps' favour" if pair.spread_6m > 0 else "against small caps"
            since = f"since {day(widest)}" if widest is not None else "in the shared history"
            spread += f" That six-month gap {side} is the widest {since}."
        return [month, strength, Sentence("performance.streak", run),
                Sentence("performance.spread", spread),
                Sentence("performance.decades", self._decades())]

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

    def valuation(self, history: pd.Series) -> list[Sentence]:
        ratios = self.figures.valuation
        if not ratios:
            return [Sentence("valuation.summary",
                             f"No valuation multiples are available for {self.figures.small} "
                             f"or {self.figures.large} this month, so the fund table is "
                             "empty."),
                    Sentence("valuation.long_run", self._long_run_valuation())]
        cheaper = sum(v.ratio < 1 for v in ratios)
        if cheaper == len(ratios):
            summary = (f"Small caps are cheaper than large caps on "
                       f"{'both' if cheaper == 2 else f'all {cheaper}'} multiples the source "
                       "gives" if cheaper > 1 else
                       f"Small caps are cheaper than large caps on "
                       f"{_lower_first(MULTIPLES[ratios[0].multiple])}")
        elif cheaper == 0:
            summary = (f"Small caps are dearer than large caps on every multiple the source "
                       f"gives ({len(ratios)})")
        else:
            summary = (f"Small caps are cheaper than large caps on {cheaper} of the "
                       f"{len(ratios)} multiples the source gives")
        summary += ("; a lower multiple means each dollar buys more of the companies' "
                    "earnings or assets.")
        method = ratios[0].method_small
        return [Sentence("valuation.summary", summary),
                Sentence("valuation.method",
                         f"Method, as the source states it: {method}." if method else ""),
                Sentence("valuation.archive", self.valuation_archive(history)),
                Sentence("valuation.long_run", self._long_run_valuation())]

    def _long_run_valuation(self) -> str:
        """The first multiple with a long history (Shiller's CAPE leads when given)."""
        rows = self.figures.macro.valuation_history
        if not rows:
            return ""
        row = next((r for r in rows if r.measure == CAPE_NAME), rows[0])
        side = "above" if row.z_score > 0 else "below"
        text = (f"{row.measure} stood at {number(row.now.value)} in {row.now.as_of:%B %Y}, "
                f"{number(abs(row.z_score), 1)} standard deviations {side} its average since "
                f"{row.now.since:%Y}")
        if row.measure == CAPE_NAME and abs(row.z_score) >= 1:
            # Shiller's finding: the CAPE and the next ten years' real returns move apart.
            later = "below" if side == "above" else "above"
            text += (f"; in Shiller's data, months this far {side} the average have on average "
                     f"been followed by ten-year real returns {later} the long-run norm")
        return text + "."

    def valuation_archive(self, history: pd.Series) -> str:
        """Where this month's forward P/E ratio sits among the archived editions' ratios."""
        now = {v.multiple: v.ratio for v in self.figures.valuation}.get("forward_pe")
        if now is None:
            return ""
        if len(history) < 2:
            return ("Where this ratio sits against its own history builds month by month "
                    f"from the archive of past editions; {len(history)} earlier edition"
                    f"{'' if len(history) == 1 else 's'} with a forward P/E ratio so far.")
        below = float((history < now).mean())
        return (f"Against the {len(history)} archived editions since {day(history.index[0])}, "
                f"the forward P/E ratio ranged from {history.min():.2f} to "
                f"{history.max():.2f}; at {now:.2f} it is above "
                f"{pct(below, 0, signed=False)} of them.")

    def rates(self) -> list[Sentence]:
        rates = self.figures.rates
        yields = []
        if rates.bill_yield is not None:
            yields.append(f"the 13-week T-bill yielded {rates.bill_yield:.2f}% "
                          f"({points(rates.bill_change_12m)} over a year)")
        if rates.ten_year_yield is not None:
            yields.append(f"the 10-year Treasury {rates.ten_year_yield:.2f}% "
                          f"({points(rates.ten_year_change_3m)} over three months)")
        fit = rates.sensitivity
        sensitivity = "" if fit is None else (
            f"Fitted over the last {fit.months} months, small caps' monthly return relative "
            f"to large caps moved by {pct(fit.slope)} for each percentage point the 10-year "
            f"yield rose in a month (a regression slope; correlation "
            f"{number(fit.correlation, 2)}, so rates explain "
            f"{pct(fit.correlation ** 2, 0, signed=False)} of the monthly differences).")
        study = "" if not rates.cuts_in_study else (
            f"The event study covers {rates.cuts_in_study} Fed rate cuts from "
            f"{day(rates.first_cut)} to {day(rates.last_cut)}, of which "
            f"{rates.cycle_starts_in_study} began an easing cycle (the first cut after six "
            "months without one); cuts within a cycle are not independent events, so the "
            "table shows cycle starts apart.")
        return [Sentence("rates.policy", self._policy()),
                Sentence("rates.yields", f"On {self.as_of} {' and '.join(yields)}."
                         if yields else ""),
                Sentence("rates.sensitivity", sensitivity), Sentence("rates.study", study)]

    def _policy(self) -> str:
        """The policy rate and where the latest cut sits in its cycle, and why it matters."""
        macro, latest = self.figures.macro, self.figures.rates.latest_cut
        parts = []
        if latest is not None:
            when, count, began = latest
            parts.append(f"The Fed's latest cut, on {day(when)}, was the {_ordinal(count)} of "
                         f"the easing cycle that began on {day(began)}" if count > 1 else
                         f"The Fed's latest cut, on {day(when)}, began a new easing cycle")
        if macro.target_low is not None and macro.target_high is not None:
            parts.append(f"the target range for the federal funds rate was "
                         f"{number(macro.target_low, 2)}–{number(macro.target_high, 2)}% on "
                         f"{day(macro.target_as_of)}")
        if not parts:
            return ""
        text = "; ".join(parts)
        return (text[0].upper() + text[1:] + ". Small companies borrow more at floating "
                "rates than large ones, so changes in the policy rate reach their interest "
                "bills sooner.")

    def quality(self) -> list[Sentence]:
        quality = self.figures.quality
        small_universe = 0 < quality.universe_size < MIN_UNIVERSE
        return [
            Sentence("quality.fundamentals",
                     "No fund-level earnings or profitability figures are available this "
                     "month." if quality.fundamentals.empty else ""),
            Sentence("quality.universe",
                     f"The stock universe is {_join(quality.universe)}: "
                     f"{quality.universe_size} stocks, too few for a share of losers, a spread "
                     f"of returns or a breadth figure to say anything about small caps (that "
                     f"needs at least {MIN_UNIVERSE})." if small_universe else ""),
            Sentence("quality.losses",
                     "" if quality.share_unprofitable is None else
                     f"In the universe of {quality.universe_size} small companies, "
                     f"{pct(quality.share_unprofitable, 0, signed=False)} report a loss over "
                     "the last twelve months."),
            Sentence("quality.dispersion",
                     "" if quality.dispersion_ytd is None else
                     f"The spread of year-to-date returns across that universe (standard "
                     f"deviation) is {pct(quality.dispersion_ytd, 0, signed=False)}: the raw "
                     "material for stock selection."),
            Sentence("quality.breadth",
                     "" if quality.share_above_200d is None else
                     f"{pct(quality.share_above_200d, 0, signed=False)} of the universe trades "
                     "above its 200-day average, a measure of how broad the market's moves "
                     "are."),
        ]

    def leaders(self) -> list[Sentence]:
        month = self.figures.leaders_month
        if month.empty:
            return [Sentence("leaders.month",
                             "No prices are available for the stock universe this month.")]
        return [Sentence(
            "leaders.month",
            f"Of the universe's {len(month)} stocks with prices this month, the best in "
            f"{month_name(self.figures.month)} was {month.index[0]} ({pct(month.iloc[0])}) and "
            f"the worst {month.index[-1]} ({pct(month.iloc[-1])}).")]

    def vehicles(self) -> list[Sentence]:
        best = self.figures.best_sharpe
        if best is None:
            return []
        return [Sentence(
            "ways_to_play.sharpe",
            f"Over three years the best Sharpe ratio (return above T-bills per unit of "
            f"volatility) was {best[0]}'s, {number(best[1], 2)}; index funds differ mainly in "
            "cost and in how they treat unprofitable companies, while value and quality tilts "
            "change what you own.")]

    def risks(self) -> list[Sentence]:
        small, large = self._pair
        risk = self.figures.risk
        worst = risk.max_drawdown_3y.get(small)
        return [
            Sentence("risks.volatility",
                     f"Over one year {small}'s volatility was "
                     f"{pct(risk.volatility_1y.get(small), signed=False)} against "
                     f"{pct(risk.volatility_1y.get(large), signed=False)} for {large}, and "
                     f"their daily returns had a correlation of "
                     f"{number(risk.correlation_1y, 2)}."),
            Sentence("risks.drawdown",
                     "" if worst is None else
                     f"{small}'s deepest fall in three years was {pct(worst.depth)}, from "
                     f"{day(worst.peak)} to {day(worst.trough)}; it is now "
                     f"{pct(risk.drawdown_now.get(small))} from its three-year high."),
            Sentence("risks.risk_appetite", self._risk_appetite()),
        ]

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
        return (f"For risk appetite, {' and '.join(parts)}; small companies borrow more and "
                "feel tighter credit first.")

    def changes(self, comparison: Comparison | None) -> list[Sentence]:
        if comparison is None or not comparison.moves:
            return []
        biggest = comparison.moves[0]
        flips = len(comparison.flips)
        marks = ("no signal changed its mark" if not flips else
                 f"{flips} signal{'s' if flips > 1 else ''} changed mark")
        return [Sentence(
            "changes.summary",
            f"The largest move since the {comparison.previous.edition} edition: {biggest.name}, "
            f"from {figure(biggest.then, biggest.unit)} to {figure(biggest.now, biggest.unit)}; "
            f"{marks}.")]

    def verdict_line(self) -> str:
        signals = self.figures.signals
        named = {mark: [s.rule.name.lower() for s in signals if s.mark == mark]
                 for mark in (Mark.SUPPORTIVE, Mark.AGAINST)}
        reasons = [f"{_join(names)} {mark.value}" for mark, names in named.items() if names]
        return (f"The evidence reads {verdict_tone(signals)} for small caps"
                + (f": {'; '.join(reasons)}." if reasons else "."))

    def verdict(self) -> list[Sentence]:
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
        return [Sentence("verdict.verdict",
                         text + " This is a summary of the signals, not a recommendation.")]


def _gap(first: float, second: float) -> str:
    """The difference of two returns as printed (so it adds up), in percentage points."""
    return f"{abs(round(100 * first, 1) - round(100 * second, 1)):.1f} percentage points"


def _ordinal(number: int) -> str:
    """'first' to 'twelfth' in words (the headline's table), then 13th, 21st, 22nd, ..."""
    if number == 1 or number in ORDINALS:
        return {1: "first", **ORDINALS}[number]
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _be(words: list[str]) -> str:
    return "is" if len(words) == 1 else "are"
