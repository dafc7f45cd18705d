"""Benchmark `reportgen build` as a whole process: wall time and peak memory, median of runs.

    python scripts/benchmark.py [--runs 5] [--source sample] [--month 2026-10] [--clients N]
                                [--holdings | --models K] [--universe N]
                                [--pair-quantstats | --pair-edition]
                                [--workers N | --dask N]

The first, unmeasured run warms the data store (a fresh temporary one); each measured run
then builds into its own empty output folder, as a user's monthly run would. With
``--clients N`` each run also builds N personalised editions from a generated clients file.
With ``--holdings`` each generated client also holds four funds (a "Your portfolio" page),
no two clients alike; with ``--models K`` client n holds model portfolio n mod K
(clients of a batch holding the same share one portfolio page).
With ``--universe N`` the sample's CSV files gain N synthetic stocks, named by a holdings
file in iShares's format that becomes the universe (``universe_file``).
With ``--pair-quantstats`` each run of reportgen is paired with a run of QuantStats'
``reports.html`` tear sheet (an optional benchmark dependency: ``pip install quantstats``)
on the same ten years of the sample's IWM against SPY, each as a whole process (which of the
two runs first alternates), and the median of the pairs' time ratios is printed. With
``--pair-edition`` each run is paired in the same way with a build of one edition alone
(the sample, no clients, one process): the ratio for "100 clients at most 2× one edition"
and "a 600-stock universe at most 1.5× the default edition", measured in the same minutes,
as the machine's speed drifts.
With ``--workers N`` the build makes its client copies in N local processes; with
``--dask N`` on a Dask cluster of a scheduler and N single-threaded workers (each under a
nanny, as ``dask worker`` runs them) started on loopback for the benchmark and stopped after
it; their peak memory is printed apart.
Peak memory is the largest maximum resident set size of the build process and every process
under it (with ``--workers``, its worker processes), from getrusage(2) in a subreaper.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# Runs a command and prints its wall time and the peak RSS of it and every process under it.
# As a child subreaper it inherits what the command leaves orphaned (the fork server whose
# children make client copies with --workers) and waits for all of them, so their peak is
# in RUSAGE_CHILDREN too.
MEASURE = """
import ctypes, os, resource, subprocess, sys, time
PR_SET_CHILD_SUBREAPER = 36
ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)
started = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.perf_counter() - started
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
sys.exit(code)
"""


def uncompiled_warning() -> str | None:
    """A warning when the reportgen measured has no compiled bytecode and may not write it
    (``PYTHONDONTWRITEBYTECODE``, as on the project's machine, with an editable checkout):
    every run would compile its modules, which an installed copy never does."""
    import importlib.util

    import reportgen  # the package alone: its command line would take a second to import

    source = reportgen.__file__
    if not sys.dont_write_bytecode or Path(importlib.util.cache_from_source(source)).exists():
        return None
    return ("warning: this reportgen has no compiled bytecode and may not write it, so each "
            "run compiles its modules (0.3–0.4 s); measure a wheel installed in a fresh "
            "virtualenv, as the README's figures are")


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MiB (the largest of its processes) of one run."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"run failed: {' '.join(command)}\n{done.stderr}")
    wall, peak = done.stdout.split()
    return float(wall), float(peak)


FUNDS = ["IWM", "SPY", "AVUV", "QQQ", "IJR", "ACWX"]


def clients_file(count: int, holdings: bool = False, models: int = 0) -> str:
    """``count`` clients; with ``holdings``, each holds four funds, no two clients alike (a
    portfolio page laid out for each, the most work); with ``models`` > 0, client n holds
    model portfolio n mod ``models`` instead."""
    lines = ["clients:"]
    for n in range(count):
        held = ""
        if holdings or models:
            # Weights in hundredths of a percent, a set of its own for each of a million
            # clients: batches that group equal holdings find none to group.
            kind = n % models if models else n
            funds = [FUNDS[(kind + k) % len(FUNDS)] for k in range(4)]
            a, b = kind % 1000, kind // 1000 % 1000
            weights = [4000 + a, 3000 - b, 2000 + b, 1000 - a]  # 1 to 4999 each, sum 10,000
            held = ", holdings: [" + ", ".join(
                f"{{ticker: {f}, weight: {w / 10_000:.4f}}}" for f, w in zip(funds, weights,
                                                                              strict=True)) + "]"
        lines.append(f"  - {{id: client-{n:05d}, name: Client {n} Family Office, "
                     f"email: [cio{n}@client{n}.example], adviser: Adviser {n % 7}{held}}}")
    return "\n".join(lines) + "\n"


QUANTSTATS = """
import sys
import pandas as pd
import quantstats as qs
folder, out = sys.argv[1], sys.argv[2]
closes = {t: pd.read_csv(f"{folder}/{t}.csv", index_col="date", parse_dates=True)["adj_close"]
          for t in ("IWM", "SPY")}
returns = {t: c.pct_change().dropna().iloc[-2520:] for t, c in closes.items()}  # ten years
qs.reports.html(returns["IWM"], benchmark=returns["SPY"], output=out, title="IWM")
"""


def quantstats_command(out: str) -> list[str]:
    from reportgen.data.sources import sample_directory

    return [sys.executable, "-c", QUANTSTATS, str(sample_directory()), out]


def synthetic_universe(folder: Path, count: int) -> Path:
    """The sample's files plus ``count`` random-walk stocks, and a holdings file naming them;
    returns a config file that makes them the universe."""
    import numpy as np
    import pandas as pd

    from reportgen.data.sources import sample_directory

    shutil.copytree(sample_directory(), folder / "prices")
    days = pd.read_csv(folder / "prices" / "IWM.csv", usecols=["date"])["date"]
    rng = np.random.default_rng(1)
    levels = 50 * np.exp(np.cumsum(rng.normal(0.0003, 0.02, (len(days), count)), axis=0))
    sectors = ["Industrials", "Financials", "Health Care", "Information Technology",
               "Consumer Discretionary", "Real Estate", "Materials", "Energy"]
    rows = []
    for n in range(count):
        ticker = f"U{n:04d}"
        pd.DataFrame({"date": days, "close": levels[:, n].round(4),
                      "adj_close": levels[:, n].round(4)}).to_csv(
            folder / "prices" / f"{ticker}.csv", index=False)
        rows.append(f'"{ticker}","{ticker} INC","{sectors[n % len(sectors)]}","Equity",'
                    f'"1.00","{100 / count:.4f}"')
    (folder / "holdings.csv").write_text(
        "iShares Russell 2000 ETF\n \nTicker,Name,Sector,Asset Class,Market Value,Weight (%)\n"
        + "\n".join(rows) + "\n \nfooter\n")
    config = folder / "universe.yaml"
    config.write_text(f"universe_file: {folder / 'holdings.csv'}\n")
    return config


@contextlib.contextmanager
def loopback_cluster(folder: Path, workers: int, env: dict[str, str]) -> Iterator[str]:
    """A Dask scheduler and ``workers`` single-threaded workers on loopback; yields the
    scheduler's address and prints each worker's peak RSS when they stop."""
    scheduler_file = folder / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)], **quiet)
    while not scheduler_file.exists() or not scheduler_file.read_text().strip():
        if scheduler.poll() is not None:  # it will never write the file
            sys.exit(f"benchmark: the Dask scheduler stopped as it started (exit "
                     f"{scheduler.returncode}); --dask needs dask.distributed installed "
                     "beside reportgen: pip install 'reportgen[cluster]'")
        time.sleep(0.2)
    address = json.loads(scheduler_file.read_text())["address"]
    # Each worker under a nanny, as `dask worker` starts them: the nanny gives its worker
    # dask's environment (MALLOC_TRIM_THRESHOLD_, which returns freed memory to the system);
    # its peak RSS, from wait4, includes the worker it waited for.
    started = [subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
         "--no-dashboard", "--memory-limit", "0"], **quiet)
        for _ in range(workers)]
    try:
        yield address
    finally:
        for process in [*started, scheduler]:
            process.send_signal(signal.SIGINT)
        for n, process in enumerate(started):
            _, _, usage = os.wait4(process.pid, 0)
            print(f"  dask worker {n}: peak RSS {usage.ru_maxrss / 1024:.0f} MiB")
        scheduler.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", default="sample")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--clients", type=int, default=0)
    parser.add_argument("--holdings", action="store_true")
    parser.add_argument("--models", type=int, default=0,
                        help="clients hold this many model portfolios (with --clients)")
    parser.add_argument("--universe", type=int, default=0)
    pairing = parser.add_mutually_exclusive_group()
    pairing.add_argument("--pair-quantstats", action="store_true")
    pairing.add_argument("--pair-edition", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--dask", type=int, default=0, help="workers of a loopback cluster")
    args = parser.parse_args()
    warning = uncompiled_warning()
    if warning:
        print(warning, file=sys.stderr)
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        env = {**os.environ, "REPORTGEN_STORE": f"{scratch}/store"}
        options = []
        if args.universe:
            config = synthetic_universe(Path(scratch), args.universe)
            options += ["--config", str(config)]
        if args.workers > 1:
            options += ["--workers", str(args.workers)]
        if args.dask:
            options += ["--scheduler", stack.enter_context(
                loopback_cluster(Path(scratch), args.dask, env))]
        source = f"csv:{scratch}/prices" if args.universe else args.source
        # The warm-up run (store, page cache, a cluster's imports) makes one client's copy.
        for name, count in (("warm", min(args.clients, 1)), ("clients", args.clients)):
            Path(scratch, f"{name}.yaml").write_text(clients_file(count, args.holdings,
                                                                  args.models))

        def command(out: str, clients: str = "clients") -> list[str]:
            listed = ["--clients", f"{scratch}/{clients}.yaml"] if args.clients else []
            return [sys.executable, "-m", "reportgen", "build", "--source", source,
                    "--month", args.month, "--out", out, *listed, *options]

        def edition_command(out: str) -> list[str]:  # one edition alone, as the README's
            return [sys.executable, "-m", "reportgen", "build", "--source", "sample",
                    "--month", args.month, "--out", out]

        peer, peer_name = ((lambda n: quantstats_command(f"{scratch}/{n}.html"),
                            "QuantStats reports.html") if args.pair_quantstats
                           else (lambda n: edition_command(f"{scratch}/{n}"), "one edition")
                           if args.pair_edition else (None, ""))
        run_once(command(f"{scratch}/warm", "warm"), env)
        if peer is not None:
            run_once(peer("peer-warm"), env)
        results: list[tuple[float, float]] = []
        peers: list[tuple[float, float]] = []
        for i in range(args.runs):
            pair = [(command(f"{scratch}/run{i}"), results)]
            if peer is not None:
                pair.append((peer(f"peer{i}"), peers))
            # Which program runs first alternates from pair to pair: on a shared machine the
            # speed drifts by up to a tenth from one run to the next, and a drift must not
            # favour whichever always ran second.
            for argv, measured in pair if i % 2 == 0 else reversed(pair):
                measured.append(run_once(argv, env))
        size = next(Path(scratch, "run0").glob("*/*.pdf")).stat().st_size
    walls, peaks = zip(*results, strict=True)
    print(f"reportgen build --source {args.source} --month {args.month} --clients "
          f"{args.clients}{' (holdings)' if args.holdings else ''}"
          f"{f' ({args.models} model portfolios)' if args.models else ''}"
          f" --universe {args.universe} --workers {args.workers} --dask {args.dask}"
          f" (warm store), {args.runs} runs")
    print("  wall s: " + ", ".join(f"{w:.2f}" for w in walls))
    print(f"  median wall {statistics.median(walls):.2f} s, median peak RSS "
          f"{statistics.median(peaks):.0f} MiB, PDF {size / 1024:.0f} KiB")
    if peers:
        peer_walls, peer_peaks = zip(*peers, strict=True)
        ratios = [ours / theirs for ours, theirs in zip(walls, peer_walls, strict=True)]
        print(f"  {peer_name}, paired: wall s: " + ", ".join(f"{w:.2f}" for w in peer_walls))
        print(f"  median wall {statistics.median(peer_walls):.2f} s, median peak RSS "
              f"{statistics.median(peer_peaks):.0f} MiB; this build ÷ {peer_name}, median "
              f"of pairs: {statistics.median(ratios):.2f}×")


if __name__ == "__main__":
    main()
