"""Finding, naming, verifying and indexing the editions in an output folder.

An edition folder is ``YYYY-MM`` or, for a revision, ``YYYY-MM-rN``; it holds a
``manifest.json`` listing the SHA-256 of every file that belongs to it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reportgen.errors import ReportgenError

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


def find_edition(out_dir: Path, name: str) -> Edition:
    """An edition by folder name (``2026-10-r2``), or a month's latest (``2026-10``)."""
    editions = list_editions(out_dir)
    exact = [e for e in editions if e.name == name]
    of_month = [e for e in editions if e.manifest["month"] == name]
    if exact or of_month:
        return (exact or of_month)[-1]
    raise ReportgenError(f"No edition {name} in {out_dir}; `reportgen archive list --out "
                         f"{out_dir}` shows what there is.")


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
