"""Finding, naming and verifying the editions in an output folder.

An edition folder is ``YYYY-MM`` or, for a revision, ``YYYY-MM-rN``; it holds a
``manifest.json`` listing the SHA-256 of every file that belongs to it. A folder whose
manifest cannot be read is *damaged*: reported, and skipped by every other command.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reportgen.archive import chain
from reportgen.archive.manifest import MANIFEST, Manifest, parse_manifest
from reportgen.errors import ReportgenError

INDEX = "index.html"
EDITION_NAME = re.compile(r"^(\d{4}-\d{2})(?:-r(\d+))?$")
# A build writes into a hidden folder ".NAME.random" and renames it; one left behind is a
# build that did not finish.
STAGING_NAME = re.compile(r"^\.(\d{4}-\d{2}(?:-r\d+)?)\.")
# Files written into a published edition afterwards, outside its manifest.
SENT_RECORD = "sent.jsonl"
APPROVAL = "approval.json"  # see archive/approval.py
DRAFTS = "drafts"  # OUT/drafts/YYYY-MM: see archive/drafts.py
INPUTS = "inputs"  # what else shaped an edition: commentary and clients files, as given
RECORDS = {SENT_RECORD, APPROVAL}


@dataclass(frozen=True)
class Edition:
    folder: Path
    manifest: Manifest
    manifest_sha256: str

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def month(self) -> pd.Period:
        return pd.Period(self.manifest.month, "M")

    @property
    def revision(self) -> int:
        return self.manifest.revision


@dataclass(frozen=True)
class Archive:
    """What an output folder holds: readable editions (oldest first, revisions after their
    original), damaged edition folders with the reason, and unfinished builds."""

    editions: list[Edition]
    damaged: dict[str, str]
    unfinished: list[Path]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_edition(folder: Path) -> Edition:
    path = folder / MANIFEST
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ReportgenError(f"{folder.name}: cannot read its manifest ({error.strerror})"
                             ) from None
    manifest = parse_manifest(data.decode("utf-8", errors="replace"),
                              f"{folder.name}/{MANIFEST}")
    if manifest.edition != folder.name:
        raise ReportgenError(f"{folder.name}/{MANIFEST}: names edition {manifest.edition}, "
                             "not its folder")
    return Edition(folder, manifest, hashlib.sha256(data).hexdigest())


def scan(out_dir: Path) -> Archive:
    editions, damaged, unfinished = [], {}, []
    for folder in sorted(out_dir.iterdir()) if out_dir.is_dir() else []:
        if STAGING_NAME.match(folder.name) and folder.is_dir():
            unfinished.append(folder)
        elif EDITION_NAME.match(folder.name) and folder.is_dir():
            try:
                editions.append(read_edition(folder))
            except ReportgenError as error:
                damaged[folder.name] = str(error)
    editions.sort(key=lambda e: (e.manifest.month, e.revision))
    return Archive(editions, damaged, unfinished)


def list_editions(out_dir: Path) -> list[Edition]:
    """Every readable edition, oldest first (revisions after their original)."""
    return scan(out_dir).editions


def latest_of_month(out_dir: Path, month: pd.Period) -> Edition | None:
    matching = [e for e in list_editions(out_dir) if e.month == month]
    return matching[-1] if matching else None


def latest_to_send(out_dir: Path, month: pd.Period) -> Edition:
    """The month's latest edition; an error if there is none, or if it is damaged."""
    archive = scan(out_dir)
    damaged = sorted((name for name in archive.damaged if name.startswith(f"{month}")),
                     key=_revision_number)
    matching = [e for e in archive.editions if e.month == month]
    if damaged and (not matching or _revision_number(damaged[-1]) > matching[-1].revision):
        raise _damaged(archive, damaged[-1])
    if not matching and (out_dir / DRAFTS / f"{month}").is_dir():
        raise ReportgenError(f"{month} has only a draft ({DRAFTS}/{month}), and a draft is "
                             f"never sent: approve it and run `reportgen publish --month "
                             f"{month}` first.")
    if not matching:
        raise ReportgenError(f"No edition of {month} in {out_dir}: build it first.")
    return matching[-1]


def _damaged(archive: Archive, name: str) -> ReportgenError:
    return ReportgenError(f"{archive.damaged[name]}: the edition is damaged; `reportgen "
                          "archive verify` lists what is wrong.")


def _revision_number(name: str) -> int:
    found = EDITION_NAME.match(name)
    return int(found.group(2) or 1) if found else 0


def find_edition(out_dir: Path, name: str) -> Edition:
    """An edition by folder name (``2026-10-r2``), or a month's latest (``2026-10``)."""
    archive = scan(out_dir)
    exact = [e for e in archive.editions if e.name == name]
    of_month = [e for e in archive.editions if e.manifest.month == name]
    if exact or of_month:
        return (exact or of_month)[-1]
    if name in archive.damaged:
        raise _damaged(archive, name)
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
    """Problems with the edition's files: changed, missing, or not in its manifest."""
    problems = []
    for name, expected in edition.manifest.files.items():
        path = edition.folder / name
        if not path.is_file():
            problems.append(f"{edition.name}/{name}: missing")
        elif sha256(path) != expected:
            problems.append(f"{edition.name}/{name}: changed (SHA-256 differs from the manifest)")
    listed = {*edition.manifest.files, MANIFEST, *RECORDS}
    problems += [f"{edition.name}/{name}: not in the manifest (added after publication)"
                 for name in sorted(p.relative_to(edition.folder).as_posix()
                                    for p in edition.folder.rglob("*") if p.is_file())
                 if name not in listed]
    return problems


def verify_archive(out_dir: Path) -> tuple[int, list[str], str | None]:
    """Every edition's files, every manifest against the chain, damaged folders and
    unfinished builds: (editions checked, problems, the chain's head)."""
    archive = scan(out_dir)
    links = chain.read_chain(out_dir)
    problems = [f"{name}: damaged: {reason}" for name, reason in archive.damaged.items()]
    problems += [f"{folder.name}: an unfinished build (the next build of that month removes "
                 "it)" for folder in archive.unfinished]
    problems += chain.chain_problems(
        links, {e.name: e.manifest_sha256 for e in archive.editions},
        {e.name: e.manifest.previous_manifest for e in archive.editions},
        {e.name: sha256(e.folder / APPROVAL) for e in archive.editions
         if (e.folder / APPROVAL).is_file()})
    for edition in archive.editions:
        problems += verify(edition)
    return len(archive.editions), problems, chain.head(links)


def verify_for_sending(out_dir: Path, edition: Edition) -> list[str]:
    """The edition's files, and its manifest as the archive's chain recorded it."""
    links = {link.edition: link for link in chain.read_chain(out_dir)
             if link.kind == "manifest"}
    link = links.get(edition.name)
    problems = verify(edition)
    if link is None:
        problems.insert(0, f"{edition.name}: not in the archive's chain ({chain.CHAIN})")
    elif link.sha256 != edition.manifest_sha256:
        problems.insert(0, f"{edition.name}/{MANIFEST}: changed since it was published")
    return problems
