"""The analyst's commentary: the file `commentary init` writes, and figure references
(``{IWM.month}``) filled in from the data, which reach the figures and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.config import Config
from reportgen.errors import ReportgenError
from reportgen.formatting import pct
from reportgen.render.commentary import parse_commentary, render_commentary
from reportgen.render.narrative import write_narrative
from reportgen.render.references import figure_references
from tests.conftest import run_cli


def commentary(tmp_path: Path, text: str):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return parse_commentary(text, path)


def test_commentary_init_prefills_every_sentence_and_lists_the_figures(
        tmp_path: Path, sample_figures) -> None:
    target = tmp_path / "c.yaml"
    result = run_cli("commentary", "init", "--month", "2026-10", "--file", str(target),
                     "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    text = target.read_text()
    narrative = write_narrative(sample_figures, Config().instruments)
    for key in narrative.sentence_keys():
        assert f"  # {key}: " in text, key  # each generated sentence, ready to edit
    for sentence in narrative.sections["performance"]:
        assert sentence.text in text
    assert "intro: |" in text and "  performance: \"\"" in text
    assert "#   {IWM.month}" in text and "IWM total return, October 2026" in text
    # As written, it changes nothing: every slot is empty, every sentence commented.
    parsed = parse_commentary(text, target)
    assert (parsed.headline, parsed.intro, parsed.sections, parsed.sentences) == (
        None, None, {}, {})
    again = run_cli("commentary", "init", "--month", "2026-10", "--file", str(target))
    assert again.exit_code == 1 and "never overwrites" in again.stderr


def test_references_are_filled_in_as_the_report_prints_them(tmp_path: Path,
                                                           sample_figures) -> None:
    refs = figure_references(sample_figures)
    month = pct(sample_figures.month_returns["IWM"])
    text = render_commentary(commentary(tmp_path, (
        "headline: 'IWM {IWM.month} in {month}'\n"
        "intro: 'Small caps returned {IWM.month}; the 10-year yields {10y.yield}.'\n"
        "sentences:\n  performance.streak: '*{IWM-SPY.12m}* over a year'\n")), refs)
    assert text.headline == f"IWM {month} in October 2026"
    assert str(text.intro) == (f"<p>Small caps returned {month}; the 10-year yields "
                               f"{refs['10y.yield'].text}.</p>\n")
    assert text.sentences["performance.streak"] == (f"<em>{refs['IWM-SPY.12m'].text}</em> "
                                                    "over a year")
    assert refs["IWM.month"].text == month == "−4.0%"  # the cover's and the table's figure


@pytest.mark.parametrize(("written", "message"), [
    ("{IWM.mnth}", r"refers to \{IWM\.mnth\}, which is not a figure of this edition; did you "
                   r"mean \{IWM\.month\}\?"),
    ("{IWM.month.__class__}", r"refers to \{IWM\.month\.__class__\}"),
    ("{config}", r"refers to \{config\}"),
    ("{x.__class__}", r"refers to \{x\.__class__\}"),
])
def test_a_reference_to_anything_but_a_figure_is_an_error(tmp_path: Path, sample_figures,
                                                          written: str, message: str) -> None:
    with pytest.raises(ReportgenError, match=r"c\.yaml: intro " + message):
        render_commentary(commentary(tmp_path, f"intro: '{written}'\n"),
                          figure_references(sample_figures))


def test_template_syntax_in_commentary_is_text_never_evaluated(tmp_path: Path,
                                                               sample_figures) -> None:
    written = "{{ 7*7 }} {% include 'report.css' %} {IWM.month + 1}"
    text = render_commentary(commentary(tmp_path, f"intro: \"{written}\"\n"),
                             figure_references(sample_figures))
    assert str(text.intro) == f"<p>{written}</p>\n"
