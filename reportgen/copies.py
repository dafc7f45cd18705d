"""Client copies: made in this process, in local worker processes, or on a Dask cluster
(``cluster.py``).

What every copy shares (the report model, each branding's laid-out body, and the figures
and prices the portfolio pages need) is one ``CopyJob``, sent to each worker once. A task is
one ``Batch``: up to ``CLIENTS_PER_DOCUMENT`` clients of one branding, whose own pages are
laid out as one WeasyPrint document and split (``render/personalise.py``); it gives back
each client's PDF. The same function makes a batch wherever it runs, so the copies are byte
for byte the same whatever the executor. Batches come back as they finish; the build
writes each copy to its staging folder on arrival and publishes only when all are there.

A lost worker's batches are made again: a local pool that loses a process is replaced and
given the batches not yet back (Dask reschedules them itself).
"""

from __future__ import annotations

import itertools
import logging
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reportgen.clients import Client
from reportgen.config import Branding, Config
from reportgen.errors import ReportgenError
from reportgen.metrics.portfolio import portfolio_figures
from reportgen.metrics.report import ReportFigures
from reportgen.processes import (
    end_broken_pool,
    fork_server,
    start_fork_server,
    tune_collector,
)
from reportgen.render.compose import for_clients
from reportgen.render.context import PortfolioContext, ReportContext
from reportgen.render.html import CLIENT_PAGES_TEMPLATE, render_html
from reportgen.render.pdf import render_document
from reportgen.render.personalise import client_page_ranges, split_client_pages
from reportgen.render.portfolio import portfolio_context

log = logging.getLogger(__name__)

# Clients whose own pages are laid out in one document: enough to share a document's fixed
# cost (styles, fonts); few enough that trimming each page's shared resources stays cheap
# (measured per client: 5 ms at 10, 11 ms at 25, 40 ms at 100) and memory stays flat.
CLIENTS_PER_DOCUMENT = 20
# How often a local pool that lost a process is replaced before the build gives up.
POOL_RESTARTS = 2
# Batches a local process makes before a fresh one takes over (memory: see LocalProcesses).
BATCHES_PER_PROCESS = 25


@dataclass(frozen=True)
class Body:
    """One branding's shared pages, laid out once, and where its cover leaves room for a
    client's block (CSS px from the page area's top-left corner)."""

    pdf: bytes
    block_at: tuple[float, float]


@dataclass(frozen=True)
class CopyJob:
    """What every client copy of an edition shares; sent to each worker once."""

    context: ReportContext
    config: Config
    figures: ReportFigures
    closes: Mapping[str, pd.Series]  # adjusted closes of every ticker a client holds
    bodies: Mapping[str, Body]  # by the branding's JSON
    variant: str
    identifier: bytes  # the PDFs' document identifier


@dataclass(frozen=True)
class Batch:
    branding: Branding
    clients: tuple[Client, ...]


@dataclass(frozen=True)
class MadeBatch:
    copies: tuple[tuple[str, bytes], ...]  # client id, PDF
    refused: tuple[str, ...]  # URLs the renderer refused to fetch


def branding_key(branding: Branding) -> str:
    return branding.model_dump_json()


def batches(clients: Iterable[tuple[Branding, Client]]) -> list[Batch]:
    """The clients in batches of one branding each, in the order of their first client."""
    by_branding: dict[str, tuple[Branding, list[Client]]] = {}
    for branding, client in clients:
        by_branding.setdefault(branding_key(branding), (branding, []))[1].append(client)
    return [Batch(branding, tuple(members[first:first + CLIENTS_PER_DOCUMENT]))
            for branding, members in by_branding.values()
            for first in range(0, len(members), CLIENTS_PER_DOCUMENT)]


def make_batch(job: CopyJob, batch: Batch) -> MadeBatch:
    """Each of the batch's clients' copies: the branding's body with their block laid over
    its cover and, after the summary, their portfolio page. The batch's own pages are laid
    out as one document; only the small block, not the whole cover, is laid out per client."""
    body = job.bodies[branding_key(batch.branding)]
    context = for_clients(job.context, job.config, batch.branding,
                          [(client, _portfolio(job, client)) for client in batch.clients],
                          body.block_at)
    rendered = render_document(render_html(context, CLIENT_PAGES_TEMPLATE),
                               assets_dir=job.config.assets_dir, variant=job.variant,
                               identifier=job.identifier)
    ranges = client_page_ranges(rendered.page_anchors, len(batch.clients))
    copies = split_client_pages(rendered.pdf, ranges, body.pdf)
    return MadeBatch(tuple(zip((c.id for c in batch.clients), copies, strict=True)),
                     tuple(rendered.refused))


def _portfolio(job: CopyJob, client: Client) -> PortfolioContext | None:
    if not client.holdings:
        return None
    ins = job.config.instruments
    small = {*ins.small_caps, *ins.small_cap_styles, *ins.universe}
    figures = portfolio_figures(client.holdings, job.closes, job.figures.as_of, small)
    return portfolio_context(figures, job.figures, ins)


class Executor:
    """Makes the batches here, one after another; more than ``BATCHES_PER_PROCESS`` of them
    in one fresh local process at a time instead, since this process would otherwise keep
    what a long-lived process gathers (see LocalProcesses)."""

    def made(self, job: CopyJob, work: list[Batch]) -> Iterator[MadeBatch]:
        """Every batch made, as each finishes (not necessarily in order)."""
        if len(work) > BATCHES_PER_PROCESS:
            return LocalProcesses(1).made(job, work)
        return (make_batch(job, batch) for batch in work)


@dataclass(frozen=True)
class LocalProcesses(Executor):
    """Makes the batches in ``workers`` local processes.

    The processes come from the build's fork server (``processes.py``; with ``--workers``
    it has imported WeasyPrint once, else each process imports it), not from this process:
    a fork of a process with other threads (the progress display) can inherit a lock held
    by one of them and wait on it forever. Each process gets the job once, and is replaced
    by a fresh one after ``BATCHES_PER_PROCESS`` batches, which gives back what a
    long-lived process gathers: WeasyPrint 70 leaks two Pango objects for every piece of
    text laid out with a CSS font feature (so fonts.css puts the tabular figures in the
    font faces; before, ~0.7 MiB a batch), and freed memory is not always returned.

    A batch's copies come back through a spool file, and only the file's name through the
    pool's pipe: a process killed while writing a large result into that pipe leaves
    CPython's pool waiting forever for the rest of the message, where a short message is
    written whole or not at all."""

    workers: int

    def made(self, job: CopyJob, work: list[Batch]) -> Iterator[MadeBatch]:
        pending = dict(enumerate(work))
        restarts = 0
        with tempfile.TemporaryDirectory(prefix="reportgen-copies-") as spool:
            while pending:
                this_round = dict(itertools.islice(pending.items(),
                                                   self.workers * BATCHES_PER_PROCESS))
                pool = ProcessPoolExecutor(self.workers, mp_context=fork_server(),
                                           initializer=_receive, initargs=(job, Path(spool)))
                try:
                    for n, spooled in _as_made(pool, this_round, queued=2 * self.workers):
                        del pending[n]
                        yield _unspool(spooled)
                except BrokenProcessPool:
                    end_broken_pool(pool)
                    restarts += 1
                    if restarts > POOL_RESTARTS:
                        raise ReportgenError(
                            f"Worker processes kept dying ({POOL_RESTARTS} restarts) with "
                            f"{len(pending)} batches of client copies unmade; nothing was "
                            "published. Check the machine's memory, or use fewer --workers."
                        ) from None
                    log.warning("a worker process died; making its %d unfinished batches "
                                "again", len(pending))
                finally:
                    pool.shutdown(wait=True, cancel_futures=True)


def _as_made(pool: ProcessPoolExecutor, work: Mapping[int, Batch], queued: int
             ) -> Iterator[tuple[int, Path]]:
    """Each batch's number and spool file as it finishes, with at most ``queued`` batches
    given to the pool at a time: memory stays flat however many clients."""
    waiting = iter(list(work))
    in_flight: dict[Future[Path], int] = {}

    def give_next() -> None:
        n = next(waiting, None)
        if n is not None:
            in_flight[pool.submit(_make_received, n, work[n])] = n

    for _ in range(queued):
        give_next()
    while in_flight:
        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            n = in_flight.pop(future)
            yield n, future.result()
            give_next()


# In a local pool's process: the job and the spool folder (set by the pool's initializer).
_received: tuple[CopyJob, Path] | None = None


def _receive(job: CopyJob, spool: Path) -> None:
    global _received
    tune_collector()
    _received = (job, spool)


def _make_received(n: int, batch: Batch) -> Path:
    assert _received is not None, "the pool's initializer gave this process the job"
    job, spool = _received
    made = make_batch(job, batch)
    path, partial = spool / f"{n}.pickle", spool / f"{n}.partial"
    partial.write_bytes(pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(path)  # a process killed mid-write leaves no spool file to misread
    return path


def _unspool(path: Path) -> MadeBatch:
    made: MadeBatch = pickle.loads(path.read_bytes())  # written by our own worker
    path.unlink()
    return made


def local_executor(workers: int = 1) -> Executor:
    """Here, or in ``workers`` local processes (whose fork server starts importing now, while
    this process loads the data and lays out the edition)."""
    if workers <= 1:
        return Executor()
    start_fork_server(for_copies=True)
    return LocalProcesses(workers)
