"""The ``reportgen`` command line: a thin layer that parses options, calls the stages and the
build driver, and prints results.

Every command reads the config file (``--config``, ``$REPORTGEN_CONFIG`` or
``./reportgen.yaml``) for its defaults. Errors the user can fix are printed as one plain line
on stderr with exit 1; ``--verbose`` shows what each stage did and how long it took.
"""

from __future__ import annotations

import errno
import json
import logging
import sys
import tempfile
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

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
from rich.text import Text
from typer.core import TyperGroup

import reportgen
from reportgen.archive.editions import (
    INDEX,
    find_edition,
    latest_to_send,
    scan,
    verify,
    verify_archive,
)
from reportgen.archive.index import refresh_index
from reportgen.clients import load_clients
from reportgen.config import CONFIG_FILE, Config, load_config
from reportgen.data.quality import PriceGate
from reportgen.data.sources import Source, open_source
from reportgen.data.store import Store, default_store_root
from reportgen.distribute.settings import SmtpSettings, smtp_settings
from reportgen.errors import ReportgenError
from reportgen.formatting import number, pct
from reportgen.metrics.dates import resolve_as_of
from reportgen.metrics.summary import compute_summary
from reportgen.processes import end_without_collecting, start_fork_server, tune_collector
from reportgen.render.variants import DEFAULT_VARIANT
from reportgen.tickers import check_ticker

if TYPE_CHECKING:
    from reportgen.copies import Executor


class OneLineErrors(TyperGroup):
    """Whatever goes wrong in any command ends in one line on stderr and a non-zero exit,
    never a traceback: the user's errors as they are, the machine's (disk full, no
    permission) with what to do, and anything unforeseen as a bug to report, with the
    traceback only in the --log-file."""

    def invoke(self, ctx: Any) -> Any:  # a typer.Context
        try:
            return super().invoke(ctx)
        except ReportgenError as error:
            fail(error)
        except OSError as error:
            stderr.print(f"error: {describe_os_error(error)}")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            stderr.print("error: interrupted; nothing half-written was kept.")
            raise typer.Exit(130) from None
        except Exception as error:
            if _is_click_control(error):
                raise
            _log_to_files("unexpected error")
            stderr.print(f"error: unexpected {type(error).__name__}: {error}. This is a bug in "
                         "reportgen: run again with --log-file FILE and report the file.")
            raise typer.Exit(70) from None  # EX_SOFTWARE


def _log_to_files(message: str) -> None:
    """The current exception with its traceback, to the --log-file only: on the terminal a
    failure is one line."""
    record = log.makeRecord(log.name, logging.ERROR, __file__, 0, message, (), sys.exc_info())
    for handler in log.handlers:
        if isinstance(handler, logging.FileHandler):
            handler.handle(record)


def _is_click_control(error: Exception) -> bool:
    """Exit, Abort and usage errors, which Click reports itself. (Typer vendors Click in
    newer releases, so the classes come from click or from typer._click.)"""
    return isinstance(error, typer.Exit | typer.Abort) or type(error).__module__.endswith(
        "click.exceptions")


def describe_os_error(error: OSError) -> str:
    place = f"{error.filename}: " if error.filename else ""
    advice = {errno.ENOSPC: "the disk is full; free some space and run again",
              errno.EFBIG: "the file is too large for this system; free space or raise the "
                           "limit and run again",
              errno.EACCES: "permission denied; fix the permissions or choose another folder",
              errno.EROFS: "the file system is read-only; choose another folder",
              errno.EMFILE: "this process may open no more files; raise its limit "
                            "(ulimit -n) and run again"}
    return place + advice.get(error.errno or 0, f"{error.strerror or error}; check the path "
                              "and run again") + "."


app = typer.Typer(cls=OneLineErrors, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Build, archive and send the monthly US Small-Cap Outlook.")
data_app = typer.Typer(no_args_is_help=True, help="Fill and inspect the local data store.")
app.add_typer(data_app, name="data")
archive_app = typer.Typer(no_args_is_help=True, help="List, check and rebuild editions.")
app.add_typer(archive_app, name="archive")
commentary_app = typer.Typer(no_args_is_help=True, help="The analyst's commentary.")
app.add_typer(commentary_app, name="commentary")

# Plain text: names, reasons and paths are data, never console markup. Tables stay readable
# when piped: a pipe has no width, so give one.
stdout = Console(width=None if sys.stdout.isatty() else 160, markup=False, highlight=False,
                 soft_wrap=True)
stderr = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
log = logging.getLogger("reportgen")

SourceOption = Annotated[str | None, typer.Option(
    "--source", help="sample, csv:DIR (a folder of CSV files) or yfinance; default: the "
    "config file's source, else sample.")]
StoreOption = Annotated[Path | None, typer.Option(
    "--store", help="Where the local data store lives (default: $REPORTGEN_STORE, the "
    "config file's store, or the user cache folder).")]
ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help=f"A YAML config file (default: $REPORTGEN_CONFIG, or ./{CONFIG_FILE}).")]
ClientsOption = Annotated[Path | None, typer.Option(
    "--clients", help="A clients YAML file (see README).")]
OutOption = Annotated[Path | None, typer.Option(
    "--out", help="The editions folder (default: the config file's out, else outputs).")]


def fail(error: ReportgenError) -> NoReturn:
    stderr.print(f"error: {error}")
    raise typer.Exit(1)


def _version(value: bool) -> None:
    if value:
        stdout.print(f"reportgen {reportgen.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Say what each stage did and how long it took.")] = False,
    log_file: Annotated[Path | None, typer.Option(
        "--log-file", help="Also write that log, with timestamps, to FILE.")] = None,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Build, archive and send the monthly US Small-Cap Outlook."""
    tune_collector()
    end_without_collecting()
    log.setLevel(logging.INFO if verbose or log_file else logging.WARNING)
    log.handlers.clear()
    if verbose:
        log.addHandler(logging.StreamHandler(sys.stderr))
    if log_file:
        handler = logging.FileHandler(log_file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s "
                                               "%(message)s"))
        log.addHandler(handler)
    ctx.call_on_close(_close_log)


def _close_log() -> None:
    for handler in log.handlers:
        handler.close()
    log.handlers.clear()
    log.setLevel(logging.WARNING)


def parse_day(value: str | None, option: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(datetime.strptime(value, "%Y-%m-%d"))
    except ValueError:
        raise ReportgenError(f"{option} {value!r}: dates are written YYYY-MM-DD.") from None


def parse_month(value: str) -> pd.Period:
    try:
        return pd.Period(datetime.strptime(value, "%Y-%m"), "M")
    except ValueError:
        raise ReportgenError(f"--month {value!r}: months are written YYYY-MM.") from None


def parse_tickers(values: list[str] | None) -> list[str]:
    """``--tickers IWM,SPY --tickers QQQ`` → ``["IWM", "SPY", "QQQ"]``."""
    return [check_ticker(t) for item in values or [] for t in item.split(",") if t.strip()]


def out_dir(option: Path | None, settings: Config) -> Path:
    return option or settings.out or Path("outputs")


def source_of(option: str | None, settings: Config, default: str = "sample") -> Source:
    return open_source(option or settings.source or default, settings.source_label)


def store_of(option: Path | None, settings: Config) -> Store:
    return Store(option or default_store_root(settings.store))


@app.command()
def metrics(
    source: SourceOption = None,
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
        settings = load_config(config)
        instruments = settings.instruments
        chosen = parse_tickers(tickers) or instruments.funds
        needed = list(dict.fromkeys([*chosen, *instruments.rates,
                                     *(t for pair in instruments.relative_pairs for t in pair)]))
        data = store_of(store, settings).load(source_of(source, settings), needed,
                                              gate=PriceGate.of(settings))
        day = resolve_as_of(data.calendar(chosen), parse_day(as_of, "--as-of"))
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
            f"{pair}: relative strength {number(rel['ratio_rebased_52w'])} (52-week high "
            f"{number(rel['high_52w'])} on {rel['high_52w_date']}, low "
            f"{number(rel['low_52w'])} on {rel['low_52w_date']}); {streak}; spread 6M "
            f"{pct(rel['spread_6m'])}, 12M {pct(rel['spread_12m'])}.")


@app.command()
def build(
    source: SourceOption = None,
    month: Annotated[str | None, typer.Option(
        "--month", help="YYYY-MM; default: the last complete month.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="YYYY-MM-DD; default: the month's last trading day in the data.")
    ] = None,
    out: OutOption = None,
    pdf_variant: Annotated[str, typer.Option(
        "--pdf-variant", help="pdf/a-3u, pdf/a-2b, pdf/ua-1, none, ...")] = DEFAULT_VARIANT,
    commentary: Annotated[Path | None, typer.Option(
        "--commentary", help="Analyst commentary, YAML or Markdown (see README).")] = None,
    clients: ClientsOption = None,
    revision: Annotated[str | None, typer.Option(
        "--revision", help="Publish a corrected edition YYYY-MM-rN beside the original; "
        "give the reason.")] = None,
    draft: Annotated[bool, typer.Option(
        "--draft", help="Write a draft for review into OUT/drafts/YYYY-MM (replacing the "
        "last one); publish it once approved.")] = False,
    workers: Annotated[int, typer.Option(
        "--workers", help="Make the client copies in this many local processes.")] = 1,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Make the client copies on the Dask cluster whose scheduler is "
        "at this address (tcp://HOST:PORT).")] = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Build the monthly edition (PDF, HTML, one PDF per client) into OUT/YYYY-MM/, or a
    draft of it into OUT/drafts/YYYY-MM/."""
    # Imported here: WeasyPrint takes half a second to load, which only build needs; the fork
    # server starts loading matplotlib for the chart helpers (and, with --workers, WeasyPrint
    # for the copies) at the same time.
    start_fork_server(for_copies=workers > 1)
    from reportgen.edition import (
        EditionRequest,
        build_edition,
        load_market_data,
        read_inputs,
        read_universe,
        with_universe,
    )
    from reportgen.render.chart_pages import rsvg_convert

    try:
        rsvg_convert()  # before the data is loaded, which may take minutes to fetch
        settings = load_config(config)
        holdings = read_universe(settings)
        settings = with_universe(settings, holdings)
        spec = source or settings.source or "sample"
        with (copy_maker(workers, scheduler) as copies_made_by,
              Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                       console=stderr, transient=True, disable=not stderr.is_terminal
                       ) as progress):
            request = EditionRequest(out_dir=out_dir(out, settings), source_spec=spec,
                                     month=parse_month(month) if month else None,
                                     as_of=parse_day(as_of, "--as-of"), variant=pdf_variant,
                                     commentary=commentary, clients=clients,
                                     revision_reason=revision, draft=draft,
                                     executor=copies_made_by)
            task = progress.add_task("Loading data")
            inputs = read_inputs(request)
            data = load_market_data(open_source(spec, settings.source_label), settings,
                                    store_of(store, settings), holdings, inputs.held_tickers)
            built = build_edition(data, settings, request,
                                  lambda text: progress.update(task, description=text), inputs)
    except ReportgenError as error:
        fail(error)
    for url in built.refused_urls:
        stderr.print(f"warning: refused to fetch {url} (not a project asset)")
    for note in built.operator_notes:
        stderr.print(f"note: {note}")
    for change in built.since_last_draft:
        stderr.print(f"changed since the last draft: {change}")
    stderr.print(f"Built {'the draft ' if draft else ''}{built.pdf} (data to "
                 f"{built.as_of:%Y-%m-%d})"
                 + (f" and {client_editions(len(built.client_pdfs))}." if built.client_pdfs
                    else "."))
    if draft:
        stderr.print(f"Read it, then: reportgen approve drafts/{built.folder.name} --by NAME; "
                     f"reportgen publish --month {built.folder.name}")


def copy_maker(workers: int, scheduler: str | None) -> AbstractContextManager[Executor]:
    """Where ``build`` makes the client copies: here, in local processes, or on a cluster."""
    from reportgen.copies import local_executor

    if workers < 1:
        raise ReportgenError(f"--workers {workers}: give 1 or more processes.")
    if scheduler is None:
        return nullcontext(local_executor(workers))
    if workers > 1:
        raise ReportgenError("Give --workers or --scheduler, not both: the cluster's workers "
                             "make the copies.")
    try:
        from reportgen.cluster import connect
    except ImportError:
        raise ReportgenError("--scheduler needs dask.distributed, here and on the workers: "
                             "pip install 'reportgen[cluster]'.") from None
    return connect(scheduler)


@commentary_app.command("init")
def commentary_init(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM: the edition's month.")],
    source: SourceOption = None,
    file: Annotated[Path | None, typer.Option(
        "--file", help="Where to write it; default commentary-YYYY-MM.yaml here.")] = None,
    out: OutOption = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Write a commentary file for the month, prefilled with each section's generated text
    and the figures you can cite; edit it, then build a draft with --commentary."""
    from reportgen.edition import (
        EditionRequest,
        commentary_template,
        load_market_data,
        read_universe,
        with_universe,
    )

    target = file or Path(f"commentary-{month}.yaml")
    try:
        if target.exists():
            raise ReportgenError(f"{target} already exists; commentary init never overwrites "
                                 "a file. Edit it, or give another --file.")
        settings = load_config(config)
        holdings = read_universe(settings)
        settings = with_universe(settings, holdings)
        spec = source or settings.source or "sample"
        request = EditionRequest(out_dir=out_dir(out, settings), source_spec=spec,
                                 month=parse_month(month))
        data = load_market_data(open_source(spec, settings.source_label), settings,
                                store_of(store, settings), holdings)
        target.write_text(commentary_template(data, settings, request), encoding="utf-8")
    except ReportgenError as error:
        fail(error)
    stdout.print(f"Wrote {target}: edit it, then run `reportgen build --draft --month {month} "
                 f"--commentary {target}`.")


@app.command()
def approve(
    edition: Annotated[str, typer.Argument(
        help="drafts/YYYY-MM (a draft), or YYYY-MM / YYYY-MM-rN (a published edition).")],
    by: Annotated[str, typer.Option("--by", help="Who approves it, by name.")],
    note: Annotated[str | None, typer.Option("--note", help="Why, or on what terms.")] = None,
    out: OutOption = None,
    config: ConfigOption = None,
) -> None:
    """Record your approval of an edition or draft: who, when, and the SHA-256 of every
    file you approve. `send` and `publish` refuse what was not approved, or changed since."""
    from reportgen.archive.approval import approve as record

    try:
        folder = out_dir(out, load_config(config))
        approval = record(folder, edition.strip().rstrip("/"), by, note, datetime.now(UTC))
    except ReportgenError as error:
        fail(error)
    stdout.print(f"Approved {approval.edition} by {approval.approved_by} at "
                 f"{approval.approved_at} ({len(approval.files)} files).")


@app.command()
def publish(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM: the month's draft.")],
    out: OutOption = None,
    config: ConfigOption = None,
) -> None:
    """Publish the month's approved draft as its dated edition, saying exactly what the
    approved draft said."""
    start_fork_server()
    from reportgen.edition import publish_draft

    try:
        settings = load_config(config)
        built = publish_draft(out_dir(out, settings), parse_month(month),
                              settings.require_approval)
    except ReportgenError as error:
        fail(error)
    stderr.print(f"Published {built.folder} from the approved draft"
                 + (f", with {client_editions(len(built.client_pdfs))}." if built.client_pdfs
                    else "."))


@app.command()
def init(folder: Annotated[Path, typer.Argument(help="Where to write the files.")] = Path(".")
         ) -> None:
    """Write a commented starter reportgen.yaml and clients.yaml."""
    names = [CONFIG_FILE, "clients.yaml"]
    existing = [name for name in names if (folder / name).exists()]
    if existing:
        fail(ReportgenError(f"{folder / existing[0]} already exists; init never overwrites a "
                            "file. Edit it, or run init in another folder."))
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text((resources.files("reportgen.starter") / name).read_text())
    stdout.print(f"Wrote {folder / names[0]} and {folder / names[1]}: edit them, then run "
                 "`reportgen build`.")


@data_app.command("fetch")
def data_fetch(
    source: SourceOption = None,
    tickers: Annotated[list[str] | None, typer.Option("--tickers")] = None,
    store: StoreOption = None,
    config: ConfigOption = None,
) -> None:
    """Fill the store from a source (default: yfinance), or top it up with the days it
    is missing."""
    try:
        settings = load_config(config)
        chosen = parse_tickers(tickers) or settings.instruments.all_tickers
        data = store_of(store, settings).load(source_of(source, settings, "yfinance"), chosen,
                                              gate=PriceGate.of(settings), refresh=True)
    except ReportgenError as error:
        fail(error)
    stderr.print(f"Stored {len(data.prices)} series from {data.source}.")


@data_app.command("status")
def data_status(store: StoreOption = None, config: ConfigOption = None) -> None:
    """Show what the store holds, per ticker, and flag stale series."""
    try:
        rows = store_of(store, load_config(config)).status()
    except ReportgenError as error:
        fail(error)
    if not rows:
        stdout.print("The store is empty: run `reportgen data fetch`.")
        return
    table = Table(title="Local data store")
    for column in ("Ticker", "Source", "First", "Last", "Rows", "Fetched", "Stale"):
        table.add_column(column)
    for row in rows:
        table.add_row(row.ticker, row.source, f"{row.first:%Y-%m-%d}", f"{row.last:%Y-%m-%d}",
                      str(row.rows), f"{row.fetched_at:%Y-%m-%d %H:%M}",
                      Text("stale", style="bold red") if row.stale else "")
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
    resend: Annotated[bool, typer.Option(
        "--resend", help="Send again to addresses that already accepted this edition.")
    ] = False,
    out: OutOption = None,
    config: ConfigOption = None,
) -> None:
    """Email each client its personalised edition, exactly once."""
    from reportgen.distribute.send import send_edition  # mail's modules: only send needs them

    try:
        settings = load_config(config)
        folder = out_dir(out, settings)
        client_list = load_clients(clients)
        selected = client_list.select([c.strip() for c in (only or "").split(",") if c.strip()])
        heal_index(folder)
        edition = latest_to_send(folder, parse_month(month))
        smtp = dry_run_settings(settings) if dry_run else smtp_settings(settings.smtp)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=stderr, transient=True, disable=not stderr.is_terminal
                      ) as progress:
            task = progress.add_task(f"Sending {edition.name}", total=len(selected))
            outcomes = send_edition(folder, edition, client_list, selected, smtp, dry_run,
                                    resend, lambda outcome: progress.advance(task),
                                    settings.require_approval)
    except ReportgenError as error:
        fail(error)
    for outcome in outcomes:
        colour = {"failed": "red", "already sent": "dim"}.get(outcome.status, "green")
        stdout.print(Text.assemble((f"{outcome.client_id}: {outcome.status}", colour),
                                   f" {outcome.detail}"))
    failures = [o for o in outcomes if o.status == "failed"]
    if failures:
        stderr.print(f"{len(failures)} client(s) not fully sent: "
                     + ", ".join(o.client_id for o in failures)
                     + ". Run the same command again to retry only what was not accepted.")
        raise typer.Exit(1)


def client_editions(count: int) -> str:
    return f"{count} client edition{'s' if count != 1 else ''}"


def heal_index(folder: Path) -> None:
    """Every command that reads the archive rewrites a stale index; a read-only archive is
    still listed and verified, with a warning."""
    try:
        refresh_index(folder)
    except ReportgenError as error:
        stderr.print(f"warning: {error}")


def dry_run_settings(settings: Config) -> SmtpSettings | None:
    """A dry run needs no mail server, but uses the configured sender if there is one."""
    try:
        return smtp_settings(settings.smtp)
    except ReportgenError:
        return None


@archive_app.command("list")
def archive_list(out: OutOption = None, config: ConfigOption = None) -> None:
    """Every edition, newest first, as in OUT/index.html."""
    try:
        folder = out_dir(out, load_config(config))
        archive = scan(folder)
    except ReportgenError as error:
        fail(error)
    heal_index(folder)
    for name, reason in archive.damaged.items():
        stderr.print(f"{name}: damaged: {reason}")
    editions = archive.editions
    if not editions:
        stdout.print(f"No editions in {folder}.")
        return
    table = Table(title=f"Editions in {folder} (index: {folder / INDEX})")
    for column in ("Edition", "Data to", "Source", "Built", "Clients", "Revision reason"):
        table.add_column(column)
    for edition in reversed(editions):
        m = edition.manifest
        table.add_row(edition.name, m.as_of, m.source, m.built_at[:16],
                      str(len(m.client_pdfs)), m.revision_reason or "")
    stdout.print(table)


@archive_app.command("show")
def archive_show(edition: Annotated[str, typer.Argument(help="YYYY-MM or YYYY-MM-rN")],
                 out: OutOption = None, config: ConfigOption = None) -> None:
    """An edition's manifest: dates, source, versions and files."""
    try:
        found = find_edition(out_dir(out, load_config(config)), edition)
    except ReportgenError as error:
        fail(error)
    m = found.manifest
    stdout.print(Text(found.name, style="bold"), f" data to {m.as_of}  built {m.built_at}")
    stdout.print(f"source: {m.source}{' (sample data)' if m.sample_data else ''}\n"
                 f"headline: {m.headline}")
    if m.revision_reason:
        stdout.print(f"revision {m.revision}: {m.revision_reason}")
    stdout.print("versions: " + ", ".join(f"{k} {v}" for k, v in m.versions.items()))
    for name, digest in m.files.items():
        stdout.print(f"  {digest[:16]}  {name}")


@archive_app.command("verify")
def archive_verify(edition: Annotated[str | None, typer.Argument(
                       help="One edition; all when left out.")] = None,
                   out: OutOption = None, config: ConfigOption = None) -> None:
    """Recompute every checksum and check every manifest against the archive's chain; name
    any file that changed, went missing or was added, and any damaged or unfinished edition."""
    try:
        folder = out_dir(out, load_config(config))
        if edition:
            checked, problems, head = 1, verify(find_edition(folder, edition)), None
        else:
            checked, problems, head = verify_archive(folder)
    except ReportgenError as error:
        fail(error)
    heal_index(folder)
    for problem in problems:
        stderr.print(problem)
    if problems:
        raise typer.Exit(1)
    stdout.print(f"{checked} edition(s) verified: every file matches its manifest"
                 + (f", and every manifest the archive's chain (head {head})." if head
                    else "."))


@archive_app.command("rebuild")
def archive_rebuild(edition: Annotated[str, typer.Argument(help="YYYY-MM or YYYY-MM-rN")],
                    out: OutOption = None,
                    into: Annotated[Path | None, typer.Option(
                        "--into", help="Where to write the rebuilt copy (default: a new "
                        "folder under OUT/.rebuilds/).")] = None,
                    config: ConfigOption = None) -> None:
    """Regenerate an edition from its stored snapshot, offline, and compare it."""
    start_fork_server()
    from reportgen.edition import rebuild_edition  # loads the whole build, as above

    try:
        folder = out_dir(out, load_config(config))
        found = find_edition(folder, edition)
        if into is None:
            (folder / ".rebuilds").mkdir(parents=True, exist_ok=True)
            into = Path(tempfile.mkdtemp(prefix=f"{found.name}-", dir=folder / ".rebuilds"))
        report = rebuild_edition(found, into)
    except ReportgenError as error:
        fail(error)
    stdout.print(f"Rebuilt {found.name} into {report.folder}.")
    stdout.print("Figures: " + ("identical." if report.figures_match else "DIFFERENT."))
    for name, same in report.pdfs.items():
        stdout.print(f"{name}: " + ("byte-identical." if same else "bytes differ."))
    for package, (then, now) in report.versions_differ.items():
        stdout.print(f"  {package}: built with {then}, installed {now}")
    if not report.figures_match:
        raise typer.Exit(1)
