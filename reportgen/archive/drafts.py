"""Drafts: ``OUT/drafts/YYYY-MM/``, an edition for review before it is published.

A draft has the layout of an edition (its own manifest, snapshot and inputs) but is not in
the archive's chain or index, may be rebuilt any number of times (each build replaces the
folder whole, so an approval of the previous draft goes with it), and is never sent.
``reportgen publish`` turns an approved draft into the dated edition.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from reportgen.archive import history
from reportgen.archive.editions import DRAFTS, INPUTS, Edition, read_edition, sha256
from reportgen.archive.manifest import MANIFEST, Manifest, manifest_text
from reportgen.errors import ReportgenError
from reportgen.formatting import change, figure
from reportgen.metrics.changes import KeyFigures


def draft_folder(out_dir: Path, month: pd.Period) -> Path:
    return out_dir / DRAFTS / f"{month}"


def read_draft(out_dir: Path, month: pd.Period) -> Edition:
    folder = draft_folder(out_dir, month)
    if not (folder / MANIFEST).is_file():
        raise ReportgenError(f"No draft of {month} in {out_dir / DRAFTS}: build one with "
                             "`reportgen build --draft`.")
    draft = read_edition(folder)
    if not draft.manifest.draft:
        raise ReportgenError(f"{folder}: its manifest does not say it is a draft; build the "
                             "draft again.")
    return draft


def write_draft(folder: Path, write_files: Callable[[Path], None],
                fields: dict[str, Any]) -> None:
    """Write the draft ``folder`` in a hidden folder beside it, manifest last, then put it in
    place of the previous draft (if any) in two renames. Call it holding the month's build
    lock: hidden folders of the month's drafts are then leftovers, and removed."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    for left in folder.parent.glob(f".{folder.name}.*"):  # by a draft build that was killed
        shutil.rmtree(left, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    old = folder.with_name(f".{folder.name}.replaced-{os.getpid()}")
    try:
        staging.chmod(0o755)
        write_files(staging)
        files = {path.relative_to(staging).as_posix(): sha256(path)
                 for path in sorted(staging.rglob("*")) if path.is_file()}
        (staging / MANIFEST).write_bytes(manifest_text(Manifest(
            **fields, draft=True, previous_manifest=None, files=files)).encode("utf-8"))
        if folder.exists():
            os.rename(folder, old)
        os.rename(staging, folder)
    except OSError as error:
        raise ReportgenError(f"{folder}: could not write the draft ({error.strerror or error})"
                             "; free some space or fix the folder, then build again.") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def changes_since_last_draft(folder: Path, figures: KeyFigures, headline: str,
                             commentary: str | None) -> list[str]:
    """What a new draft changes against the draft in ``folder``, in words: each key figure
    whose printed value moved, the headline, the commentary."""
    if not (folder / MANIFEST).is_file():
        return ["the first draft of this month"]
    old = read_edition(folder)
    then = {k.name: k for k in history.read_key_figures(folder).figures}
    lines = []
    for now in figures.figures:
        was = then.get(now.name)
        if was is None or figure(was.value, was.unit) == figure(now.value, now.unit):
            continue
        moved = ("" if was.value is None or now.value is None
                 else f" ({change(was.value, now.value, now.unit)})")
        lines.append(f"{now.name}: {figure(was.value, was.unit)} → "
                     f"{figure(now.value, now.unit)}{moved}")
    if old.manifest.headline != headline:
        lines.append(f"headline: now \"{headline}\"")
    stored = sorted((folder / INPUTS).glob("commentary*"))
    if (stored[0].read_text() if stored else None) != commentary:
        lines.append("the commentary")
    return lines or ["nothing: the same figures, headline and commentary"]
