"""Build an edition: the driver above the stages, as WeasyPrint's ``document.py`` drives its.

    data ─→ metrics ─→ charts ─→ render ─→ archive
    MarketData → ReportFigures → Chart SVGs → ReportContext → HTML → PDFs → edition folder

``build_edition`` runs the stages once each: figures, key figures and the comparison with the
previous edition, charts, narrative, the template context, the master PDF and the client
copies, and publishes them as a dated folder. ``rebuild_edition`` does the same from an
edition's own snapshot and recorded inputs, and compares.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from reportgen.archive import history, snapshot
from reportgen.archive.approval import changed_since_approval, read_approval
from reportgen.archive.drafts import (
    DRAFTS,
    changes_since_last_draft,
    draft_folder,
    read_draft,
    write_draft,
)
from reportgen.archive.editions import (
    INPUTS,
    Edition,
    edition_folder_name,
    latest_of_month,
    sha256,
)
from reportgen.archive.index import refresh_index
from reportgen.archive.manifest import Manifest
from reportgen.archive.publish import (
    exclusive,
    publish_edition,
    remove_unfinished,
)
from reportgen.chart_drawing import drawing_charts
from reportgen.charts.chart import EMAILED_CHART, Chart, ChartsByName
from reportgen.clients import Client, ClientList, parse_clients
from reportgen.config import (
    MAX_LIST_BYTES,
    Branding,
    Config,
    parse_yaml,
    read_text,
)
from reportgen.copies import (
    Batch,
    CopyJob,
    Executor,
    InThisProcess,
    MadeBatch,
    batches,
    branding_key,
    versions,
)
from reportgen.data.holdings import read_ishares_holdings
from reportgen.data.model import MarketData
from reportgen.data.quality import PriceGate, withhold_gaps
from reportgen.data.series import (
    FRED_SERIES,
    FRENCH_USED,
    SHILLER_LABEL,
    SeriesFolder,
    open_series_source,
    read_shiller_cape,
    read_valuation_history,
)
from reportgen.data.sources import Source, sample_directory
from reportgen.data.store import Store
from reportgen.errors import ReportgenError
from reportgen.metrics import changes, fed
from reportgen.metrics.dates import edition_dates
from reportgen.metrics.macro import HISTORY_PREFIX
from reportgen.metrics.report import ReportFigures, compute_report_figures
from reportgen.processes import sparing_what_lives
from reportgen.render.chart_pages import placed, rsvg_convert
from reportgen.render.commentary import (
    Commentary,
    commentary_file,
    parse_commentary,
    render_commentary,
    revise,
)
from reportgen.render.compose import (
    EditionStatus,
    compose_report,
    for_screen,
    with_branding,
)
from reportgen.render.context import ReportContext
from reportgen.render.html import PORTFOLIO_FRAME_TEMPLATE, REPORT_TEMPLATE, render_html
from reportgen.render.narrative import Narrative, write_narrative
from reportgen.render.personalise import Body
from reportgen.render.references import figure_references
from reportgen.render.variants import DEFAULT_VARIANT, check_variant
from reportgen.sections import FILE_STEM
from reportgen.timing import timed

if TYPE_CHECKING:
    from reportgen.render.pdf import Rendered

log = logging.getLogger(__name__)
# The renderer: importing it imports WeasyPrint (render/pdf.py).
RENDERER = "reportgen.render.pdf"


@dataclass(frozen=True)
class Recorded:
    """What an archived edition compared itself with, so a rebuild makes the same
    comparison instead of searching the archive."""

    previous: changes.PreviousEdition | None
    valuation_history: pd.Series


@dataclass(frozen=True)
class EditionRequest:
    out_dir: Path
    source_spec: str = "sample"
    month: pd.Period | None = None
    as_of: pd.Timestamp | None = None
    variant: str = DEFAULT_VARIANT
    commentary: Path | None = None
    clients: Path | None = None
    revision_reason: str | None = None  # set: publish YYYY-MM-rN beside the original
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    recorded: Recorded | None = None  # rebuilds only
    name: str | None = None  # rebuilds only: the edition folder's name
    draft: bool = False  # set: write OUT/drafts/YYYY-MM, marked DRAFT, replacing any there
    # Publishing a draft: its approval (carried into the manifest), and the draft's HTML,
    # which this build, rendered as a draft, must reproduce byte for byte.
    approval: dict[str, Any] | None = None
    approved_html: bytes | None = None
    executor: Executor = field(default_factory=InThisProcess)  # where copies are made


@dataclass(frozen=True)
class BuiltEdition:
    folder: Path
    pdf: Path
    client_pdfs: dict[str, Path]
    as_of: pd.Timestamp
    refused_urls: list[str]
    # What the operator could do about gaps in this edition; never printed for clients.
    operator_notes: list[str]
    since_last_draft: list[str] = field(default_factory=list)  # a draft's build only


def load_market_data(source: Source, config: Config, store: Store,
                     holdings: pd.DataFrame | None = None,
                     client_holdings: Sequence[str] = ()) -> MarketData:
    """The instruments the source has; the report names the others as missing. The primary
    pair and the bill rate are essential: without them there is no report. ``holdings``
    (``read_universe``) name each universe stock's sector; ``client_holdings`` are what the
    clients hold, for their portfolio pages (one the source lacks is named there)."""
    ins = config.instruments
    essential = [t for t in (*ins.primary_pair, ins.short_rate) if not source.has(t)]
    if essential:
        raise ReportgenError(f"{source.label} has no prices for {', '.join(essential)}, which "
                             "the report cannot do without. Add them, or choose other "
                             "instruments in the config file.")
    with timed(log, f"loaded {source.label}"):
        wanted = dict.fromkeys([*ins.all_tickers, *client_holdings])
        data = store.load(source, [t for t in wanted if source.has(t)],
                          gate=PriceGate.of(config))
    if holdings is not None:
        named = holdings[["name", "sector"]]
        data = dataclasses.replace(data, fundamentals=data.fundamentals.combine_first(
            named[named.index.isin(data.prices)]))
    return dataclasses.replace(data, **load_macro(config, store, sample=source.is_sample))


def read_universe(config: Config) -> pd.DataFrame | None:
    """The equities of the config's ``universe_file`` (name, sector, ...), largest first;
    None when it names none."""
    return (None if config.universe_file is None
            else read_ishares_holdings(config.universe_file))


def with_universe(config: Config, holdings: pd.DataFrame | None) -> Config:
    """The config with ``instruments.universe`` from the holdings, if there are any."""
    if holdings is None:
        return config
    tickers = list(holdings.index)
    return config.model_copy(update={
        "instruments": config.instruments.model_copy(update={"universe": tickers})})


SAMPLE_MACRO = "bundled sample series (synthetic)"


def load_macro(config: Config, store: Store, sample: bool = False) -> dict[str, Any]:
    """The FRED, French and valuation-history series the config names sources for:
    ``macro`` and ``macro_sources`` for MarketData. A sample build without them uses the
    bundled synthetic series, so the offline edition shows every chart."""
    series: dict[str, pd.Series] = {}
    labels = []
    for kind, names in (("fred", FRED_SERIES), ("french", FRENCH_USED)):
        spec = getattr(config.macro, kind)
        if spec is None and not sample:
            continue
        source = (open_series_source(spec, kind) if spec is not None
                  else SeriesFolder(sample_directory() / "macro" / kind, kind, SAMPLE_MACRO))
        with timed(log, f"loaded {source.label}"):
            series.update(store.load_series(source, [n for n in names if source.has(n)]))
        labels.append(source.label)
    if config.macro.shiller:
        series["CAPE"] = read_shiller_cape(Path(config.macro.shiller))
        labels.append(SHILLER_LABEL)
    history_file = (Path(config.macro.valuation_history) if config.macro.valuation_history
                    else sample_directory() / "macro" / "valuation_history.csv" if sample
                    else None)
    if history_file is not None:
        histories = read_valuation_history(history_file)
        series.update({f"{HISTORY_PREFIX}{name}": s for name, s in histories.items()})
        labels.append(SAMPLE_MACRO if sample and not config.macro.valuation_history
                      else "the firm's valuation history file")
    return {"macro": series, "macro_sources": list(dict.fromkeys(labels))}


def pdf_name(month: pd.Period, client_id: str | None = None) -> str:
    return f"{FILE_STEM}-{month}{'-' + client_id if client_id else ''}.pdf"


def html_name(month: pd.Period) -> str:
    return f"{FILE_STEM}-{month}.html"


EMAIL_CHART = "email-chart.png"  # the chart in each email's HTML summary


def _folder_for(request: EditionRequest, month: pd.Period) -> tuple[Path, int]:
    if request.name:
        return request.out_dir / request.name, 1
    exists = latest_of_month(request.out_dir, month) is not None or (
        request.out_dir / f"{month}").exists()
    if request.revision_reason is None and exists:
        raise ReportgenError(
            f"{request.out_dir / f'{month}'} already exists: a published edition is never "
            f"overwritten. To publish a corrected edition, build again with --revision "
            f"\"what changed\", which {'drafts' if request.draft else 'writes'} {month}-r2.")
    if request.revision_reason is not None and not exists:
        raise ReportgenError(f"There is no edition of {month} in {request.out_dir} to revise; "
                             "build it without --revision.")
    name, revision = edition_folder_name(request.out_dir, month,
                                         revision=request.revision_reason is not None)
    if request.draft:
        return draft_folder(request.out_dir, month), revision
    return request.out_dir / name, revision


def _inherited(request: EditionRequest, month: pd.Period) -> tuple[Path | None, Path | None]:
    """The commentary and clients files: as given, else, for a revision, those the month's
    latest edition was built with (a revision keeps the analyst's text and the clients)."""
    latest = (latest_of_month(request.out_dir, month)
              if request.revision_reason and not request.name else None)
    if latest is None:
        return request.commentary, request.clients
    return (request.commentary or _stored_input(latest, "commentary"),
            request.clients or _stored_input(latest, "clients"))


@dataclass(frozen=True)
class Inputs:
    """The analyst's files, read once: parsed for the build, stored with the edition."""

    commentary: Commentary
    commentary_text: str | None
    clients: ClientList | None
    clients_text: str | None
    commentary_suffix: str = ""  # ".yaml" or ".md": how the stored copy is read back
    files: tuple[Path | None, Path | None] = (None, None)  # read from: commentary, clients

    @classmethod
    def read(cls, commentary: Path | None, clients: Path | None) -> Inputs:
        commentary_text = read_text(commentary, "commentary file") if commentary else None
        clients_text = read_text(clients, "clients file", MAX_LIST_BYTES) if clients else None
        client_list = (parse_clients(parse_yaml(clients_text, clients), clients)
                       if clients and clients_text is not None else None)
        if client_list is not None and "holdings_file" in (clients_text or ""):
            clients_text = client_list.as_stored()  # the holdings files' rows, inline
        return cls(
            parse_commentary(commentary_text, commentary)
            if commentary and commentary_text is not None else Commentary(),
            commentary_text, client_list, clients_text,
            commentary.suffix if commentary else "", (commentary, clients))

    def branding_for(self, config: Config, client: Client) -> Branding:
        assert self.clients is not None, "a client comes from the clients file"
        return self.clients.branding_for(config.branding, client)

    @property
    def held_tickers(self) -> list[str]:
        """What the clients hold: the build loads these prices too."""
        return self.clients.holding_tickers if self.clients else []


def read_inputs(request: EditionRequest) -> Inputs:
    """The analyst's files, read before the data is loaded (for the held tickers), and
    read once: ``build_edition`` takes them. A revision without --month inherits the files
    of a month only the data can tell, so then only those given are read here."""
    return Inputs.read(*(_inherited(request, request.month) if request.month is not None
                         else (request.commentary, request.clients)))


@dataclass
class _Renderer:
    """Renders the PDFs of one edition: the shared body once per branding, and the frame
    of a portfolio page once per branding whose clients hold something."""

    context: ReportContext  # the PDF's: its charts as stand-ins
    config: Config
    variant: str
    identifier: bytes  # the PDFs' document identifier
    place_charts: Callable[[bytes], bytes]  # see chart_pages.placed
    refused: list[str] = dataclasses.field(default_factory=list)
    documents: dict[tuple[str, str], Rendered] = dataclasses.field(default_factory=dict)

    def body(self, branding: Branding) -> Rendered:
        return self._laid_out(branding, REPORT_TEMPLATE)

    def master(self) -> bytes:
        return self.body(self.config.branding).pdf

    def copy_bodies(self, work: Iterable[Batch]) -> dict[str, Body]:
        """The bodies of these batches' brandings, laid out here, each with where its cover
        leaves room for a client's block, and with the frame of a portfolio page if any of
        its clients holds something."""
        holding: dict[str, tuple[Branding, bool]] = {}
        for batch in work:
            branding, holds = holding.get(branding_key(batch.branding), (batch.branding, False))
            holding[branding_key(branding)] = (
                branding, holds or any(client.holdings for client in batch.clients))
        return {key: self._copy_body(branding, holds)
                for key, (branding, holds) in holding.items()}

    def _copy_body(self, branding: Branding, holds: bool) -> Body:
        body = self.body(branding)
        if not holds:
            return Body(body.pdf, _corner(body, BLOCK_ANCHOR))
        frame = self._laid_out(branding, PORTFOLIO_FRAME_TEMPLATE)
        return Body(body.pdf, _corner(body, BLOCK_ANCHOR), frame.pdf,
                    _corner(frame, FRAME_ANCHOR))

    def _laid_out(self, branding: Branding, template: str) -> Rendered:
        key = (branding_key(branding), template)
        if key not in self.documents:
            from reportgen.render.pdf import render_document  # loaded by now: see RENDERER

            rendered = render_document(
                render_html(with_branding(self.context, self.config, branding), template),
                assets_dir=self.config.assets_dir, variant=self.variant,
                identifier=self.identifier)
            self.refused.extend(url for url in rendered.refused if url not in self.refused)
            self.documents[key] = (dataclasses.replace(rendered, pdf=self.place_charts(
                rendered.pdf)) if template == REPORT_TEMPLATE else rendered)
        return self.documents[key]


def _corner(rendered: Rendered, anchor: str) -> tuple[float, float]:
    """Where the element ``anchor`` names begins on the first page (its top-left corner, in
    CSS px from the page's)."""
    x, y = rendered.page_anchors[0][anchor][:2]
    return x, y


# Where the cover leaves room for a client's name (its id in sections/cover.html.j2), and
# where a portfolio page's contents go on its frame (portfolio_frame.html.j2).
BLOCK_ANCHOR, FRAME_ANCHOR = "prepared", "portfolio"


def write_client_copies(staging: Path, renderer: _Renderer, copies: Iterable[MadeBatch],
                        names: dict[str, str], stage: Callable[[str], None]) -> None:
    """Each client's copy, written to the staging folder as soon as it is made (so memory
    does not grow with the number of clients), from ``copies`` (``MakeCopies``)."""
    total = len(names)  # a file name for each client
    done = 0
    for made in copies:
        for client_id, pdf in made.copies:
            path = staging / names[client_id]
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(pdf)
            done += 1
            stage(f"Personalising {done}/{total}: {client_id}")
    if done != total:  # never publish an edition without every client's copy
        raise ReportgenError(f"{total - done} of {total} client copies were "
                             "not made; nothing was published. Build again.")


def _comparison_basis(request: EditionRequest, month: pd.Period) -> Recorded:
    if request.recorded is not None:
        return request.recorded
    return Recorded(history.find_previous(request.out_dir, month),
                    history.figure_history(request.out_dir, month, changes.FORWARD_PE_RATIO))


def build_edition(data: MarketData, config: Config, request: EditionRequest,
                  stage: Callable[[str], None] = lambda _: None,
                  inputs: Inputs | None = None) -> BuiltEdition:
    """Build and publish the edition the request asks for, with ``inputs`` if they are its
    files already read (``read_inputs``). Two builds of one month never run at once: the
    second is refused while the first holds the month's lock."""
    check_variant(request.variant)
    rsvg_convert()  # what draws the charts is there, before anything is laid out
    ins = config.instruments
    calendar = data.calendar([ins.primary_pair[0]]).intersection(
        data.calendar([ins.primary_pair[1]]))
    month, as_of = edition_dates(calendar, request.month, request.as_of)
    files = _inherited(request, month)
    if inputs is None or inputs.files != files:
        inputs = Inputs.read(*files)
    with exclusive(request.out_dir, f"build-{month}", f"Another build of {month}"):
        for name in remove_unfinished(request.out_dir, month):
            log.warning("removed %s, left by a build of %s that did not finish", name, month)
        refresh_index(request.out_dir)  # heals an index a crash left stale, even if we stop
        return _build(data, config, request, inputs, month, as_of, stage)


def _build(data: MarketData, config: Config, request: EditionRequest, inputs: Inputs,
           month: pd.Period, as_of: pd.Timestamp, stage: Callable[[str], None]
           ) -> BuiltEdition:
    ins = config.instruments
    folder, revision = _folder_for(request, month)

    data, gap_notes = withhold_gaps(data, as_of, config.data_quality.max_gap_days)

    stage("Computing figures")
    with timed(log, f"computed the figures to {as_of:%Y-%m-%d}"):
        figures = compute_report_figures(data, ins, as_of, gap_notes)
        key_figures = changes.key_figures(figures)
        basis = _comparison_basis(request, month)
        comparison = (changes.compare(basis.previous, key_figures)
                      if basis.previous is not None else None)
    # Before the charts: a reference or an edit the edition lacks fails in a moment.
    analyst = render_commentary(inputs.commentary, figure_references(figures))
    narrative = revise(write_narrative(figures, ins, basis.valuation_history, comparison),
                       analyst, inputs.commentary.source)
    stage("Drawing charts")
    with drawing_charts(data, ins, figures) as drawing:
        with timed(log, "drew and measured the charts"):
            # The renderer (WeasyPrint, a second's import) is loaded while they are drawn.
            shapes = drawing.shapes(meanwhile=lambda: importlib.import_module(RENDERER))
        status = EditionStatus(draft=request.draft, revision_reason=request.revision_reason)

        def composed(charts: ChartsByName) -> ReportContext:
            return compose_report(figures, narrative, charts, config, request.created,
                                  comparison, analyst, status)

        context = composed(shapes)  # the PDF's: laid out while the charts are encoded
        clients = inputs.clients.clients if inputs.clients else []
        held = sorted({h.ticker for client in clients for h in client.holdings})
        job = CopyJob(config, figures, {t: data.adj_close(t) for t in held})
        work = batches((inputs.branding_for(config, client), client) for client in clients)
        # Local processes draw the clients' pages, and the helpers encode the charts,
        # whose pages librsvg then draws (render/chart_pages.py), while this process lays
        # out the edition.
        shown = [name for name, shape in shapes.items() if shape is not None]
        with placed([name.encode() for name in shown], lambda: drawing.svgs(shown)
                     ) as place_charts, \
                request.executor.begun(job, work) as make_copies, \
                _unfinished_folder(request.out_dir, month, "snapshot") as snapshot_folder, \
                ThreadPoolExecutor(1, thread_name_prefix="reportgen-snapshot") as background:
            # And a thread writes the data's snapshot (see write_snapshot).
            snapshot_files = background.submit(snapshot.write_snapshot, data, as_of,
                                               snapshot_folder)
            renderer = _Renderer(context, config, request.variant,
                                 f"{FILE_STEM}-{month}".encode(), place_charts)
            stage("Rendering PDF")
            with timed(log, "rendered the edition PDF and HTML"), sparing_what_lives():
                files = {pdf_name(month): renderer.master()}
                # The copies' bodies go to the executor now: local processes make the
                # copies while this process makes the HTML edition.
                copies = make_copies(renderer.copy_bodies(work)) if work else iter(())
                charts = drawing.charts()
                full = composed(charts)  # with the charts' SVGs, for the HTML edition
                files[html_name(month)] = render_html(for_screen(full, config)).encode()
            if request.approved_html is not None:
                _check_same_as_draft(full, config, request.approved_html)
            client_files = {c.id: f"clients/{pdf_name(month, c.id)}" for c in clients}

            emailed = charts.get(EMAILED_CHART)
            if emailed is not None and emailed.png is not None:
                files[EMAIL_CHART] = emailed.png
            stage("Archiving")

            def write_files(staging: Path) -> None:
                for name, content in files.items():
                    (staging / name).parent.mkdir(exist_ok=True)
                    (staging / name).write_bytes(content)
                with timed(log, f"made {len(clients)} client copies"):
                    write_client_copies(staging, renderer, copies, client_files,
                                        stage)
                history.write_key_figures(staging, folder.name, key_figures)
                for name in snapshot_files.result():
                    shutil.move(snapshot_folder / name, staging / name)
                stored = {"commentary" + inputs.commentary_suffix: inputs.commentary_text,
                          "clients.yaml": inputs.clients_text}
                for name, text in stored.items():
                    if text is not None:
                        (staging / INPUTS).mkdir(exist_ok=True)
                        (staging / INPUTS / name).write_text(text)

            fields = _manifest_fields(request, folder, revision, month, as_of, data, config,
                                      context, narrative, basis, files, client_files, emailed)
            since_last_draft = []
            with timed(log, f"wrote {folder}"):
                if request.draft:
                    since_last_draft = changes_since_last_draft(
                        folder, key_figures, context.cover.headline, inputs.commentary_text)
                    write_draft(folder, write_files, fields)
                else:
                    publish_edition(folder, write_files, fields)
    return BuiltEdition(folder, folder / pdf_name(month),
                        {cid: folder / name for cid, name in client_files.items()}, as_of,
                        renderer.refused, operator_notes(figures, request.source_spec),
                        since_last_draft)


@contextmanager
def _unfinished_folder(out_dir: Path, month: pd.Period, purpose: str) -> Iterator[Path]:
    """A temporary folder in the output folder (on the file system of the edition, whose
    files are moved from it), named as a build's staging folder is: should this build be
    killed, the next build of the month removes it."""
    with tempfile.TemporaryDirectory(prefix=f".{month}.{purpose}-", dir=out_dir) as made:
        yield Path(made)


def _manifest_fields(request: EditionRequest, folder: Path, revision: int, month: pd.Period,
                     as_of: pd.Timestamp, data: MarketData, config: Config,
                     context: ReportContext, narrative: Narrative, basis: Recorded,
                     files: Mapping[str, bytes], client_files: dict[str, str],
                     emailed: Chart | None) -> dict[str, Any]:
    """What the edition's manifest records: how it was built and from what, its files, the
    summary each email quotes, and what the next edition compares itself with."""
    return {
        "edition": folder.name, "month": f"{month}", "revision": revision,
        "revision_reason": request.revision_reason, "as_of": f"{as_of:%Y-%m-%d}",
        "source": data.source, "source_spec": request.source_spec,
        "sample_data": data.is_sample, "built_at": request.created.isoformat(),
        "pdf_variant": request.variant, "versions": versions(),
        "pdf": pdf_name(month), "html": html_name(month), "client_pdfs": client_files,
        "headline": context.cover.headline, "takeaways": narrative.texts("takeaways"),
        "summary": {"verdict": context.cover.verdict,
                    "figures": [dataclasses.asdict(f) for f in context.cover.figures],
                    "chart": EMAIL_CHART if EMAIL_CHART in files else None,
                    "chart_alt": emailed.title if emailed else "",
                    "revised": context.edition.revised},
        "fetched_at": {t: v.isoformat() for t, v in data.fetched_at.items()},
        "config": config.model_dump(mode="json"),
        "previous_edition": None if basis.previous is None else {
            "edition": basis.previous.edition, **changes.to_json(basis.previous.figures)},
        "valuation_history": {f"{d:%Y-%m-%d}": v for d, v in basis.valuation_history.items()},
        "approval": request.approval}


def _check_same_as_draft(context: ReportContext, config: Config, approved_html: bytes) -> None:
    """The edition being published says exactly what the approved draft said: rendered as a
    draft, its HTML (every sentence, figure and chart) is the draft's, byte for byte."""
    as_draft = dataclasses.replace(context, edition=dataclasses.replace(context.edition,
                                                                          draft=True))
    if render_html(for_screen(as_draft, config)).encode() != approved_html:
        raise ReportgenError("The edition rebuilt from the approved draft's data and inputs "
                             "differs from that draft (a different reportgen or template?); "
                             "nothing was published. Build a new draft and approve it.")


def operator_notes(figures: ReportFigures, source_spec: str) -> list[str]:
    """Instructions for whoever runs the build: what is missing and how to supply it."""
    notes = []
    if source_spec.startswith("csv:") and (not figures.valuation
                                           or figures.quality.fundamentals.empty):
        notes.append("the source gives no fund valuation or earnings figures: add "
                     "fundamentals.csv beside the price files (see README, Sources), or build "
                     "with --source yfinance.")
    checked = fed.reviewed_through()
    if figures.as_of - checked > pd.Timedelta(days=45):
        notes.append(f"the list of Fed cuts is checked through {checked:%Y-%m-%d}; cuts after "
                     "that date are not in the rate-cut study until reportgen's list is "
                     "updated.")
    return notes


@dataclass(frozen=True)
class RebuildReport:
    folder: Path  # where the rebuilt edition was written
    figures_match: bool
    pdfs: dict[str, bool]  # archived PDF name → byte-identical
    versions_differ: dict[str, tuple[str, str]]  # package → (archived, installed)


def _stored_input(edition: Edition, prefix: str) -> Path | None:
    found = sorted((edition.folder / INPUTS).glob(f"{prefix}*"))
    return found[0] if found else None


def _recorded(manifest: Manifest) -> Recorded:
    raw = manifest.previous_edition
    previous = None if raw is None else changes.PreviousEdition(raw["edition"],
                                                                changes.from_json(raw))
    history_points = {pd.Timestamp(d): v for d, v in manifest.valuation_history.items()}
    return Recorded(previous, pd.Series(history_points, dtype=float))


def rebuild_edition(edition: Edition, into: Path) -> RebuildReport:
    """Regenerate ``edition`` from its snapshot and stored inputs only (no source, store or
    network) into ``into``, and compare figures and PDF bytes with the archived ones."""
    manifest = edition.manifest
    data = snapshot.read_snapshot(edition.folder, manifest.source, manifest.sample_data,
                                  manifest.fetched_at)
    request = EditionRequest(
        out_dir=into, source_spec=manifest.source_spec, month=pd.Period(manifest.month),
        as_of=pd.Timestamp(manifest.as_of), variant=manifest.pdf_variant,
        commentary=_stored_input(edition, "commentary"),
        clients=_stored_input(edition, "clients"), revision_reason=manifest.revision_reason,
        created=datetime.fromisoformat(manifest.built_at), recorded=_recorded(manifest),
        name=edition.name)
    built = build_edition(data, Config.model_validate(manifest.config), request)
    same_figures = (json.loads((edition.folder / history.FIGURES_FILE).read_text())
                    == json.loads((built.folder / history.FIGURES_FILE).read_text()))
    installed = versions()
    return RebuildReport(
        folder=built.folder,
        figures_match=same_figures,
        pdfs={name: sha256(built.folder / name) == manifest.files[name]
              for name in [manifest.pdf, *manifest.client_pdfs.values()]},
        versions_differ={k: (v, installed.get(k, "?")) for k, v in manifest.versions.items()
                         if installed.get(k) != v},
    )


def publish_draft(out_dir: Path, month: pd.Period, require_approval: bool,
                  stage: Callable[[str], None] = lambda _: None) -> BuiltEdition:
    """Publish the month's approved draft as its dated edition (``YYYY-MM``, or the next
    ``-rN`` for a draft of a revision): rebuilt from the draft's own snapshot, inputs,
    config and build time, checked to say exactly what the approved draft said, with the
    approval in its manifest; then the draft is removed."""
    draft = read_draft(out_dir, month)
    name = f"{DRAFTS}/{month}"
    found = read_approval(draft.folder, name)
    if found is None and require_approval:
        raise ReportgenError(f"{name} is not approved: read it, then run `reportgen approve "
                             f"{name} --by NAME`.")
    approval = None
    if found is not None:
        changed = changed_since_approval(draft.folder, found[0])
        if changed:
            raise ReportgenError(f"{name}/{changed[0]} changed after it was approved (a new "
                                 f"draft?): read it, then approve {name} again.")
        approval = {**found[0].model_dump(mode="json"), "sha256": found[1]}
    manifest = draft.manifest
    data = snapshot.read_snapshot(draft.folder, manifest.source, manifest.sample_data,
                                  manifest.fetched_at)
    request = EditionRequest(
        out_dir=out_dir, source_spec=manifest.source_spec, month=month,
        as_of=pd.Timestamp(manifest.as_of), variant=manifest.pdf_variant,
        commentary=_stored_input(draft, "commentary"), clients=_stored_input(draft, "clients"),
        revision_reason=manifest.revision_reason,
        created=datetime.fromisoformat(manifest.built_at), recorded=_recorded(manifest),
        approval=approval,
        approved_html=(draft.folder / manifest.html).read_bytes() if manifest.html else None)
    built = build_edition(data, Config.model_validate(manifest.config), request, stage)
    shutil.rmtree(draft.folder, ignore_errors=True)
    return built


def commentary_template(data: MarketData, config: Config, request: EditionRequest) -> str:
    """A commentary file for the month the request asks for, prefilled from its figures
    (no charts, no PDF): see ``render.commentary.commentary_file``."""
    ins = config.instruments
    calendar = data.calendar([ins.primary_pair[0]]).intersection(
        data.calendar([ins.primary_pair[1]]))
    month, as_of = edition_dates(calendar, request.month, request.as_of)
    data, gap_notes = withhold_gaps(data, as_of, config.data_quality.max_gap_days)
    figures = compute_report_figures(data, ins, as_of, gap_notes)
    basis = _comparison_basis(request, month)
    comparison = (changes.compare(basis.previous, changes.key_figures(figures))
                  if basis.previous is not None else None)
    narrative = write_narrative(figures, ins, basis.valuation_history, comparison)
    command = (f"reportgen build --draft --month {month} --source {request.source_spec} "
               "--commentary THIS_FILE")
    return commentary_file(narrative, figure_references(figures),
                           f"{month:%B %Y} (data to {as_of:%Y-%m-%d})", command)
