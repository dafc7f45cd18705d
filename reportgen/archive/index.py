"""The archive's ``index.html``: one row per edition, newest first, linking its PDFs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reportgen.archive.editions import Edition, list_editions
from reportgen.templating import render_template

INDEX = "index.html"


@dataclass(frozen=True)
class Link:
    href: str  # relative to the archive folder
    label: str


@dataclass(frozen=True)
class IndexRow:
    name: str
    as_of: str
    source: str
    built_at: str
    revision_reason: str
    links: list[Link]


def _row(edition: Edition) -> IndexRow:
    m = edition.manifest
    files = [(m["pdf"], "Edition"), *((name, client) for client, name
                                       in m.get("client_pdfs", {}).items())]
    return IndexRow(name=edition.name, as_of=m["as_of"], source=m["source"],
                    built_at=m["built_at"], revision_reason=m.get("revision_reason") or "",
                    links=[Link(f"{edition.name}/{name}", label) for name, label in files])


def write_index(out_dir: Path) -> None:
    """Written to a temporary name and renamed, like every archive file."""
    page = render_template("archive/index.html.j2",
                           {"editions": [_row(e) for e in reversed(list_editions(out_dir))]})
    temporary = out_dir / f".{INDEX}.tmp-{os.getpid()}"
    temporary.write_text(page)
    temporary.replace(out_dir / INDEX)
