"""Client copies made in local processes and on a real Dask cluster (a scheduler and two
workers started on loopback here) are byte for byte those made in one process, also when a
worker dies mid-batch; the edition is published with every copy or not at all."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from reportgen import copies
from reportgen.cli import copy_maker
from reportgen.config import Config
from reportgen.copies import (
    Batch,
    CopyJob,
    Executor,
    InThisProcess,
    local_executor,
)
from reportgen.data.sources import open_source
from reportgen.data.store import Store
from reportgen.edition import EditionRequest, build_edition, load_market_data
from reportgen.errors import ReportgenError
from reportgen.processes import fork_server, usable_cores

pytest.importorskip("distributed", reason="the [cluster] extra (dask.distributed)")
from reportgen import cluster as dask_cluster  # needs distributed

OCTOBER = pd.Period("2026-10")
BUILT = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)  # one build time: copies comparable bytewise
FUNDS = ["IWM", "SPY", "IJR", "QQQ"]
CLIENTS = 7


@pytest.fixture(scope="module")
def clients_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = ["clients:"]
    for n in range(CLIENTS):
        held = ", ".join(f"{{ticker: {FUNDS[(n + k) % 4]}, weight: {w}}}"
                         for k, w in enumerate((0.4, 0.3, 0.2, 0.1)))
        holdings = f", holdings: [{held}]" if n % 3 else ""  # some without a portfolio page
        lines.append(f"  - {{id: client-{n}, name: Client {n}, email: [c{n}@example.com]"
                     f"{holdings}}}")
    path = tmp_path_factory.mktemp("clients") / "clients.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def small_batches() -> Iterator[None]:
    """Two clients to a document, so seven clients are four tasks. (Batches are made on the
    driver; a copy's embedded fonts depend on its batch, so every build here batches alike.)"""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(copies, "CLIENTS_PER_DOCUMENT", 2)
        yield


@pytest.fixture(scope="module")
def data(clients_file: Path):
    config = Config()
    return load_market_data(open_source("sample"), config, Store(), None, FUNDS)


def build(data, out: Path, clients: Path, made_by: Executor,
          stage: Callable[[str], None] = lambda _: None) -> dict[str, bytes]:
    build_edition(data, Config(), EditionRequest(out_dir=out, month=OCTOBER, clients=clients,
                                                 created=BUILT, executor=made_by), stage)
    edition = out / f"{OCTOBER}"
    return {str(p.relative_to(edition)): p.read_bytes() for p in sorted(edition.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


@pytest.fixture(scope="module")
def made_here(data, clients_file: Path, small_batches: None,
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return build(data, tmp_path_factory.mktemp("here"), clients_file, InThisProcess())


def test_the_reference_build_has_every_copy(made_here: dict[str, bytes]) -> None:
    copies_made = [name for name in made_here if name.startswith("clients/")]
    assert len(copies_made) == CLIENTS


def _dies_once(flag: str, clients: tuple) -> tuple:
    """Run where a batch is unpickled, in a worker that has taken it: the first time, the
    worker dies, as one killed mid-batch would."""
    if not os.path.exists(flag):
        Path(flag).touch()
        os._exit(9)
    return clients


def _announce(flag: str, clients: tuple) -> tuple:
    """Run where a batch is unpickled, in a worker that has taken it: says so in ``flag``."""
    Path(flag).touch()
    return clients


class _MarkedClients(tuple):
    """A batch's clients, whose reader in a worker runs ``when_read`` (``flag``: a file
    that says it has)."""

    flag = ""
    when_read: Callable[[str, tuple], tuple] = staticmethod(_announce)

    def __reduce__(self) -> tuple:
        return self.when_read, (self.flag, tuple(self))


def _note_reader(flag: str, clients: tuple) -> tuple:
    """Run wherever a batch is unpickled (a Dask scheduler too, before its worker):
    adds this process's id to ``flag``, and gives clients that do so again."""
    with open(flag, "a") as readers:
        readers.write(f"{os.getpid()}\n")
    noted = _NotedClients(clients)
    noted.flag = flag
    return noted


class _NotedClients(_MarkedClients):
    when_read = staticmethod(_note_reader)


class _DeadlyOnce(_MarkedClients):
    when_read = staticmethod(_dies_once)


def _dies(flag: str, clients: tuple) -> tuple:
    os._exit(9)


class _Deadly(_MarkedClients):
    when_read = staticmethod(_dies)


@dataclass(frozen=True)
class _Marked(Executor):
    """Local processes, with one batch's clients marked (``clients``: how)."""

    processes: Executor
    flag: Path
    clients: type[_MarkedClients] = _MarkedClients
    batch: int = 0

    @contextmanager
    def begun(self, job: CopyJob, work: list[Batch]) -> Iterator[copies.MakeCopies]:
        marked = self.clients(work[self.batch].clients)
        marked.flag = str(self.flag)
        with self.processes.begun(job, [*work[:self.batch],
                                        replace(work[self.batch], clients=marked),
                                        *work[self.batch + 1:]]) as make:
            yield make


def _wait_for(flag: Path) -> None:
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert time.monotonic() < deadline, "no worker took a batch"
        time.sleep(0.05)


@pytest.mark.skipif(usable_cores() < 2, reason="needs a core beside the build's own")
def test_local_processes_lay_out_clients_pages_while_the_edition_is_laid_out(
        data, clients_file: Path, made_here: dict[str, bytes], tmp_path: Path) -> None:
    """A batch is with a worker before this process renders the edition, whose body the
    batch's copies are spliced into; the copies are the same bytes."""
    made_by = _Marked(local_executor(2), tmp_path / "a batch was taken")
    taken_before_rendering = []

    def at_stage(text: str) -> None:
        if text == "Rendering PDF":
            _wait_for(made_by.flag)
            taken_before_rendering.append(True)

    assert build(data, tmp_path / "out", clients_file, made_by, at_stage) == made_here
    assert taken_before_rendering


@pytest.mark.skipif(usable_cores() < 2, reason="needs a core beside the build's own")
def test_a_build_stopped_while_its_workers_wait_for_the_body_ends_them(
        data, clients_file: Path, tmp_path: Path) -> None:
    made_by = _Marked(local_executor(2), tmp_path / "a batch was taken")
    workers: list[multiprocessing.process.BaseProcess] = []

    def stop_while_rendering(text: str) -> None:
        if text == "Rendering PDF":
            _wait_for(made_by.flag)
            workers.extend(multiprocessing.active_children())
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(data, tmp_path / "out", clients_file, made_by, stop_while_rendering)
    assert workers and not any(worker.is_alive() for worker in workers)
    assert not (tmp_path / "out" / f"{OCTOBER}").exists()


# Batch 0 is given to a process before the edition is laid out, so it dies before the
# bodies exist; batch 2 is given after.
@pytest.mark.parametrize("deadly", [0, 2], ids=["before the bodies", "after"])
def test_local_processes_make_the_same_bytes_and_survive_a_lost_process(
        data, clients_file: Path, made_here: dict[str, bytes], tmp_path: Path,
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, deadly: int
        ) -> None:
    monkeypatch.setattr(copies, "BATCHES_PER_PROCESS", 1)  # fresh processes every 2 batches
    workers_seen: set[int | None] = set()

    def note_workers(text: str) -> None:
        workers_seen.update(p.pid for p in multiprocessing.active_children())

    made_by = _Marked(local_executor(2), tmp_path / "a worker died", _DeadlyOnce,
                      batch=deadly)
    with caplog.at_level(logging.WARNING, "reportgen.copies"):
        made = build(data, tmp_path / "out", clients_file, made_by, note_workers)
    assert made_by.flag.exists() and "a worker process died" in caplog.text
    assert made == made_here
    assert len(workers_seen) > 2  # the processes were replaced, not kept for every batch


def test_a_pool_that_breaks_while_it_is_first_given_batches_is_found_broken_when_read(
        ) -> None:
    """The first batches go to a fresh pool before the bodies exist, one after another; a
    process may die on starting before the last is given, and the pool then refuses it.
    That is found where the feed is read (and the pool replaced), not in starting it."""
    with ProcessPoolExecutor(2, mp_context=fork_server(), initializer=os._exit,
                             initargs=(9,)) as pool:
        with pytest.raises(BrokenProcessPool):
            pool.submit(int).result()
        work = {n: Batch(Config().branding, ()) for n in range(2)}
        feed = copies._Feed(pool, work, queued=4, first=2)
        with pytest.raises(BrokenProcessPool):
            next(iter(feed))


def test_processes_that_keep_dying_stop_the_build_in_one_line(
        data, clients_file: Path, tmp_path: Path) -> None:
    made_by = _Marked(local_executor(2), tmp_path / "unused", _Deadly)
    with pytest.raises(ReportgenError, match=r"Worker processes kept dying \(2 restarts\)"):
        build(data, tmp_path / "out", clients_file, made_by)
    assert not (tmp_path / "out" / f"{OCTOBER}").exists()


def test_a_long_run_without_workers_is_made_in_fresh_processes(
        data, clients_file: Path, made_here: dict[str, bytes], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """More batches than one process should make go to one fresh process at a time, with
    the same bytes."""
    monkeypatch.setattr(copies, "BATCHES_PER_PROCESS", 1)
    workers_seen: set[int | None] = set()

    def note_workers(_: str) -> None:
        workers_seen.update(p.pid for p in multiprocessing.active_children())

    assert build(data, tmp_path, clients_file, InThisProcess(), note_workers) == made_here
    assert len(workers_seen) >= 3  # four batches, a fresh process for each


# -- A real cluster on loopback ------------------------------------------------------------

class Cluster:
    def __init__(self, folder: Path, workers: int) -> None:
        scheduler_file = folder / "scheduler.json"
        self.log = folder / "cluster.log"  # the scheduler's and workers' logs
        self.log_file = self.log.open("a")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": self.log_file}
        self.scheduler = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
            **quiet)
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        self.address: str = json.loads(scheduler_file.read_text())["address"]
        # No nanny: a killed worker stays dead, as a lost machine would.
        self.workers = [subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", self.address,
             "--nthreads", "1", "--no-nanny", "--no-dashboard", "--memory-limit", "0",
             "--name", f"worker-{n}"], **quiet) for n in range(workers)]
        from distributed import Client

        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=60)

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            process.kill()
            process.wait()
        self.log_file.close()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:  # a fresh one: some tests kill workers
    started = Cluster(tmp_path, workers=2)
    yield started
    started.stop()


def test_a_dask_cluster_makes_the_same_bytes_and_survives_a_lost_worker(
        data, clients_file: Path, made_here: dict[str, bytes], cluster: Cluster,
        tmp_path: Path) -> None:
    seen: list[str] = []

    def kill_a_worker_mid_batch(text: str) -> None:
        seen.append(text)
        if text.startswith("Personalising 1/"):
            assert cluster.workers[0].poll() is None, "the worker was alive"
            cluster.workers[0].kill()

    with dask_cluster.connect(cluster.address) as made_by:
        made = build(data, tmp_path / "out", clients_file, made_by, kill_a_worker_mid_batch)
    assert cluster.workers[0].poll() is not None  # it died during the build,
    assert "Remove worker" in cluster.log.read_text()  # and the scheduler saw it go
    assert made == made_here  # every copy, from the one worker left for the rest
    # Progress is reported as each copy arrives.
    assert [t for t in seen if t.startswith("Personalising")][-1].startswith(
        f"Personalising {CLIENTS}/{CLIENTS}")


def test_a_cluster_lays_out_clients_pages_while_the_edition_is_laid_out(
        data, clients_file: Path, made_here: dict[str, bytes], cluster: Cluster,
        tmp_path: Path) -> None:
    """A batch is read by a worker before this process renders the edition, whose bodies
    the batch's copies are spliced into; the copies are the same bytes."""
    workers = {worker.pid for worker in cluster.workers}
    readers = tmp_path / "readers"
    taken_before_rendering = []

    def at_stage(text: str) -> None:
        if text == "Rendering PDF":
            deadline = time.monotonic() + 60
            while not (readers.exists()
                       and workers & {int(pid) for pid in readers.read_text().split()}):
                assert time.monotonic() < deadline, "no worker took a batch"
                time.sleep(0.05)
            taken_before_rendering.append(True)

    with dask_cluster.connect(cluster.address) as on_cluster:
        made_by = _Marked(on_cluster, readers, _NotedClients)
        assert build(data, tmp_path / "out", clients_file, made_by, at_stage) == made_here
    assert taken_before_rendering


def test_an_edition_without_clients_sends_a_cluster_nothing(
        data, cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    with dask_cluster.connect(cluster.address) as on_cluster:
        assert isinstance(on_cluster, dask_cluster.DaskCluster)
        monkeypatch.setattr(on_cluster.client, "register_plugin",
                            lambda plugin, name: sent.append(name))
        build_edition(data, Config(), EditionRequest(out_dir=tmp_path, month=OCTOBER,
                                                     created=BUILT, executor=on_cluster))
    assert (tmp_path / f"{OCTOBER}").is_dir()
    assert not sent


def test_a_long_run_on_a_cluster_is_made_on_its_workers(
        data, clients_file: Path, made_here: dict[str, bytes], cluster: Cluster,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More batches than a process here makes before a fresh one takes over (the rule for
    builds without --workers or --scheduler) still go to the cluster: from 2 Dec until this
    test, a build of more than 500 clients with --scheduler made them in one local
    process."""
    monkeypatch.setattr(copies, "BATCHES_PER_PROCESS", 1)  # four batches: a long run
    with dask_cluster.connect(cluster.address) as on_cluster:
        made_by = _Marked(on_cluster, tmp_path / "readers", _NotedClients, batch=3)
        assert build(data, tmp_path / "out", clients_file, made_by) == made_here
    readers = {int(pid) for pid in made_by.flag.read_text().split()}
    assert readers & {worker.pid for worker in cluster.workers}, readers


def test_a_cluster_without_workers_or_of_other_versions_is_refused(
        cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    real, here = dask_cluster.versions, os.getpid()
    assert "librsvg" in real()  # it draws the clients' tables on the workers
    # Runs here and, pickled, on the workers: only this process claims another WeasyPrint.
    monkeypatch.setattr(dask_cluster, "versions", lambda: {
        **real(), **({"weasyprint": "0.1"} if os.getpid() == here else {})})
    with pytest.raises(ReportgenError, match=r"runs weasyprint .* \(here 0\.1\)"), \
            dask_cluster.connect(cluster.address):
        pass
    for worker in cluster.workers:
        worker.kill()
        worker.wait()
    monkeypatch.setattr(dask_cluster, "TIMEOUT", 2.0)
    with pytest.raises(ReportgenError, match="has no workers"), \
            dask_cluster.connect(cluster.address):
        pass


def test_an_unreachable_scheduler_is_one_line_before_any_work(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_cluster, "TIMEOUT", 2.0)
    with pytest.raises(ReportgenError, match=r"Cannot reach a Dask scheduler at "
                                             r"tcp://127\.0\.0\.1:9"), \
            dask_cluster.connect("tcp://127.0.0.1:9"):
        pass
    with pytest.raises(ReportgenError, match="not both"):
        copy_maker(workers=2, scheduler="tcp://127.0.0.1:9")
