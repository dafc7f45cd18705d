"""Publishing an edition: every file staged in a hidden folder beside the target, the
manifest written last, then the folder renamed into place and the edition added to the
archive's chain, under the archive's lock. A crash or Ctrl-C leaves no partial edition (the
next build of the month removes its hidden folder), and a published one is never
overwritten."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from reportgen.archive import chain
from reportgen.archive.editions import STAGING_NAME, scan, sha256
from reportgen.archive.index import refresh_index
from reportgen.archive.manifest import MANIFEST, Manifest, manifest_text
from reportgen.errors import ReportgenError

PACKAGES = ["reportgen", "pandas", "numpy", "pyarrow", "matplotlib", "weasyprint", "pydyf",
            "fonttools", "jinja2", "pikepdf", "yfinance"]
LOCKS = ".locks"
# Publishing takes a moment; a second build waits this long for the first to finish it.
PUBLISH_WAIT_SECONDS = 120


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _lock(out_dir: Path, name: str, timeout: float) -> FileLock:
    try:
        (out_dir / LOCKS).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportgenError(f"{out_dir}: cannot write there ({error.strerror}); choose "
                             "another --out folder or fix its permissions.") from None
    return FileLock(out_dir / LOCKS / f"{name}.lock", timeout=timeout)


@contextmanager
def exclusive(out_dir: Path, name: str, what: str) -> Iterator[None]:
    """Hold the lock ``OUT/.locks/NAME.lock`` for the block; if another process holds it,
    refuse at once with one line (``what`` is running)."""
    lock = _lock(out_dir, name, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ReportgenError(f"{what} is already running (it holds {lock.lock_file}); wait "
                             "for it to finish, then run this again.") from None
    try:
        yield
    finally:
        lock.release()


def remove_unfinished(out_dir: Path, month: pd.Period) -> list[str]:
    """The hidden folders of builds of ``month`` that did not finish; call it holding the
    month's build lock, so none of them is a build still running."""
    removed = []
    for folder in scan(out_dir).unfinished:
        found = STAGING_NAME.match(folder.name)
        if found and found.group(1).startswith(f"{month}"):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def heal_chain(out_dir: Path) -> list[chain.Link]:
    """The chain, with any edition that was published but not chained (a crash between the
    rename and the chain's write) appended in order; call it holding the archive lock."""
    links = chain.read_chain(out_dir)
    chained = {link.edition for link in links if link.kind == "manifest"}
    waiting = sorted((e for e in scan(out_dir).editions if e.name not in chained),
                     key=lambda e: e.manifest.built_at)
    for edition in waiting:
        if edition.manifest.previous_manifest == chain.head(links):
            links.append(chain.Link(edition.name, edition.manifest_sha256,
                                    edition.manifest.previous_manifest))
            chain.append(out_dir, links[-1])
    return links


def publish_edition(folder: Path, write_files: Callable[[Path], None],
                    fields: dict[str, Any]) -> None:
    """Write the edition ``folder``: ``write_files(staging)`` writes its files, then the
    manifest (``fields`` plus the checksums and the chain's head) and the rename."""
    out_dir = folder.parent
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=out_dir))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; an edition is meant to be read
        write_files(staging)
        files = {path.relative_to(staging).as_posix(): sha256(path)
                 for path in sorted(staging.rglob("*")) if path.is_file()}
        with _lock(out_dir, "archive", PUBLISH_WAIT_SECONDS):
            links = heal_chain(out_dir)
            # Encoded once: the bytes on disk are the bytes the chain records.
            data = manifest_text(Manifest(**fields, previous_manifest=chain.head(links),
                                          files=files)).encode("utf-8")
            (staging / MANIFEST).write_bytes(data)
            os.rename(staging, folder)  # fails if the folder appeared meanwhile
            chain.append(out_dir, chain.Link(folder.name, hashlib.sha256(data).hexdigest(),
                                             chain.head(links)))
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise ReportgenError(f"{folder}: could not write the edition ({error.strerror or error}); "
                             "nothing was published. Free some space or fix the folder, "
                             "then build again.") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    refresh_index(out_dir)
