"""Scorecard rules and the wording rules of the narrative, on hand-set figures."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from reportgen.config import Config
from reportgen.errors import ReportgenError
from reportgen.metrics.relative import Streak
from reportgen.metrics.signals import RULES, Mark, Signal, verdict_tone
from reportgen.render.commentary import (
    Commentary,
    parse_commentary,
    render_commentary,
    revise,
)
from reportgen.render.narrative import LEADING_SECTIONS, Narrative, write_narrative
from reportgen.render.references import figure_references


@pytest.mark.parametrize(("key", "value", "mark"), [
    ("valuation", 0.80, Mark.SUPPORTIVE), ("valuation", 0.90, Mark.NEUTRAL),
    ("valuation", 1.05, Mark.AGAINST), ("momentum", 0.03, Mark.SUPPORTIVE),
    ("momentum", -0.03, Mark.AGAINST), ("rates", -0.5, Mark.SUPPORTIVE),
    ("rates", 0.5, Mark.AGAINST), ("breadth", 0.5, Mark.NEUTRAL),
    ("risk", 1.6, Mark.AGAINST),
])
def test_rules_mark_by_their_stated_thresholds(key: str, value: float, mark: Mark) -> None:
    assert Signal(key, value).mark is mark


def test_rules_describe_themselves_for_the_methodology() -> None:
    assert RULES["valuation"].describe().endswith(
        "supportive below 0.85×, against above 1.00×, neutral in between.")
    assert "supportive above +2%" in RULES["momentum"].describe()
    assert "supportive below −0.25 pp" in RULES["rates"].describe()
    assert "-" not in RULES["rates"].describe().replace("10-year", "")


def test_verdict_tone_follows_the_count() -> None:
    assert verdict_tone([Signal("valuation", 0.7), Signal("momentum", 0.05)]) == "constructive"
    assert verdict_tone([Signal("valuation", 1.2), Signal("rates", 1.0)]) == "cautious"
    assert verdict_tone([Signal("valuation", 0.7), Signal("rates", 1.0)]) == "balanced"


@pytest.fixture
def figures(sample_figures):
    return sample_figures


def with_month(figures, small: float, large: float, streak: int):
    """The figures with this month's returns set, and nothing else remarkable."""
    month = figures.month_returns.copy()
    month["IWM"], month["SPY"] = small, large
    return dataclasses.replace(figures, month_returns=month, month_lead_streak=streak,
                               valuation=[])


def test_headline_says_lead_or_trail_with_the_months_running(figures) -> None:
    narrative = write_narrative(with_month(figures, 0.041, 0.012, 3), Config().instruments)
    assert narrative.headline == ("Small caps lead for a third month: the Russell 2000 led the "
                                  "S&P 500 by 2.9 percentage points in October")
    narrative = write_narrative(with_month(figures, -0.02, 0.01, -1), Config().instruments)
    assert narrative.headline == ("Small caps trail: the Russell 2000 lagged the S&P 500 by 3.0 "
                                  "percentage points in October")


def test_headline_picks_the_strongest_signal(figures) -> None:
    quiet = with_month(figures, 0.012, 0.010, 1)
    long_run = dataclasses.replace(quiet.pair, streak=Streak(12, pd.Timestamp("2013-10-01")))
    streaky = dataclasses.replace(quiet, relative={**quiet.relative, ("IWM", "SPY"): long_run})
    assert write_narrative(streaky, Config().instruments).headline == (
        "Small caps beat large caps 12 days running, the longest run since 1 Oct 2013")
    cheap = dataclasses.replace(quiet, valuation=figures.valuation)
    assert write_narrative(cheap, Config().instruments).headline == (
        "Small caps trade at a 28% discount to large caps on forward P/E")


def test_missing_valuation_is_said_plainly(figures) -> None:
    narrative = write_narrative(dataclasses.replace(figures, valuation=[]),
                                Config().instruments)
    assert any("no P/E figures are available" in item for item in narrative.texts("takeaways"))
    assert "the fund table is empty" in narrative.texts("valuation")[0]
    # What the operator could do is said to the operator, never in the client's text.
    assert not any("fundamentals.csv" in text or "README" in text
                   for text in (*narrative.texts("takeaways"), *narrative.texts("valuation")))


def test_verdict_names_each_signal_by_its_mark(figures) -> None:
    signals = [Signal("valuation", 0.7), Signal("momentum", -0.05), Signal("rates", None)]
    text, = write_narrative(dataclasses.replace(figures, signals=signals),
                            Config().instruments).texts("verdict")
    assert text.startswith("The evidence reads balanced for small caps (1 supportive, 1 "
                           "against, of 2 signals with data): valuation is supportive; "
                           "momentum is against.")
    assert "No judgement on rates: the data is missing." in text


def test_a_small_universe_is_named_and_gets_no_breadth_or_dispersion(figures) -> None:
    """The sample's universe is four stocks: named and sized, with no statistic across it."""
    quality = figures.quality
    assert quality.universe == ["ICHR", "CC", "POWL", "BE"]
    assert quality.dispersion_ytd is None and quality.share_above_200d is None
    assert quality.share_unprofitable is None
    assert {s.key: s.value for s in figures.signals}["breadth"] is None
    text = " ".join(write_narrative(figures, Config().instruments).texts("quality"))
    assert "The stock universe is ICHR, CC, POWL and BE: 4 stocks, too few" in text
    assert "standard deviation" not in text and "200-day" not in text


def edits(tmp_path: Path, text: str, name: str = "c.yaml") -> Commentary:
    path = tmp_path / name
    path.write_text(text)
    return parse_commentary(text, path)


def revised(figures, commentary: Commentary) -> Narrative:
    """The narrative of ``figures`` with the commentary applied, as a build applies it."""
    text = render_commentary(commentary, figure_references(figures))
    return revise(write_narrative(figures, Config().instruments), text, commentary.source)


def test_the_analyst_replaces_or_removes_single_sentences(figures, tmp_path: Path) -> None:
    narrative = write_narrative(figures, Config().instruments)
    assert {"performance.month", "performance.streak", "rates.sensitivity",
            "cover.verdict"} <= set(narrative.sentence_keys())
    commentary = edits(tmp_path, "sentences:\n  performance.streak: 'A *calm* run <b>x</b>'\n"
                                 "  rates.sensitivity: ''\n  cover.verdict: Patience.\n")
    edited = revised(figures, commentary)
    streak = [s for s in edited.sections["performance"] if s.key == "performance.streak"]
    assert [s.text for s in streak] == ["A <em>calm</em> run &lt;b&gt;x&lt;/b&gt;"]
    assert "rates.sensitivity" not in edited.sentence_keys()
    assert len(edited.sentence_keys()) == len(narrative.sentence_keys()) - 1
    assert edited.verdict_line.text == "Patience."
    # The Markdown form: a sentence key as a heading, an empty body removes the sentence.
    markdown = edits(tmp_path, "## performance.streak\nOur words.\n\n## rates.study\n\n",
                     "c.md")
    assert markdown.sentences == {"performance.streak": "Our words.", "rates.study": None}


def test_an_edit_to_a_sentence_the_edition_lacks_is_an_error(figures, tmp_path: Path) -> None:
    with pytest.raises(ReportgenError, match=r"c\.yaml: this edition has no generated "
                                             r"sentence 'performance\.streek'; did you mean "
                                             r"performance\.streak\?"):
        revised(figures, edits(tmp_path, "sentences:\n  performance.streek: x\n"))
    with pytest.raises(ReportgenError, match=r"cover\.verdict can be replaced but not removed"):
        revised(figures, edits(tmp_path, "sentences:\n  cover.verdict: ''\n"))
    with pytest.raises(ReportgenError, match="'sentences' must map names to text"):
        edits(tmp_path, "sentences: [a, b]\n")


def test_each_section_opens_with_its_finding(figures) -> None:
    """The finding is the section's first sentence: the month in performance, the policy
    rate in rates, the verdict in the verdict."""
    narrative = write_narrative(figures, Config().instruments)
    firsts = {section: narrative.sections[section][0].key for section in LEADING_SECTIONS
              if narrative.sections.get(section)}
    assert firsts["performance"] == "performance.month"
    assert firsts["rates"] == "rates.policy"
    assert firsts["verdict"] == "verdict.verdict"
    assert set(firsts) >= {"performance", "valuation", "rates", "quality", "leaders",
                           "ways_to_play", "risks", "verdict"}


def test_what_changed_opens_with_the_largest_move_as_printed(figures) -> None:
    from reportgen.metrics.changes import Comparison, KeyFigures, Move, PreviousEdition

    previous = PreviousEdition("2026-09", KeyFigures(pd.Timestamp("2026-09-30"), [], {}))
    moves = [Move("IWM return, year to date", 0.1987, 0.137, "±%"),
             Move("10-year Treasury yield, %", 4.76, 5.29, "yield")]
    comparison = Comparison(previous, moves, [("rates", "neutral", "against")])
    text, = write_narrative(figures, Config().instruments, comparison=comparison
                            ).texts("changes")
    assert text == ("The largest move since the 2026-09 edition: IWM return, year to date, "
                    "from +19.9% to +13.7%; 1 signal changed mark.")
    assert write_narrative(figures, Config().instruments).texts("changes") == []


def test_ordinals_come_from_one_table_and_read_right_beyond_it() -> None:
    from reportgen.render.narrative import _ordinal

    assert [_ordinal(n) for n in (1, 3, 12, 13, 21, 22, 23, 111)] == [
        "first", "third", "twelfth", "13th", "21st", "22nd", "23rd", "111th"]
