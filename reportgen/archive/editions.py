"""Finding, naming, verifying and indexing the editions in an output folder.

An edition folder is ``YYYY-MM`` or, for a revision, ``YYYY-MM-rN``; it holds a
``manifest.json`` listing the SHA-256 of every file that belongs to it.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

MANIFEST = "manifest.json"
INDEX = "index.html"
EDITION_NAME = re.compile(r"^(\d{4}-\d{2})(?:-r(\d+))?$")


@dataclass(frozen=True)
class Edition:
    folder: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def month(self) -> pd.Period:
        return pd.Period(self.manifest["month"], "M")

    @property
    def revision(self) -> int:
        return self.manifest.get("revision", 1)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def list_editions(out_dir: Path) -> list[Edition]:
    """Every edition with a manifest, oldest first (revisions after their original)."""
    editions = []
    for folder in out_dir.iterdir() if out_dir.is_dir() else []:
        if EDITION_NAME.match(folder.name) and (folder / MANIFEST).is_file():
            editions.append(Edition(folder, json.loads((folder / MANIFEST).read_text())))
    return sorted(editions, key=lambda e: (e.manifest["month"], e.revision))


def latest_of_month(out_dir: Path, month: pd.Period) -> Edition | None:
    matching = [e for e in list_editions(out_dir) if e.month == month]
    return matching[-1] if matching else None


def edition_folder_name(out_dir: Path, month: pd.Period, revision: bool) -> tuple[str, int]:
    """``YYYY-MM`` for a first edition; the next ``YYYY-MM-rN`` for a revision."""
    base = f"{month}"
    if not revision:
        return base, 1
    taken = [int(m.group(2) or 1) for p in out_dir.glob(f"{base}*")
             if (m := EDITION_NAME.match(p.name)) and m.group(1) == base]
    number = max(taken, default=1) + 1
    return f"{base}-r{number}", number


def verify(edition: Edition) -> list[str]:
    """Problems found: files whose checksum changed, or that went missing."""
    problems = []
    for name, expected in edition.manifest["files"].items():
        path = edition.folder / name
        if not path.is_file():
            problems.append(f"{edition.name}/{name}: missing")
        elif sha256(path) != expected:
            problems.append(f"{edition.name}/{name}: changed (SHA-256 differs from the manifest)")
    return problems


def write_index(out_dir: Path) -> None:
    """``index.html``: one row per edition, linking its PDFs. Written to a temporary name and
    renamed, like every archive file."""
    rows = []
    for edition in reversed(list_editions(out_dir)):
        m = edition.manifest
        links = " ".join(
            f'<a href="{html.escape(edition.name)}/{html.escape(name)}">{html.escape(label)}</a>'
            for name, label in _pdf_links(m))
        reason = html.escape(m.get("revision_reason") or "")
        rows.append(f"<tr><td>{html.escape(edition.name)}</td><td>{html.escape(m['as_of'])}</td>"
                    f"<td>{html.escape(m['source'])}</td><td>{html.escape(m['built_at'])}</td>"
                    f"<td>{reason}</td><td>{links}</td></tr>")
    page = INDEX_PAGE.format(rows="\n".join(rows))
    temporary = out_dir / f".{INDEX}.tmp"
    temporary.write_text(page)
    temporary.replace(out_dir / INDEX)


def _pdf_links(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    master = [(manifest["pdf"], "Edition")]
    clients = [(name, client) for client, name in manifest.get("client_pdfs", {}).items()]
    return master + clients


INDEX_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>US Small-Cap Outlook: archive</title>
<style>body{{font-family:Inter,sans-serif;margin:2em;color:#1d2b3a}}
table{{border-collapse:collapse}}td,th{{padding:.3em .8em;border-bottom:1px solid #ddd;
text-align:left}}</style></head><body>
<h1>US Small-Cap Outlook: archive</h1>
<table><thead><tr><th>Edition</th><th>Data to</th><th>Source</th><th>Built</th>
<th>Revision reason</th><th>PDFs</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""
