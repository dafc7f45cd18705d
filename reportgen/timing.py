"""Each stage logs what it did and how long it took, through the standard ``logging``
module; ``reportgen --verbose`` shows it, ``--log-file FILE`` keeps it."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def timed(log: logging.Logger, what: str) -> Iterator[None]:
    """Logs '<what> in 1.23 s' at INFO when the block completes."""
    started = time.perf_counter()
    yield
    log.info("%s in %.2f s", what, time.perf_counter() - started)
