"""Build one edition: data → figures → charts → HTML → PDFs (master and per client), then
publish it as a dated archive folder with its manifest and data snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from reportgen.archive import snapshot
from reportgen.archive.editions import edition_folder_name, latest_of_month
from reportgen.archive.publish import package_versions, staged_edition, write_manifest
from reportgen.charts.report_charts import report_charts
from reportgen.clients import ClientList, parse_clients
from reportgen.config import Config, parse_yaml, read_text
from reportgen.data.model import MarketData
from reportgen.errors import ReportgenError
from reportgen.metrics.report import ReportFigures, compute_report_figures
from reportgen.render import changes
from reportgen.render.commentary import parse_commentary
from reportgen.render.context import build_context, chart_uris, for_client
from reportgen.render.narrative import Narrative
from reportgen.render.pdf import render_pdf
from reportgen.render.personalise import splice_cover
from reportgen.render.templates import DEFAULT_VARIANT, check_variant, render_html

FILE_STEM = "us-small-cap-outlook"
INPUTS = "inputs"  # what else shaped the edition: commentary and clients files, as given


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
    # For rebuilds: the comparison the original edition made, instead of searching out_dir.
    previous: changes.PreviousEdition | None = None
    valuation_history: dict[pd.Timestamp, float] | None = None
    name: str | None = None


@dataclass(frozen=True)
class BuiltEdition:
    folder: Path
    pdf: Path
    client_pdfs: dict[str, Path]
    as_of: pd.Timestamp
    refused_urls: list[str]


def edition_dates(data: MarketData, tickers: list[str], month: pd.Period | None,
                  as_of: pd.Timestamp | None, today: pd.Timestamp | None = None
                  ) -> tuple[pd.Period, pd.Timestamp]:
    """The edition's month and as-of date: the last complete calendar month (or the data's
    last month, when the data ends earlier) and its last trading day in the data, unless
    either is given."""
    calendar = data.calendar(tickers)
    if as_of is not None:
        days = calendar[calendar <= as_of]
        if days.empty:
            raise ReportgenError(f"--as-of {as_of:%Y-%m-%d} is before the data starts "
                                 f"({calendar[0]:%Y-%m-%d}).")
        return days[-1].to_period("M"), days[-1]
    if month is None:
        last_complete = (today or pd.Timestamp.now()).to_period("M") - 1
        month = min(last_complete, calendar[-1].to_period("M"))
    days = calendar[calendar.to_period("M") == month]
    if days.empty:
        raise ReportgenError(
            f"The data has no trading days in {month}: it runs from {calendar[0]:%Y-%m-%d} to "
            f"{calendar[-1]:%Y-%m-%d}. Choose --month within that range or refresh the data.")
    return month, days[-1]


def pdf_name(month: pd.Period, client_id: str | None = None) -> str:
    return f"{FILE_STEM}-{month}{'-' + client_id if client_id else ''}.pdf"


def _folder_for(request: EditionRequest, month: pd.Period) -> tuple[Path, int]:
    if request.name:
        return request.out_dir / request.name, 1
    exists = latest_of_month(request.out_dir, month) is not None or (
        request.out_dir / f"{month}").exists()
    if request.revision_reason is None and exists:
        raise ReportgenError(
            f"{request.out_dir / f'{month}'} already exists: a published edition is never "
            f"overwritten. To publish a corrected edition, build again with --revision "
            f"\"what changed\", which writes {month}-r2 beside it.")
    if request.revision_reason is not None and not exists:
        raise ReportgenError(f"There is no edition of {month} in {request.out_dir} to revise; "
                             "build it without --revision.")
    name, revision = edition_folder_name(request.out_dir, month,
                                         revision=request.revision_reason is not None)
    return request.out_dir / name, revision


def _read_input(path: Path | None, what: str) -> str | None:
    return None if path is None else read_text(path, what)


class _Renderer:
    """Renders PDFs of one edition, laying out the shared body once per branding."""

    def __init__(self, context: dict[str, Any], figures: ReportFigures, config: Config,
                 request: EditionRequest, month: pd.Period) -> None:
        self.context, self.figures, self.config = context, figures, config
        self.request, self.identifier = request, f"{FILE_STEM}-{month}".encode()
        self.refused: list[str] = []
        self.bodies: dict[str, bytes] = {}

    def pdf(self, context: dict[str, Any], template: str = "report.html.j2") -> bytes:
        pdf, refused = render_pdf(render_html(context, template=template),
                                  assets_dir=self.config.assets_dir,
                                  variant=self.request.variant, identifier=self.identifier)
        self.refused.extend(url for url in refused if url not in self.refused)
        return pdf

    def master(self) -> bytes:
        key = self.config.branding.model_dump_json()
        if key not in self.bodies:
            self.bodies[key] = self.pdf(self.context)
        return self.bodies[key]

    def client(self, clients: ClientList, client_id: str) -> bytes:
        client = next(c for c in clients.clients if c.id == client_id)
        branded = self.config.model_copy(
            update={"branding": clients.branding_for(self.config.branding, client)})
        key = branded.branding.model_dump_json()
        if key not in self.bodies:
            self.bodies[key] = self.pdf(for_client(self.context, self.figures, branded,
                                                   self.request.created, None))
        cover = self.pdf(for_client(self.context, self.figures, branded, self.request.created,
                                    client), template="cover.html.j2")
        return splice_cover(self.bodies[key], cover)


def build_edition(data: MarketData, config: Config, request: EditionRequest,
                  stage: Callable[[str], None] = lambda _: None) -> BuiltEdition:
    check_variant(request.variant)
    ins = config.instruments
    month, as_of = edition_dates(data, [t for t in ins.funds if t in data.prices],
                                 request.month, request.as_of)
    folder, revision = _folder_for(request, month)
    # Each input is read once: the text is both parsed and stored with the edition.
    commentary_text = _read_input(request.commentary, "commentary file")
    commentary = (parse_commentary(commentary_text, request.commentary)
                  if request.commentary else {})
    clients_text = _read_input(request.clients, "clients file")
    clients = (parse_clients(parse_yaml(clients_text, request.clients), request.clients)
               if request.clients else None)

    stage("Computing figures")
    figures = compute_report_figures(data, ins, as_of)
    if as_of < month.end_time.normalize() - pd.offsets.BDay(1):
        figures.missing.append(f"The data ends {as_of.day} {as_of:%b %Y}, before the end of "
                               f"{month.strftime('%B')}: figures are to that date.")
    stage("Drawing charts")
    charts = chart_uris(report_charts(data, ins, figures))
    previous = request.previous or changes.find_previous(request.out_dir, month)
    history = (pd.Series(request.valuation_history, dtype=float)
               if request.valuation_history is not None
               else changes.figure_history(request.out_dir, month,
                                             changes.FORWARD_PE_RATIO))
    context = build_context(figures, data, config, charts, request.created, previous,
                            commentary, history)
    renderer = _Renderer(context, figures, config, request, month)
    stage("Rendering PDF")
    files = {pdf_name(month): renderer.master()}
    client_files = {}
    for number, client in enumerate(clients.clients if clients else [], start=1):
        stage(f"Personalising {number}/{len(clients.clients)}: {client.id}")
        client_files[client.id] = f"clients/{pdf_name(month, client.id)}"
        files[client_files[client.id]] = renderer.client(clients, client.id)

    stage("Archiving")
    narrative = Narrative(figures, ins)
    with staged_edition(folder) as staging:
        for name, content in files.items():
            (staging / name).parent.mkdir(exist_ok=True)
            (staging / name).write_bytes(content)
        changes.write_key_figures(staging, folder.name, figures)
        snapshot.write_snapshot(staging, data, as_of)
        inputs = {"commentary" + (request.commentary.suffix if request.commentary else ""):
                  commentary_text, "clients.yaml": clients_text}
        for name, text in inputs.items():
            if text is not None:
                (staging / INPUTS).mkdir(exist_ok=True)
                (staging / INPUTS / name).write_text(text)
        write_manifest(staging, {
            "edition": folder.name, "month": f"{month}", "revision": revision,
            "revision_reason": request.revision_reason, "as_of": f"{as_of:%Y-%m-%d}",
            "source": data.source, "source_spec": request.source_spec,
            "sample_data": data.is_sample, "built_at": request.created.isoformat(),
            "pdf_variant": request.variant, "versions": package_versions(),
            "pdf": pdf_name(month), "client_pdfs": client_files,
            "headline": context["headline"], "takeaways": narrative.takeaways(),
            "fetched_at": {t: v.isoformat() for t, v in data.fetched_at.items()},
            "config": config.model_dump(mode="json"),
            "previous_edition": changes.as_dict(previous),
            "valuation_history": {f"{d:%Y-%m-%d}": v for d, v in history.items()},
        })
    return BuiltEdition(folder, folder / pdf_name(month),
                        {cid: folder / name for cid, name in client_files.items()}, as_of,
                        renderer.refused)
