"""The ``reportgen`` command line: a thin layer that parses options and prints results."""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from reportgen.archive.editions import INDEX, Edition, latest_of_month, list_editions, verify
from reportgen.clients import load_clients
from reportgen.config import Config, load_config
from reportgen.data.model import MarketData
from reportgen.data.sources import Source, open_source
from reportgen.data.store import Store
from reportgen.distribute.send import send_edition
from reportgen.distribute.settings import SmtpSettings, smtp_settings
from reportgen.errors import ReportgenError
from reportgen.metrics.summary import compute_summary, resolve_as_of
from reportgen.render.formatting import number, pct
from reportgen.render.templates import DEFAULT_VARIANT

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Build, archive and send the monthly US Small-Cap Outlook.")
data_app = typer.Typer(no_args_is_help=True, help="Fill and inspect the local data store.")
app.add_typer(data_app, name="data")
archive_app = typer.Typer(no_args_is_help=True, help="List, check and rebuild editions.")
app.add_typer(archive_app, name="archive")

# Tables stay readable when piped: a pipe has no width, so give one.
stdout = Console(width=None if sys.stdout.isatty() else 160)
stderr = Console(stderr=True)

SourceOption = Annotated[str, typer.Option(
    "--source", help="sample, csv:DIR (a folder of CSV files) or yfinance.")]
StoreOption = Annotated[Path | None, typer.Option(
    "--store", help="Where the local data store lives (default: the user cache directory, "
    "or $REPORTGEN_STORE).")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="A YAML config file.")]
ClientsOption = Annotated[Path | None, typer.Option(
    "--clients", help="A clients YAML file (see README).")]
OutOption = Annotated[Path, typer.Option("--out", help="The editions folder.")]


def parse_day(value: str | None, option: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(datetime.strptime(value, "%Y-%m-%d"))
    except ValueError:
        raise ReportgenError(f"{option} {value!r}: dates are written YYYY-MM-DD.") from None


def parse_tickers(values: list[str] | None) -> list[str]:
    """``--tickers IWM,SPY --tickers QQQ`` → ``["IWM", "SPY", "QQQ"]``."""
    return [t.strip().upper() for item in values or [] for t in item.split(",") if t.strip()]


def fail(error: ReportgenError) -> None:
    stderr.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@app.command()
def metrics(
    source: SourceOption = "sample",
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="YYYY-MM-DD; the last trading day on or before it is used.")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="YYYY-MM-DD; adds a SINCE column.")] = None,
    tickers: Annotated[list[str] | None, typer.Option(
        "--tickers", help="Tickers to report (repeat the option or separate with commas).")
    ] = None,
    output_format: Annotated[str, typer.Option(
        "--format", help="table or json.")] = "table",
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Print returns, relative strength, risk and valuation figures."""
    try:
        if output_format not in ("table", "json"):
            raise ReportgenError(f"--format {output_format!r}: use table or json.")
        instruments = load_config(config).instruments
        chosen = parse_tickers(tickers) or instruments.funds
        needed = list(dict.fromkeys([*chosen, *instruments.rates,
                                     *(t for pair in instruments.relative_pairs for t in pair)]))
        data = Store(store).load(open_source(source), needed)
        day = resolve_as_of(data, chosen, parse_day(as_of, "--as-of"))
        summary = compute_summary(data, instruments, chosen, day, parse_day(since, "--since"))
    except ReportgenError as error:
        fail(error)
    if output_format == "json":
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        print_summary(summary)


def print_summary(summary: dict) -> None:
    title = f"Returns to {summary['as_of']} ({summary['source']})"
    if summary["sample_data"]:
        title += " — SAMPLE DATA, not market prices"
    periods = list(next(iter(summary["returns"].values())))
    table = Table(title=title)
    table.add_column("Ticker")
    for period in periods:
        table.add_column(period, justify="right")
    table.add_column("Vol 1Y", justify="right")
    table.add_column("Max DD 1Y", justify="right")
    table.add_column("Sharpe 1Y", justify="right")
    for ticker, row in summary["returns"].items():
        risk = summary["risk"][ticker]
        name = ticker + (" (stale)" if summary["series"][ticker]["stale"] else "")
        table.add_row(name, *(pct(row[p]) for p in periods),
                      pct(risk["volatility_1y"], signed=False), pct(risk["max_drawdown_1y"]),
                      number(risk["sharpe_1y"], 2))
    stdout.print(table)
    for pair, rel in summary["relative"].items():
        if rel["streak"] is None:
            stdout.print(f"{pair}: less than 52 weeks of shared history.")
            continue
        if rel["streak"]:
            since = rel["streak_last_as_long"] or "the start of the shared data"
            streak = (f"small caps beat large caps {rel['streak']} day(s) running, the longest "
                      f"streak since {since}")
        else:
            streak = "small caps trailed large caps on the last day"
        stdout.print(
            f"{pair}: relative strength {rel['ratio_rebased_52w']:.1f} (52-week high "
            f"{rel['high_52w']:.1f} on {rel['high_52w_date']}, low {rel['low_52w']:.1f} on "
            f"{rel['low_52w_date']}); {streak}; spread 6M {pct(rel['spread_6m'])}, "
            f"12M {pct(rel['spread_12m'])}.", highlight=False)


@app.command()
def build(
    source: SourceOption = "sample",
    month: Annotated[str | None, typer.Option(
        "--month", help="YYYY-MM; default: the last complete month.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="YYYY-MM-DD; default: the month's last trading day in the data.")
    ] = None,
    out: OutOption = Path("outputs"),
    pdf_variant: Annotated[str, typer.Option(
        "--pdf-variant", help="pdf/a-3u (default), pdf/a-2b, pdf/ua-1, none, ...")
    ] = DEFAULT_VARIANT,
    commentary: Annotated[Path | None, typer.Option(
        "--commentary", help="Analyst commentary, YAML or Markdown (see README).")] = None,
    clients: ClientsOption = None,
    revision: Annotated[str | None, typer.Option(
        "--revision", help="Publish a corrected edition YYYY-MM-rN beside the original; "
        "give the reason.")] = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Build the monthly PDF edition (and one per client) into OUT/YYYY-MM/."""
    # Imported here: matplotlib and WeasyPrint take a second to load, which only build needs.
    from reportgen.render.edition import EditionRequest, build_edition

    try:
        settings = load_config(config)
        request = EditionRequest(out_dir=out, source_spec=source, month=parse_month(month),
                                 as_of=parse_day(as_of, "--as-of"), variant=pdf_variant,
                                 commentary=commentary, clients=clients,
                                 revision_reason=revision)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=stderr, transient=True) as progress:
            task = progress.add_task("Loading data")
            data = load_for_report(open_source(source), settings, store)
            built = build_edition(data, settings, request,
                                  lambda text: progress.update(task, description=text))
    except ReportgenError as error:
        fail(error)
    for url in built.refused_urls:
        stderr.print(f"[yellow]warning:[/] refused to fetch {url} (not a project asset)")
    stderr.print(f"Built {built.pdf} (data to {built.as_of:%Y-%m-%d})"
                 + (f" and {len(built.client_pdfs)} client editions." if built.client_pdfs
                    else "."))


def load_for_report(source: Source, settings: Config, store: Path | None) -> MarketData:
    """The instruments the source has; the report names the others as missing. The primary
    pair and the bill rate are essential: without them there is no report."""
    ins = settings.instruments
    essential = [t for t in (*ins.primary_pair, ins.short_rate) if not source.has(t)]
    if essential:
        raise ReportgenError(f"{source.label} has no prices for {', '.join(essential)}, which "
                             "the report cannot do without. Add them, or choose other "
                             "instruments in the config file.")
    return Store(store).load(source, [t for t in ins.all_tickers if source.has(t)])


def parse_month(value: str | None) -> pd.Period | None:
    if value is None:
        return None
    try:
        return pd.Period(datetime.strptime(value, "%Y-%m"), "M")
    except ValueError:
        raise ReportgenError(f"--month {value!r}: months are written YYYY-MM.") from None


@data_app.command("fetch")
def data_fetch(
    source: SourceOption = "yfinance",
    tickers: Annotated[list[str] | None, typer.Option("--tickers")] = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Fill the store from a source, or top it up with the days it is missing."""
    try:
        instruments = load_config(config).instruments
        chosen = parse_tickers(tickers) or instruments.all_tickers
        data = Store(store).load(open_source(source), chosen, refresh=True)
    except ReportgenError as error:
        fail(error)
    stderr.print(f"Stored {len(data.prices)} series from {data.source}.")


@data_app.command("status")
def data_status(store: StoreOption = None) -> None:
    """Show what the store holds, per ticker, and flag stale series."""
    rows = Store(store).status()
    if not rows:
        stdout.print("The store is empty: run `reportgen data fetch`.")
        return
    table = Table(title="Local data store")
    for column in ("Ticker", "Source", "First", "Last", "Rows", "Fetched", "Stale"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.ticker, row.source, f"{row.first:%Y-%m-%d}", f"{row.last:%Y-%m-%d}",
                      str(row.rows), f"{row.fetched_at:%Y-%m-%d %H:%M}",
                      "[bold red]stale[/]" if row.stale else "")
    stdout.print(table)


@app.command()
def send(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM: its latest edition.")],
    clients: Annotated[Path, typer.Option("--clients", help="The clients YAML file.")],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Write each message as OUT/outbox/EDITION/ID.eml; send nothing.")
    ] = False,
    only: Annotated[str | None, typer.Option(
        "--only", help="Client ids, comma-separated.")] = None,
    out: OutOption = Path("outputs"),
    config: ConfigOption = None,
) -> None:
    """Email each client its personalised edition, exactly once."""
    try:
        client_list = load_clients(clients)
        selected = client_list.select([c.strip() for c in (only or "").split(",") if c.strip()])
        edition = latest_of_month(out, parse_month(month))
        if edition is None:
            raise ReportgenError(f"No edition of {month} in {out}: build it first.")
        settings = dry_run_settings(config) if dry_run else smtp_settings(load_config(config).smtp)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=stderr, transient=True) as progress:
            task = progress.add_task(f"Sending {edition.name}", total=len(selected))
            outcomes = send_edition(out, edition, client_list, selected, settings, dry_run,
                                    lambda outcome: progress.advance(task))
    except ReportgenError as error:
        fail(error)
    for outcome in outcomes:
        colour = {"failed": "red", "already sent": "dim"}.get(outcome.status, "green")
        stdout.print(f"[{colour}]{outcome.client_id}: {outcome.status}[/] {outcome.detail}",
                     highlight=False)
    failures = [o for o in outcomes if o.status == "failed"]
    if failures:
        stderr.print(f"[bold red]{len(failures)} client(s) not fully sent:[/] "
                     + ", ".join(o.client_id for o in failures)
                     + ". Run the same command again to retry only what was not accepted.")
        raise typer.Exit(1)


def dry_run_settings(config: Path | None) -> SmtpSettings | None:
    """A dry run needs no mail server, but uses the configured sender if there is one."""
    try:
        return smtp_settings(load_config(config).smtp)
    except ReportgenError:
        return None


def find_edition(out: Path, name: str) -> Edition:
    editions = {e.name: e for e in list_editions(out)}
    if name in editions:
        return editions[name]
    latest = [e for e in editions.values() if e.manifest["month"] == name]
    if latest:
        return latest[-1]
    raise ReportgenError(f"No edition {name} in {out}; `reportgen archive list --out {out}` "
                         "shows what there is.")


@archive_app.command("list")
def archive_list(out: OutOption = Path("outputs")) -> None:
    """Every edition, newest first, as in OUT/index.html."""
    editions = list_editions(out)
    if not editions:
        stdout.print(f"No editions in {out}.")
        return
    table = Table(title=f"Editions in {out} (index: {out / INDEX})")
    for column in ("Edition", "Data to", "Source", "Built", "Clients", "Revision reason"):
        table.add_column(column)
    for edition in reversed(editions):
        m = edition.manifest
        table.add_row(edition.name, m["as_of"], m["source"], m["built_at"][:16],
                      str(len(m["client_pdfs"])), m["revision_reason"] or "")
    stdout.print(table)


@archive_app.command("show")
def archive_show(edition: Annotated[str, typer.Argument(help="YYYY-MM or YYYY-MM-rN")],
                 out: OutOption = Path("outputs")) -> None:
    """An edition's manifest: dates, source, versions and files."""
    try:
        found = find_edition(out, edition)
    except ReportgenError as error:
        fail(error)
    m = found.manifest
    stdout.print(f"[bold]{found.name}[/]  data to {m['as_of']}  built {m['built_at']}\n"
                 f"source: {m['source']}{' (sample data)' if m['sample_data'] else ''}\n"
                 f"headline: {m['headline']}", highlight=False)
    if m["revision_reason"]:
        stdout.print(f"revision {m['revision']}: {m['revision_reason']}", highlight=False)
    stdout.print("versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
                 highlight=False)
    for name, digest in m["files"].items():
        stdout.print(f"  {digest[:16]}  {name}", highlight=False)


@archive_app.command("verify")
def archive_verify(edition: Annotated[str | None, typer.Argument(
                       help="One edition; all when left out.")] = None,
                   out: OutOption = Path("outputs")) -> None:
    """Recompute every checksum; name any file that changed or went missing."""
    try:
        editions = [find_edition(out, edition)] if edition else list_editions(out)
    except ReportgenError as error:
        fail(error)
    problems = [problem for e in editions for problem in verify(e)]
    for problem in problems:
        stderr.print(f"[bold red]{problem}[/]", highlight=False)
    if problems:
        raise typer.Exit(1)
    stdout.print(f"{len(editions)} edition(s) verified: every file matches its manifest.")


@archive_app.command("rebuild")
def archive_rebuild(edition: Annotated[str, typer.Argument(help="YYYY-MM or YYYY-MM-rN")],
                    out: OutOption = Path("outputs"),
                    into: Annotated[Path | None, typer.Option(
                        "--into", help="Where to write the rebuilt copy (default: a new "
                        "folder under OUT/.rebuilds/).")] = None) -> None:
    """Regenerate an edition from its stored snapshot, offline, and compare it."""
    from reportgen.archive.rebuild import rebuild  # loads the whole build, as above

    try:
        found = find_edition(out, edition)
        target = into or Path(tempfile.mkdtemp(prefix=f"{found.name}-",
                                               dir=ensure_folder(out / ".rebuilds")))
        report = rebuild(found, target)
    except ReportgenError as error:
        fail(error)
    stdout.print(f"Rebuilt {found.name} into {report.folder}.")
    stdout.print("Figures: " + ("identical." if report.figures_match else "[red]DIFFERENT[/]."))
    for name, same in report.pdfs.items():
        stdout.print(f"{name}: " + ("byte-identical." if same else "bytes differ."))
    for package, (then, now) in report.versions_differ.items():
        stdout.print(f"  {package}: built with {then}, installed {now}", highlight=False)
    if not report.figures_match:
        raise typer.Exit(1)


def ensure_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
