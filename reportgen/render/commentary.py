"""An analyst's optional commentary for an edition: a headline override, a paragraph per
section, and edits to single generated sentences, from YAML or Markdown.

YAML::

    headline: Small caps pause after a strong summer
    sections:
      performance: "A *short* paragraph in Markdown."
    sentences:
      performance.streak: "Our own words for this sentence."
      rates.sensitivity: ""          # empty: the sentence is removed

Markdown: an optional first ``# Headline`` line, then ``## <section id>`` headings (ids as in
the report: takeaways, performance, valuation, rates, quality, leaders, ways_to_play, risks,
verdict, changes, sources) each followed by its text, and ``## <sentence key>`` headings
(``## performance.streak``) each followed by the sentence's replacement, or by nothing to
remove it. Every generated sentence has a key: the section id, a dot and a name.

The Markdown is rendered with raw HTML and images disabled, so commentary can format text but
cannot inject markup or make the renderer fetch anything.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from reportgen.config import parse_yaml, plain_text
from reportgen.errors import ReportgenError
from reportgen.render.narrative import Narrative
from reportgen.sections import SECTION_IDS

MAX_CHARACTERS = 30_000
MAX_HEADLINE = 160


@dataclass(frozen=True)
class Commentary:
    headline: str | None = None  # replaces the generated headline
    sections: dict[str, Markup] = field(default_factory=dict)  # section id → rendered text
    # Sentence key → its replacement (rendered inline Markdown), or None to remove it.
    sentences: dict[str, Markup | None] = field(default_factory=dict)
    source: str = "the commentary"  # the file's name, for messages


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def safe_markdown(text: str) -> Markup:
    return Markup(_markdown().render(text))  # safe: raw HTML is disabled


def safe_inline_markdown(text: str) -> Markup:
    """One sentence's Markdown (emphasis, links' text), without a paragraph around it."""
    return Markup(_markdown().renderInline(text.strip()))  # safe: raw HTML is disabled


def revise(narrative: Narrative, commentary: Commentary) -> Narrative:
    """The narrative with the commentary's sentence edits; a key the edition does not have
    is an error naming it (and the nearest key, if one is close)."""
    keys = narrative.sentence_keys()
    for key in commentary.sentences:
        if key not in keys:
            near = difflib.get_close_matches(key, keys, n=1)
            hint = (f"did you mean {near[0]}?" if near else
                    f"this edition's sentences are {', '.join(keys)}.")
            raise ReportgenError(f"{commentary.source}: this edition has no generated sentence "
                                 f"'{key}'; {hint}")
    try:
        return narrative.revised(commentary.sentences)
    except ValueError as error:
        raise ReportgenError(f"{commentary.source}: {error}.") from None


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
    return {"headline": headline, "sections": sections}


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
    return Commentary(
        _headline(raw.get("headline"), path),
        {k: safe_markdown(str(v)) for k, v in sections.items() if v},
        {k: safe_inline_markdown(str(v)) if v and str(v).strip() else None
         for k, v in sentences.items()},
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
