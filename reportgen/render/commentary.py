"""An analyst's optional commentary for an edition: a headline override and a paragraph per
section, from YAML or Markdown.

YAML::

    headline: Small caps pause after a strong summer
    sections:
      performance: "A *short* paragraph in Markdown."

Markdown: an optional first ``# Headline`` line, then ``## <section id>`` headings (ids as in
the report: takeaways, performance, valuation, rates, quality, leaders, ways_to_play, risks,
verdict, changes, sources) each followed by its text.

The Markdown is rendered with raw HTML and images disabled, so commentary can format text but
cannot inject markup or make the renderer fetch anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup

from reportgen.config import parse_yaml, plain_text
from reportgen.errors import ReportgenError
from reportgen.sections import SECTION_IDS

MAX_CHARACTERS = 30_000
MAX_HEADLINE = 160


@dataclass(frozen=True)
class Commentary:
    headline: str | None = None  # replaces the generated headline
    sections: dict[str, Markup] = field(default_factory=dict)  # section id → rendered text


def safe_markdown(text: str) -> Markup:
    renderer = MarkdownIt("commonmark", {"html": False}).disable("image")
    return Markup(renderer.render(text))  # safe: raw HTML is disabled above


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
    sections = raw.get("sections") or {}
    unknown = sorted(set(sections) - set(SECTION_IDS))
    if unknown:
        raise ReportgenError(f"{path}: unknown section(s) {', '.join(unknown)}; use "
                             f"{', '.join(SECTION_IDS)}.")
    return Commentary(_headline(raw.get("headline"), path),
                      {k: safe_markdown(str(v)) for k, v in sections.items() if v})


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
