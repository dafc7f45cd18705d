"""How reportgen's processes start and end.

The build's helper processes come from one fork server, started as a build begins, that
imports what the helpers need while the build loads its data, so a helper is ready in
milliseconds when the build needs it.

Helpers fork from that server, not from the build: a fork of a process with other threads
(the progress display) can inherit a lock one of them holds and wait on it forever.

This module imports nothing heavy itself, so a command that builds can start the server
before it imports anything else (``__main__.py``).
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import ProcessPoolExecutor

# What the server imports for every helper: the charts (matplotlib). Not the command line: a
# helper imports the program's main module, reportgen/__main__.py, which imports it only
# when the command runs, so the server is ready sooner.
PRELOADED = ["reportgen.charts.report_charts"]
# And for builds whose client copies are made in local processes: what draws and splices
# them (not WeasyPrint, which only the build itself runs). Not always, since the server
# would then be ready later for the charts.
PRELOADED_FOR_COPIES = ["reportgen.copies"]

# A build makes millions of short-lived containers (pandas' objects, WeasyPrint's boxes) and
# keeps few. At Python's default threshold (a collection every 700 allocations more than
# frees) one edition ran ~770 collections, 5 of them full: 0.5 s. At 10,000: ~50, none full,
# 0.2 s; garbage in reference cycles waits a little longer to be freed.
YOUNG_COLLECTION_THRESHOLD = 10_000


def tune_collector() -> None:
    """Sets this process's garbage-collector threshold for a build (see above)."""
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])


@contextmanager
def sparing_what_lives() -> Iterator[None]:
    """Meanwhile, every object this process had made before is out of the collector's
    reach: the modules, the data and the figures live until the build ends, and a full
    collection during an edition's layout went over all of them again (0.1 s; some 140,000
    objects). Objects are still freed when nothing refers to them; afterwards the collector
    has them all back (a process may go on to other work, as the tests' does)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def start_helper() -> None:
    """Readies a helper process (a pool's initializer): the build's collector threshold,
    and an end as soon as the build that asked for it has ended, however it ended. CPython's
    pool processes each hold both ends of the pool's pipes, so the helpers of a build killed
    outright (out of memory, ``kill -9``) would otherwise wait forever for work, each
    holding its memory."""
    tune_collector()
    build = multiprocessing.parent_process()
    if build is not None:
        threading.Thread(target=_exit_when_ended, args=(build.sentinel,), daemon=True,
                         name="reportgen-end-with-the-build").start()


def start_helper_with(receive: Callable[..., object], *shared: object) -> None:
    """``start_helper``, then ``receive(*shared)``: what every task of the pool shares, sent
    to each helper once as the pool starts it (a pool's initializer) rather than with each
    task."""
    start_helper()
    receive(*shared)


def _exit_when_ended(build: int) -> None:
    multiprocessing.connection.wait([build])
    os._exit(1)


def end_without_collecting() -> None:
    """Lets this process end without the interpreter's final collections over every object
    it made (~0.4 s after a build), which would free only memory the system takes back as
    the process ends: at exit, the objects are frozen out of the collector's reach. Exit
    handlers still run (files, logs and temporary folders are closed by them or before)."""
    atexit.unregister(gc.freeze)  # once, however many commands a process runs (tests do)
    atexit.register(gc.freeze)


def fork_server() -> BaseContext:
    """The multiprocessing context whose processes fork from the server (started by
    ``start_fork_server``, or else by the first pool that needs it)."""
    return multiprocessing.get_context("forkserver")


def start_fork_server(for_copies: bool = False) -> None:
    """Starts the server's imports now (they take a second or two), if it is not running
    and the build has a core to spare: on one core it would only slow the build down."""
    if spare_cores():
        fork_server().set_forkserver_preload(
            PRELOADED + (PRELOADED_FOR_COPIES if for_copies else []))
        multiprocessing.forkserver.ensure_running()


def usable_cores() -> int:
    """How many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process is allowed
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def spare_cores() -> bool:
    """Whether this process may run on more than one core, so a helper runs beside it."""
    return usable_cores() > 1


def pool_lost() -> tuple[type[Exception], ...]:
    """What a pool that lost a process raises where it is given work or gives results
    (``except pool_lost():``). CPython's pool (3.11) starts its processes as it is given
    work; should one die as another starts, the start can fail on a pipe the pool has just
    closed (OSError), and the fork server, sent a torn request, ends: a lost pool either
    way (the next pool starts a new server). Imported when asked: a build loads this module
    before anything else, and the pool's module takes a few milliseconds."""
    from concurrent.futures.process import BrokenProcessPool

    return BrokenProcessPool, OSError


def end_processes(pool: ProcessPoolExecutor) -> None:
    """Ends a pool's processes, so that its shutdown returns without waiting for their
    tasks: those of a broken pool, and of one whose build has stopped. CPython's pool
    (3.11), once a process is lost, ends the processes it has and waits for each; a process
    it started in that moment (for a task given as the other died) is never ended, so the
    pool's shutdown would wait for it forever. The pool has no public handle on them (and
    none at all once it is shut down)."""
    for process in list((pool._processes or {}).values()):
        process.terminate()
