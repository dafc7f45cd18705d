"""Writing files so that a crash leaves either the old content or the new, never half."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def append_lines(path: Path, lines: str) -> None:
    """Append ``lines`` (each ending in a newline) and flush them to disk before returning:
    the records that say what was published or sent must outlive a crash right after."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(lines)
        handle.flush()
        os.fsync(handle.fileno())


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """``write`` a temporary file beside ``path``, then put it in place in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
