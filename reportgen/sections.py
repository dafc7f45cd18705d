"""The report's sections after the cover, in order: ids (the partial under
``templates/sections/`` and the commentary key) and titles (headings and bookmarks)."""

from __future__ import annotations

from typing import NamedTuple


class Section(NamedTuple):
    id: str
    title: str


SECTIONS = [
    Section("takeaways", "Key takeaways"),
    Section("performance", "Performance and rotation"),
    Section("valuation", "The valuation disconnect"),
    Section("rates", "The Fed and rates factor"),
    Section("quality", "Earnings and quality"),
    Section("leaders", "Leaders and laggards"),
    Section("ways_to_play", "Ways to play"),
    Section("risks", "Risks"),
    Section("verdict", "What the evidence suggests"),
    Section("changes", "What changed since last month"),
    Section("sources", "Sources, methodology and disclaimer"),
]
SECTION_IDS = [section.id for section in SECTIONS]
FIRST_NUMBER = 2  # the cover is section 1
TITLE = "US Small-Cap Outlook"
FILE_STEM = "us-small-cap-outlook"
