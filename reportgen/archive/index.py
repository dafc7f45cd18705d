"""The archive's ``index.html``: one row per edition, newest first, linking its PDFs.

It is made from the edition folders themselves, by every command that reads the archive, so
an index lost or left stale by a crash is whole again after the next command.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reportgen.archive.editions import INDEX, Edition, list_editions
from reportgen.errors import ReportgenError
from reportgen.templating import render_template


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
    files = [*([(m.html, "Read online")] if m.html else []), (m.pdf, "PDF"),
             *((name, client) for client, name in m.client_pdfs.items())]
    return IndexRow(name=edition.name, as_of=m.as_of, source=m.source, built_at=m.built_at,
                    revision_reason=m.revision_reason or "",
                    links=[Link(f"{edition.name}/{name}", label) for name, label in files])


def refresh_index(out_dir: Path) -> None:
    """Write the index if it differs from the editions on disk; written to a temporary name
    and renamed, like every archive file."""
    editions = list_editions(out_dir) if out_dir.is_dir() else []
    path = out_dir / INDEX
    if not editions and not path.is_file():
        return  # nothing to index yet
    page = render_template("archive/index.html.j2",
                           {"editions": [_row(e) for e in reversed(editions)]})
    if path.is_file() and path.read_text() == page:
        return
    temporary = out_dir / f".{INDEX}.tmp-{os.getpid()}"
    try:
        temporary.write_text(page)
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ReportgenError(f"{path}: cannot write the archive's index ({error.strerror}); "
                             "free some space or fix the folder's permissions, then run "
                             "`reportgen archive list` to write it.") from None
