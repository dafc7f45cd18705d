"""Client copies: made in this process, in local worker processes, or on a Dask cluster
(``cluster.py``).

What every copy shares (the figures and prices the portfolio pages need) is one
``CopyJob``, sent to each worker once, and so is each branding's laid-out body. A task is
one ``Batch``: up to ``CLIENTS_PER_DOCUMENT`` clients of one branding, whose own pages are
drawn by librsvg as one PDF (``render/drawn.py``) and spliced into the body
(``render/personalise.py``); it gives back each client's PDF. The same functions make a
batch wherever it runs, so the copies are byte for byte the same whatever the executor.
Batches come back as they finish; the build writes each copy to its staging folder on
arrival and publishes only when all are there.

Drawing a batch does not need the body, so local processes (on the core that would
otherwise wait) and a cluster's workers begin while the build lays out the edition; each
batch waits for its body only to be spliced. A worker never lays out HTML: WeasyPrint is
the build's alone.

A lost worker's batches are made again: a local pool that loses a process is replaced and
given the batches not yet back (Dask reschedules them itself).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import pickle
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reportgen.archive.publish import package_versions
from reportgen.clients import Client, Holding
from reportgen.config import Branding, Config
from reportgen.durable import write_atomic
from reportgen.errors import ReportgenError
from reportgen.metrics.portfolio import portfolio_figures
from reportgen.metrics.report import ReportFigures
from reportgen.processes import (
    end_processes,
    fork_server,
    pool_lost,
    start_fork_server,
    start_helper_with,
    usable_cores,
)
from reportgen.render.chart_pages import librsvg_version, svg_pages
from reportgen.render.drawn import FONTS_CONFIG, Drawing, drawn_block
from reportgen.render.personalise import Body, split_client_pages
from reportgen.render.portfolio import portfolio_pages

log = logging.getLogger(__name__)

# Clients whose own pages are drawn as one PDF and spliced into one reading of the body:
# enough to share the fixed cost of a batch (librsvg's process, its fonts, the body read);
# few enough that memory stays flat.
CLIENTS_PER_DOCUMENT = 20
# How often a local pool that lost a process is replaced before the build gives up.
POOL_RESTARTS = 2
# Batches a local process makes before a fresh one takes over (memory: see LocalProcesses).
BATCHES_PER_PROCESS = 25


@dataclass(frozen=True)
class CopyJob:
    """What every client copy of an edition shares; sent to each worker once."""

    config: Config
    figures: ReportFigures
    closes: Mapping[str, pd.Series]  # adjusted closes of every ticker a client holds


Bodies = Mapping[str, Body]  # each branding's body, by the branding's JSON (branding_key)


@dataclass(frozen=True)
class Batch:
    branding: Branding
    clients: tuple[Client, ...]


@dataclass(frozen=True)
class MadeBatch:
    copies: tuple[tuple[str, bytes], ...]  # client id, PDF


def versions() -> dict[str, str]:
    """The versions of what an edition's and its copies' bytes depend on: Python, the
    packages, and librsvg (which draws the charts and the clients' tables)."""
    return package_versions() | {"librsvg": librsvg_version()}


def branding_key(branding: Branding) -> str:
    return branding.model_dump_json()


def batches(clients: Iterable[tuple[Branding, Client]]) -> list[Batch]:
    """The clients in batches of one branding each, in the order of their first client;
    within a branding, clients who hold the same are next to one another (in the order
    their holdings first appear), so the holders of a model portfolio share batches and
    their portfolio page is drawn once a batch (``portfolio_page_holders``)."""
    by_branding: dict[str, tuple[Branding, dict[tuple[Holding, ...], list[Client]]]] = {}
    for branding, client in clients:
        _, by_holdings = by_branding.setdefault(branding_key(branding), (branding, {}))
        by_holdings.setdefault(client.portfolio_key, []).append(client)
    grouped = [(branding, [client for holders in by_holdings.values() for client in holders])
               for branding, by_holdings in by_branding.values()]
    return [Batch(branding, tuple(members[first:first + CLIENTS_PER_DOCUMENT]))
            for branding, members in grouped
            for first in range(0, len(members), CLIENTS_PER_DOCUMENT)]


def make_batch(job: CopyJob, batch: Batch, bodies: Bodies) -> MadeBatch:
    """Each of the batch's clients' copies: the branding's body with their block drawn over
    its cover and, after the summary, their portfolio pages."""
    return spliced(batch, draw_batch(job, batch), bodies[branding_key(batch.branding)])


@dataclass(frozen=True)
class OwnPages:
    """A batch's own pages, drawn by librsvg as one PDF: the portfolio pages' contents
    (once for all the batch's clients who hold the same), then each client's block."""

    pdf: bytes
    portfolios: tuple[tuple[int, ...], ...]  # each client's portfolio pages, by number
    blocks: tuple[int, ...]  # each client's block's page


def draw_batch(job: CopyJob, batch: Batch) -> OwnPages:
    """The batch's own pages, drawn, not laid out (``render/drawn.py``), and without the
    body, which need not be laid out yet: each client's block (their name and adviser), and
    a portfolio page once for all the batch's clients who hold the same
    (``portfolio_page_holders``)."""
    holders = portfolio_page_holders(batch.clients)
    drawings: list[bytes] = []
    pages_of: dict[int, tuple[int, ...]] = {}
    for n, client in enumerate(batch.clients):
        if holders[n] == n:
            pages = [page.svg() for page in _portfolio_pages(job, client, batch.branding)]
            pages_of[n] = tuple(range(len(drawings), len(drawings) + len(pages)))
            drawings += pages
    first_block = len(drawings)
    drawings += [drawn_block(client.name, client.adviser).svg() for client in batch.clients]
    with svg_pages(lambda: drawings, FONTS_CONFIG) as drawn:
        pdf = drawn()
    return OwnPages(pdf, tuple(pages_of[holder] if holder is not None else ()
                               for holder in holders),
                    tuple(range(first_block, first_block + len(batch.clients))))


def portfolio_page_holders(clients: Sequence[Client]) -> list[int | None]:
    """For each client, which client of the batch (by position) has their portfolio page
    drawn: the first with the same holdings, since the page shows only the holdings and the
    edition's figures (a model portfolio held by many clients is drawn once a batch); None
    for a client without holdings."""
    first: dict[tuple[Holding, ...], int] = {}
    return [first.setdefault(client.portfolio_key, n) if client.holdings else None
            for n, client in enumerate(clients)]


def spliced(batch: Batch, pages: OwnPages, body: Body) -> MadeBatch:
    """The batch's copies: each client's block and portfolio pages (perhaps drawn for
    another client who holds the same) spliced into ``body``."""
    copies = split_client_pages(pages.pdf, pages.portfolios, pages.blocks, body)
    return MadeBatch(tuple(zip((c.id for c in batch.clients), copies, strict=True)))


def _portfolio_pages(job: CopyJob, client: Client, branding: Branding) -> list[Drawing]:
    ins = job.config.instruments
    small = {*ins.small_caps, *ins.small_cap_styles, *ins.universe}
    figures = portfolio_figures(client.holdings, job.closes, job.figures.as_of, small)
    return portfolio_pages(figures, job.figures, ins, branding.paper, branding.colour)


# Given the bodies, every batch made, as each finishes (not necessarily in order).
MakeCopies = Callable[[Bodies], Iterator[MadeBatch]]


class Executor(ABC):
    """Where the client copies are made: here (``InThisProcess``), in local processes
    (``LocalProcesses``) or on a Dask cluster (``cluster.DaskCluster``)."""

    @abstractmethod
    def begun(self, job: CopyJob, work: list[Batch]) -> AbstractContextManager[MakeCopies]:
        """The copies begun before the bodies are laid out, where an executor can begin
        them; what it gives makes every batch once it has the bodies, giving each as it
        finishes (not necessarily in order)."""


class InThisProcess(Executor):
    """Makes the batches here, one after another; more than ``BATCHES_PER_PROCESS`` of them
    in one fresh local process at a time instead, since this process would otherwise keep
    what a long-lived process gathers (see LocalProcesses)."""

    @contextmanager
    def begun(self, job: CopyJob, work: list[Batch]) -> Iterator[MakeCopies]:
        if len(work) > BATCHES_PER_PROCESS:
            with LocalProcesses(1).begun(job, work) as make:
                yield make
        else:
            yield lambda bodies: (make_batch(job, batch, bodies) for batch in work)


@dataclass(frozen=True)
class LocalProcesses(Executor):
    """Makes the batches in ``workers`` local processes.

    The processes come from the build's fork server (``processes.py``; with ``--workers``
    it has imported this module once), not from this process: a fork of a process with
    other threads (the progress display) can inherit a lock held by one of them and wait on
    it forever. Each process gets the job once, and reads each body once from the spool
    folder, where the build puts the bodies when it has laid them out (the processes draw
    batches meanwhile). A process is replaced by a fresh one after ``BATCHES_PER_PROCESS``
    batches, which gives back what a long-lived process gathers (freed memory is not always
    returned).

    A batch's copies come back through a spool file, and only the file's name through the
    pool's pipe: a process killed while writing a large result into that pipe leaves
    CPython's pool waiting forever for the rest of the message, where a short message is
    written whole or not at all."""

    workers: int

    @contextmanager
    def begun(self, job: CopyJob, work: list[Batch]) -> Iterator[MakeCopies]:
        with tempfile.TemporaryDirectory(prefix="reportgen-copies-") as spool:
            run = _LocalRun(self.workers, job, work, Path(spool))
            try:
                yield run.made
            finally:
                run.end()


class _LocalRun:
    """The batches not yet back, given to one pool of processes after another: a fresh pool
    every ``BATCHES_PER_PROCESS`` batches a process, and in place of one that lost a
    process. The first pool starts drawing batches at once, as many as leave the build a
    core to lay out the edition on (three processes on two cores slowed the edition by about
    what the batches gained); the bodies, once the build has them, go to the processes
    through the spool folder, and the pool gets its full share of batches."""

    def __init__(self, workers: int, job: CopyJob, work: list[Batch], spool: Path) -> None:
        self.workers, self.job, self.spool = workers, job, spool
        self.pending = dict(enumerate(work))
        self.pool, self.round = self._start_round(
            first=max(0, min(workers, usable_cores() - 1)))

    def _start_round(self, first: int = 0) -> tuple[ProcessPoolExecutor, _Feed]:
        this_round = dict(itertools.islice(self.pending.items(),
                                           self.workers * BATCHES_PER_PROCESS))
        pool = ProcessPoolExecutor(self.workers, mp_context=fork_server(),
                                   initializer=start_helper_with,
                                   initargs=(_receive, self.job, self.spool))
        return pool, _Feed(pool, this_round, queued=2 * self.workers, first=first)

    def made(self, bodies: Bodies) -> Iterator[MadeBatch]:
        """Gives the processes the bodies and the pool its full share of batches at once
        (the build may have more to do before it reads them), and the batches as they
        finish when read."""
        for key, body in bodies.items():
            _spool_atomically(_body_file(self.spool, key), body)
        self.round.fill()
        return self._collected()

    def _collected(self) -> Iterator[MadeBatch]:
        restarts = 0
        while True:
            try:
                for n, spooled in self.round:
                    del self.pending[n]
                    yield _unspool(spooled)
            except pool_lost():
                end_processes(self.pool)
                restarts += 1
                if restarts > POOL_RESTARTS:
                    raise ReportgenError(
                        f"Worker processes kept dying ({POOL_RESTARTS} restarts) with "
                        f"{len(self.pending)} batches of client copies unmade; nothing was "
                        "published. Check the machine's memory, or use fewer --workers."
                    ) from None
                log.warning("a worker process died; making its %d unfinished batches "
                            "again", len(self.pending))
            self.pool.shutdown(wait=True, cancel_futures=True)
            if not self.pending:
                return
            self.pool, self.round = self._start_round()

    def end(self) -> None:
        """Ends the pool; its processes at once if batches are unmade (the build stopped:
        they may be waiting for bodies that will never come)."""
        if self.pending:
            end_processes(self.pool)
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Feed:
    """A pool's batches, each number with its spool file as it finishes, with at most
    ``queued`` batches given to the pool at a time (memory stays flat however many
    clients): ``first`` of them at once, the others when the feed is read."""

    def __init__(self, pool: ProcessPoolExecutor, work: Mapping[int, Batch], queued: int,
                 first: int) -> None:
        self.pool, self.work, self.queued = pool, work, queued
        self.waiting = iter(list(work))
        self.in_flight: dict[Future[Path], int] = {}
        self.fill(min(first, queued))

    def fill(self, up_to: int | None = None) -> None:
        """Gives the pool batches until ``up_to`` (else ``queued``) are in its hands."""
        try:
            for _ in range((self.queued if up_to is None else up_to) - len(self.in_flight)):
                self._give_next()
        except pool_lost():
            pass  # a process died on starting: reading the feed finds the pool broken

    def _give_next(self) -> None:
        n = next(self.waiting, None)
        if n is not None:
            self.in_flight[self.pool.submit(_make_received, n, self.work[n])] = n

    def __iter__(self) -> Iterator[tuple[int, Path]]:
        for _ in range(self.queued - len(self.in_flight)):
            self._give_next()
        while self.in_flight:
            done, _ = wait(self.in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                n = self.in_flight.pop(future)
                yield n, future.result()
                self._give_next()


# In a local pool's process: the job, the spool folder (set by the pool's initializer), and
# the bodies read from it so far.
_received: tuple[CopyJob, Path, dict[str, Body]] | None = None
# How often a process waiting for a body looks for its file, in seconds.
BODY_POLL = 0.02


def _receive(job: CopyJob, spool: Path) -> None:
    global _received
    _received = (job, spool, {})


def _make_received(n: int, batch: Batch) -> Path:
    assert _received is not None, "the pool's initializer gave this process the job"
    job, spool, _ = _received
    pages = draw_batch(job, batch)
    made = spliced(batch, pages, _wait_for_body(branding_key(batch.branding)))
    path = spool / f"{n}.pickle"
    _spool_atomically(path, made)
    return path


def _wait_for_body(key: str) -> Body:
    """The body of this branding, read from the spool folder when the build has put it
    there (a process whose build has ended ends: ``start_helper``)."""
    assert _received is not None, "the pool's initializer gave this process the job"
    _, spool, bodies = _received
    if key not in bodies:
        path = _body_file(spool, key)
        while not path.exists():
            time.sleep(BODY_POLL)
        bodies[key] = pickle.loads(path.read_bytes())  # written by our own build
    return bodies[key]


def _body_file(spool: Path, key: str) -> Path:
    return spool / f"body-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pickle"


def _spool_atomically(path: Path, value: object) -> None:
    """``value`` pickled into ``path``: a process killed mid-write leaves no file there to
    misread."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(path, lambda partial: partial.write_bytes(data))


def _unspool(path: Path) -> MadeBatch:
    made: MadeBatch = pickle.loads(path.read_bytes())  # written by our own worker
    path.unlink()
    return made


def local_executor(workers: int = 1) -> Executor:
    """Here, or in ``workers`` local processes (whose fork server starts importing now, while
    this process loads the data and lays out the edition)."""
    if workers <= 1:
        return InThisProcess()
    start_fork_server(for_copies=True)
    return LocalProcesses(workers)
