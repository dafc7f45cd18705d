"""Writing an edition folder: every file staged in a hidden folder beside the target,
checksummed into the manifest, then renamed into place in one step. A crash or Ctrl-C leaves
no partial edition, and a published one is never overwritten."""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from reportgen.archive.editions import MANIFEST, sha256
from reportgen.archive.index import write_index

PACKAGES = ["reportgen", "pandas", "numpy", "pyarrow", "matplotlib", "weasyprint", "pydyf",
            "fonttools", "jinja2", "pikepdf", "yfinance"]


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@contextmanager
def staged_edition(folder: Path) -> Iterator[Path]:
    """A private folder to write the edition into; renamed to ``folder`` when the block ends
    cleanly, removed if it does not."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; an edition is meant to be read
        yield staging
        os.rename(staging, folder)  # fails if the folder appeared meanwhile: never overwrite
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    write_index(folder.parent)


def write_manifest(staging: Path, manifest: dict[str, Any]) -> None:
    """The manifest, with the SHA-256 of every file staged so far."""
    manifest["files"] = {path.relative_to(staging).as_posix(): sha256(path)
                         for path in sorted(staging.rglob("*")) if path.is_file()}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
