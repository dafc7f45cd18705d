"""Client copies made on a Dask cluster (``build --scheduler ADDRESS``).

Imported only when a scheduler is given: dask.distributed takes a while to import, and is
an optional dependency (``pip install 'reportgen[cluster]'``, here and on the workers).

The job every copy shares goes to each worker once, as a worker plugin, and so do the
bodies, once the build has laid them out: the scheduler also gives them to workers that join
later, and each worker keeps its own copy. (Data scattered to every worker would not do: the
scheduler trims it to one replica, and a lost worker can take that one with it.) Each batch
is a task; the first batches, one a worker thread, are begun before the bodies exist (as
local processes begin theirs), and are two: their own pages drawn, then spliced. The
scheduler gives a lost worker's tasks to the others (and draws again what it held), and
after several losses gives up on a batch, which stops the build before anything is
published.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from distributed import Client, KilledWorker, WorkerPlugin, as_completed, get_worker

from reportgen.copies import (
    Batch,
    Bodies,
    CopyJob,
    Executor,
    MadeBatch,
    MakeCopies,
    OwnPages,
    branding_key,
    draw_batch,
    make_batch,
    spliced,
    versions,
)
from reportgen.errors import ReportgenError

P = TypeVar("P", bound=WorkerPlugin)
TIMEOUT = 10.0  # seconds to connect to the scheduler, and to wait for a first worker


@contextmanager
def connect(address: str) -> Iterator[Executor]:
    """The cluster at ``address``, connected to and its workers checked before the build
    begins (so a wrong address fails at once), and closed after."""
    try:
        client = Client(address, timeout=TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ReportgenError(f"Cannot reach a Dask scheduler at {address} ({error}). Start "
                             "one (`dask scheduler`) or check the address.") from None
    with client, client.as_current():  # where as_completed finds its client
        _check_workers(client, address)
        yield DaskCluster(client)


def _check_workers(client: Client, address: str) -> None:
    """The cluster has a worker, and each runs what this machine runs: another WeasyPrint,
    librsvg or reportgen could lay a client's pages out differently from the master."""
    try:
        client.wait_for_workers(1, timeout=TIMEOUT)
    except TimeoutError:
        raise ReportgenError(f"The Dask scheduler at {address} has no workers; start some "
                             f"(`dask worker {address}`).") from None
    here = versions()
    theirs_by_worker: dict[str, dict[str, str]] = client.run(versions)
    for worker, theirs in sorted(theirs_by_worker.items()):
        differ = [f"{name} {theirs.get(name)} (here {version})"
                  for name, version in here.items() if theirs.get(name) != version]
        if differ:
            raise ReportgenError(f"Dask worker {worker} runs {', '.join(differ)}: its copies "
                                 "could differ from the master. Install the same versions "
                                 "on every worker.")


@dataclass(frozen=True)
class DaskCluster(Executor):
    client: Client

    @contextmanager
    def begun(self, job: CopyJob, work: list[Batch]) -> Iterator[MakeCopies]:
        """The job goes to every worker now, and each worker thread begins drawing a
        batch's own pages while the build lays out the edition; the bodies follow, when the
        build has them, and the rest of the batches with them."""
        if not work:  # no clients: nothing to send the workers
            yield lambda bodies: iter(())
            return
        name = f"reportgen-copy-job-{uuid.uuid4()}"
        plugins = [name]
        self.client.register_plugin(JobPlugin(job), name=name)
        threads = sum(self.client.nthreads().values())
        early = [self.client.submit(_draw_on_worker, name, batch, pure=False)
                 for batch in work[:threads]]

        def made(bodies: Bodies) -> Iterator[MadeBatch]:
            plugins.append(f"{name}-bodies")
            self.client.register_plugin(BodiesPlugin(bodies), name=plugins[-1])
            begun_early = (self.client.submit(_splice_on_worker, name, batch, pages,
                                              pure=False)
                           for batch, pages in zip(work, early, strict=False))
            the_rest = (self.client.submit(_make_on_worker, name, batch, pure=False)
                        for batch in work[len(early):])
            # Generators, not lists: each batch's result is released on its worker as soon
            # as it has been written here, so neither side holds the whole edition.
            for future in as_completed(itertools.chain(begun_early, the_rest)):
                try:
                    result: MadeBatch = future.result()
                except KilledWorker as error:
                    raise ReportgenError(
                        f"Dask workers kept dying while making client copies (the last "
                        f"{error.last_worker.address}); nothing was published. Check the "
                        "workers' memory and logs.") from None
                yield result

        try:
            yield made
        finally:
            self.client.cancel(early)  # those not begun, if the build stopped before them
            for plugin in plugins:
                self.client.unregister_worker_plugin(plugin)


class JobPlugin(WorkerPlugin):
    """Carries the job to a worker, where the batches find it."""

    def __init__(self, job: CopyJob) -> None:
        self.job = job


class BodiesPlugin(WorkerPlugin):
    """Carries the bodies to a worker, once the build has laid them out."""

    def __init__(self, bodies: Bodies) -> None:
        self.bodies = bodies


def _plugin(name: str, kind: type[P]) -> P:
    plugin = get_worker().plugins[name]
    assert isinstance(plugin, kind)
    return plugin


def _draw_on_worker(job: str, batch: Batch) -> OwnPages:
    return draw_batch(_plugin(job, JobPlugin).job, batch)


def _splice_on_worker(job: str, batch: Batch, pages: OwnPages) -> MadeBatch:
    bodies = _plugin(f"{job}-bodies", BodiesPlugin).bodies
    return spliced(batch, pages, bodies[branding_key(batch.branding)])


def _make_on_worker(job: str, batch: Batch) -> MadeBatch:
    return make_batch(_plugin(job, JobPlugin).job, batch,
                      _plugin(f"{job}-bodies", BodiesPlugin).bodies)
