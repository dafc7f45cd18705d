"""Client copies made on a Dask cluster (``build --scheduler ADDRESS``).

Imported only when a scheduler is given: dask.distributed takes a while to import, and is
an optional dependency (``pip install 'reportgen[cluster]'``, here and on the workers).

The job every copy shares, with the bodies, goes to each worker once, as a worker plugin:
the scheduler also gives it to workers that join later, and each worker keeps its own copy.
(Data scattered to every worker would not do: the scheduler trims it to one replica, and
a lost worker can take that one with it.) Each batch is a task; the scheduler gives a lost
worker's tasks to the others, and after several losses gives up on a batch, which stops the
build before anything is published.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from distributed import Client, KilledWorker, WorkerPlugin, as_completed, get_worker

from reportgen.archive.publish import package_versions
from reportgen.copies import Batch, Bodies, CopyJob, Executor, MadeBatch, make_batch
from reportgen.errors import ReportgenError

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
    """The cluster has a worker, and each runs what this machine runs: another WeasyPrint
    or reportgen could lay a client's pages out differently from the master."""
    try:
        client.wait_for_workers(1, timeout=TIMEOUT)
    except TimeoutError:
        raise ReportgenError(f"The Dask scheduler at {address} has no workers; start some "
                             f"(`dask worker {address}`).") from None
    here = package_versions()
    versions: dict[str, dict[str, str]] = client.run(package_versions)
    for worker, theirs in sorted(versions.items()):
        differ = [f"{name} {theirs.get(name)} (here {version})"
                  for name, version in here.items() if theirs.get(name) != version]
        if differ:
            raise ReportgenError(f"Dask worker {worker} runs {', '.join(differ)}: its copies "
                                 "could differ from the master. Install the same versions "
                                 "on every worker.")


@dataclass(frozen=True)
class DaskCluster(Executor):
    client: Client

    def made(self, job: CopyJob, work: list[Batch], bodies: Bodies) -> Iterator[MadeBatch]:
        name = f"reportgen-copy-job-{uuid.uuid4()}"
        self.client.register_plugin(JobPlugin(job, bodies), name=name)
        try:
            # A generator, not a list: each batch's result is released on its worker as
            # soon as it has been written here, so neither side holds the whole edition.
            finished = as_completed(self.client.submit(_make_on_worker, name, batch,
                                                       pure=False) for batch in work)
            for future in finished:
                try:
                    made: MadeBatch = future.result()
                except KilledWorker as error:
                    raise ReportgenError(
                        f"Dask workers kept dying while making client copies (the last "
                        f"{error.last_worker.address}); nothing was published. Check the "
                        "workers' memory and logs.") from None
                yield made
        finally:
            self.client.unregister_worker_plugin(name)


class JobPlugin(WorkerPlugin):
    """Carries the job and the bodies to a worker, where the batches find them."""

    def __init__(self, job: CopyJob, bodies: Bodies) -> None:
        self.job, self.bodies = job, bodies


def _make_on_worker(plugin: str, batch: Batch) -> MadeBatch:
    job_plugin = get_worker().plugins[plugin]
    assert isinstance(job_plugin, JobPlugin)
    return make_batch(job_plugin.job, batch, job_plugin.bodies)
