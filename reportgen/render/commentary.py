"""An analyst's optional commentary for an edition: a headline, an opening, a paragraph per
section, and edits to single generated sentences, from YAML or Markdown.

YAML (``reportgen commentary init`` writes one prefilled for the month)::

    headline: Small caps pause after a strong summer
    intro: |
      Our opening, above the key takeaways. IWM returned {IWM.month} in {month}.
    sections:
      performance: "A *short* paragraph in Markdown, under the section's finding."
    sentences:
      performance.streak: "Our own words for this sentence."
      rates.sensitivity: ""          # empty: the sentence is removed

Markdown: an optional first ``# Headline`` line, then ``## <section id>`` headings (ids as in
the report: intro, takeaways, performance, valuation, rates, quality, leaders, ways_to_play,
risks, verdict, changes, sources) each followed by its text, and ``## <sentence key>``
headings (``## performance.streak``) each followed by the sentence's replacement, or by
nothing to remove it. Every generated sentence has a key: the section id, a dot and a name.

Numbers are written as references to the edition's figures, ``{IWM.month}``, filled in at
build time as the report prints them (``render.references``); nothing else in the text is
evaluated. The Markdown is rendered with raw HTML and images disabled, so commentary can
format text but cannot inject markup or make the renderer fetch anything.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from reportgen.config import parse_yaml, plain_text
from reportgen.errors import ReportgenError
from reportgen.render.narrative import Narrative
from reportgen.render.references import Reference, resolve
from reportgen.sections import SECTION_IDS

MAX_CHARACTERS = 30_000
MAX_HEADLINE = 160
INTRO = "intro"  # the analyst's opening, above the key takeaways


@dataclass(frozen=True)
class Commentary:
    """The commentary as written: Markdown with figure references, not yet resolved."""

    headline: str | None = None  # replaces the generated headline
    intro: str | None = None
    sections: dict[str, str] = field(default_factory=dict)  # section id → Markdown
    sentences: dict[str, str | None] = field(default_factory=dict)  # key → text; None: remove
    source: str = "the commentary"  # the file's name, for messages


@dataclass(frozen=True)
class AnalystText:
    """The commentary with its figures filled in, rendered: what the report prints."""

    headline: str | None = None
    intro: Markup | None = None
    sections: dict[str, Markup] = field(default_factory=dict)
    sentences: dict[str, Markup | None] = field(default_factory=dict)


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def safe_markdown(text: str) -> Markup:
    return Markup(_markdown().render(text))  # safe: raw HTML is disabled


def safe_inline_markdown(text: str) -> Markup:
    """One sentence's Markdown (emphasis, links' text), without a paragraph around it."""
    return Markup(_markdown().renderInline(text.strip()))  # safe: raw HTML is disabled


def render_commentary(commentary: Commentary, refs: Mapping[str, Reference]) -> AnalystText:
    """Fill in each ``{figure}`` and render the Markdown; a reference to a figure the
    edition does not have is an error naming it."""
    def filled(text: str, where: str) -> str:
        try:
            return resolve(text, refs, f"{commentary.source}: {where}")
        except ValueError as error:
            message = str(error)
            raise ReportgenError(message if message.endswith("?") else message + ".") from None

    return AnalystText(
        headline=filled(commentary.headline, "the headline") if commentary.headline else None,
        intro=safe_markdown(filled(commentary.intro, INTRO)) if commentary.intro else None,
        sections={k: safe_markdown(filled(v, k)) for k, v in commentary.sections.items()},
        sentences={k: None if v is None else safe_inline_markdown(filled(v, k))
                   for k, v in commentary.sentences.items()})


def revise(narrative: Narrative, text: AnalystText, source: str) -> Narrative:
    """The narrative with the commentary's sentence edits; a key the edition does not have
    is an error naming it (and the nearest key, if one is close)."""
    keys = narrative.sentence_keys()
    for key in text.sentences:
        if key not in keys:
            near = difflib.get_close_matches(key, keys, n=1)
            hint = (f"did you mean {near[0]}?" if near else
                    f"this edition's sentences are {', '.join(keys)}.")
            raise ReportgenError(f"{source}: this edition has no generated sentence "
                                 f"'{key}'; {hint}")
    try:
        return narrative.revised(text.sentences)
    except ValueError as error:
        raise ReportgenError(f"{source}: {error}.") from None


def _parse_markdown(text: str) -> dict[str, Any]:
    headline, current = None, None
    sections: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# ") and headline is None and current is None:
            headline = line[2:].strip()
        elif line.startswith("## "):
            current = line[3:].strip().lower().replace(" ", "_")
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return {"headline": headline, "intro": sections.pop(INTRO, None), "sections": sections}


def parse_commentary(text: str, path: Path) -> Commentary:
    """``path`` says the format (by its suffix) and names the file in errors."""
    if len(text) > MAX_CHARACTERS:
        raise ReportgenError(f"{path}: the commentary has {len(text):,} characters; the limit "
                             f"is {MAX_CHARACTERS:,} (about ten pages). Shorten it.")
    if path.suffix.lower() in (".yaml", ".yml"):
        raw = parse_yaml(text, path) or {}
        if not isinstance(raw, dict):
            raise ReportgenError(f"{path}: expected 'headline' and 'sections' keys.")
    else:
        raw = _parse_markdown(text)
    sections, sentences = _mapping(raw, "sections", path), _mapping(raw, "sentences", path)
    sentences.update({k: sections.pop(k) for k in list(sections) if "." in k})
    unknown = sorted(set(sections) - set(SECTION_IDS))
    if unknown:
        raise ReportgenError(f"{path}: unknown section(s) {', '.join(unknown)}; use "
                             f"{', '.join(SECTION_IDS)}.")
    intro = raw.get(INTRO)
    return Commentary(
        _headline(raw.get("headline"), path),
        str(intro) if intro and str(intro).strip() else None,
        {k: str(v) for k, v in sections.items() if v and str(v).strip()},
        {k: str(v).strip() if v and str(v).strip() else None for k, v in sentences.items()},
        path.name)


def _mapping(raw: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise ReportgenError(f"{path}: '{key}' must map names to text, one per line "
                             f"('performance: ...').")
    return {str(k).strip().lower(): v for k, v in value.items()}


def _headline(raw: object, path: Path) -> str | None:
    if not raw:
        return None
    try:
        headline = plain_text(str(raw).strip())
    except ValueError as error:
        raise ReportgenError(f"{path}: the headline {error}.") from None
    if len(headline) > MAX_HEADLINE:
        raise ReportgenError(f"{path}: the headline has {len(headline)} characters; keep it "
                             f"under {MAX_HEADLINE} so it fits the cover.")
    return headline


def commentary_file(narrative: Narrative, refs: Mapping[str, Reference], edition: str,
                    draft_command: str) -> str:
    """A commentary file for the analyst to edit (YAML): an empty opening and a slot per
    section, each generated sentence (commented out) to edit from, and the figures that can
    be cited. The sentences keep their numbers as printed: a number is not turned back into
    a reference by its value, since two figures can print alike (13.3% a one-year and a
    three-month volatility) and the wrong one would follow next month's data."""
    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML scalar

    lines = [f"# Commentary for the US Small-Cap Outlook, {edition}.",
             f"# Build a draft with it: {draft_command}",
             "#",
             "# Write numbers as references to the figures, e.g. {IWM.month}: each is filled in",
             "# from the data, as the report prints it, when the edition is built.",
             "#",
             f"# headline replaces the generated one ({MAX_HEADLINE} characters at most):",
             f"#   {narrative.headline}",
             'headline: ""',
             "",
             "# Your opening, printed above the key takeaways (Markdown).",
             f"{INTRO}: |", "",
             "# Your paragraph for each section, printed under its finding (Markdown).",
             "sections:"]
    lines += [f"  {section}: \"\"" for section in SECTION_IDS]
    lines += ["", "# The generated sentences, by key. To replace one, remove its '#' and edit",
              "# it, writing its numbers as references (listed below); to remove it, set it",
              "# to \"\". Lines left commented keep the generated text.",
              "sentences:"]
    lines += [f"  # {s.key}: {quoted(s.text)}"
              for s in (narrative.verdict_line, *(s for sentences in narrative.sections.values()
                                                 for s in sentences))]
    lines += ["", "# The figures you can cite, with this edition's values:"]
    name_width = max(len(name) for name in refs) + 2
    text_width = max(len(ref.text) for ref in refs.values())
    lines += [f"#   {'{' + name + '}':<{name_width}}  {ref.text:>{text_width}}   "
              f"{ref.description}" for name, ref in refs.items()]
    return "\n".join(lines) + "\n"
