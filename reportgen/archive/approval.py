"""Approval: a named person's sign-off on an edition or a draft, as ``approval.json`` in its
folder, with the SHA-256 of every file they approved (the manifest included).

An approval of a published edition is also a line of the archive's chain. A draft's approval
travels into the manifest of the edition published from it, so the chain holds it too. What
changed after approval no longer matches, and ``send`` and ``publish`` refuse it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from reportgen.archive import chain
from reportgen.archive.drafts import DRAFTS, read_draft
from reportgen.archive.editions import (
    APPROVAL,
    Edition,
    find_edition,
    sha256,
    verify_for_sending,
)
from reportgen.archive.manifest import MANIFEST, Digest, InsidePath, Manifest
from reportgen.archive.publish import exclusive
from reportgen.config import PlainText
from reportgen.durable import write_atomic
from reportgen.errors import ReportgenError


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    edition: str  # the folder approved: "2026-10", "2026-10-r2" or "drafts/2026-10"
    approved_by: PlainText
    approved_at: str  # ISO 8601, UTC
    note: PlainText | None
    files: dict[InsidePath, Digest]  # every file approved, the manifest included


def approval_bytes(approval: Approval) -> bytes:
    return (json.dumps(approval.model_dump(mode="json"), indent=1, ensure_ascii=False)
            + "\n").encode("utf-8")


def record_approval(folder: Path, name: str, manifest: Manifest, by: str, note: str | None,
                    now: datetime) -> tuple[Approval, str]:
    """Write ``approval.json`` for the files as they are now; the approval and its SHA-256.
    Refused when a file no longer matches the manifest: approve what was built."""
    current = {path: sha256(folder / path) if (folder / path).is_file() else "missing"
               for path in manifest.files}
    changed = [path for path, digest in current.items() if digest != manifest.files[path]]
    if changed:
        raise ReportgenError(f"{name}/{changed[0]}: does not match the manifest, so there is "
                             "nothing sound to approve; build it again.")
    try:
        approval = Approval(edition=name, approved_by=by, approved_at=now.isoformat(
            timespec="seconds"), note=note or None,
            files={**current, MANIFEST: sha256(folder / MANIFEST)})
    except ValidationError as error:
        raise ReportgenError(f"approve: {error.errors()[0]['msg']}") from None
    data = approval_bytes(approval)
    write_atomic(folder / APPROVAL, lambda path: path.write_bytes(data))
    return approval, hashlib.sha256(data).hexdigest()


def read_approval(folder: Path, name: str) -> tuple[Approval, str] | None:
    """The folder's approval and its SHA-256; None when it has none."""
    path = folder / APPROVAL
    if not path.is_file():
        return None
    data = path.read_bytes()
    try:
        return Approval.model_validate_json(data), hashlib.sha256(data).hexdigest()
    except ValidationError:
        raise ReportgenError(f"{name}/{APPROVAL}: damaged; approve the edition again."
                             ) from None


def changed_since_approval(folder: Path, approval: Approval) -> list[str]:
    """The approved files that are missing or differ now."""
    return [path for path, digest in approval.files.items()
            if not (folder / path).is_file() or sha256(folder / path) != digest]


def approve(out_dir: Path, name: str, by: str, note: str | None, now: datetime) -> Approval:
    """Approve the draft ``drafts/YYYY-MM`` or the published edition ``name``. A published
    edition must be whole and chained; its approval becomes a line of the chain."""
    by = by.strip()
    if not by:
        raise ReportgenError("approve: --by needs the approver's name; an approval is a "
                             "named person's.")
    if name.startswith(f"{DRAFTS}/"):
        draft = read_draft(out_dir, _month(name.removeprefix(f"{DRAFTS}/")))
        return record_approval(draft.folder, name, draft.manifest, by, note, now)[0]
    edition = find_edition(out_dir, name)
    problems = verify_for_sending(out_dir, edition)
    if problems:
        raise ReportgenError(f"{problems[0]}: an edition that does not match its manifest "
                             "cannot be approved; `reportgen archive verify` says more.")
    with exclusive(out_dir, "archive", "Publishing or approving"):
        approval, digest = record_approval(edition.folder, edition.name, edition.manifest,
                                           by, note, now)
        links = chain.read_chain(out_dir)
        chain.append(out_dir, chain.Link(edition.name, digest, chain.head(links), "approval"))
    return approval


def _month(text: str) -> pd.Period:
    try:
        return pd.Period(text, "M")
    except ValueError:
        raise ReportgenError(f"drafts/{text}: a draft is named drafts/YYYY-MM.") from None


def approval_problem(out_dir: Path, edition: Edition) -> str | None:
    """Why ``edition`` may not be sent for want of approval; None when it is approved: in
    its manifest (published from an approved draft), or by an ``approval.json`` that the
    chain records and that matches every file and the manifest."""
    if edition.manifest.approval is not None:
        return None
    found = read_approval(edition.folder, edition.name)
    hint = f"read it, then run `reportgen approve {edition.name} --by NAME`"
    if found is None:
        return f"{edition.name} is not approved: {hint}."
    approval, digest = found
    chained = any(link.kind == "approval" and link.edition == edition.name
                  and link.sha256 == digest for link in chain.read_chain(out_dir))
    if not chained:
        return (f"{edition.name}/{APPROVAL} is not the approval recorded in the archive's "
                f"chain: {hint}.")
    changed = changed_since_approval(edition.folder, approval)
    if changed:
        return f"{edition.name}/{changed[0]} changed after it was approved: {hint} again."
    return None
