"""Build one edition: data → figures → charts → HTML → PDF, written atomically.

Nothing lands in the output folder until the whole edition is rendered: it is built in a
hidden temporary folder beside the target and renamed into place, so a crash or Ctrl-C leaves
no half-written PDF behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from reportgen.charts.report_charts import report_charts
from reportgen.config import Config
from reportgen.data.model import MarketData
from reportgen.errors import ReportgenError
from reportgen.metrics.report import ReportFigures, compute_report_figures
from reportgen.render import changes
from reportgen.render.commentary import load_commentary
from reportgen.render.context import build_context
from reportgen.render.pdf import DEFAULT_VARIANT, check_variant, render_html, render_pdf

FILE_STEM = "us-small-cap-outlook"


@dataclass(frozen=True)
class EditionRequest:
    out_dir: Path
    month: pd.Period | None = None
    as_of: pd.Timestamp | None = None
    variant: str = DEFAULT_VARIANT
    commentary: Path | None = None
    created: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class BuiltEdition:
    folder: Path
    pdf: Path
    as_of: pd.Timestamp
    refused_urls: list[str]


def edition_dates(data: MarketData, tickers: list[str], month: pd.Period | None,
                  as_of: pd.Timestamp | None, today: pd.Timestamp | None = None
                  ) -> tuple[pd.Period, pd.Timestamp]:
    """The edition's month and as-of date: the last complete calendar month (or the data's
    last month, when the data ends earlier) and its last trading day in the data, unless
    either is given."""
    calendar = pd.DatetimeIndex(sorted(set().union(*(data.prices[t].index for t in tickers))))
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


def pdf_name(month: pd.Period) -> str:
    return f"{FILE_STEM}-{month}.pdf"


def build_edition(data: MarketData, config: Config, request: EditionRequest,
                  stage: Callable[[str], None] = lambda _: None) -> BuiltEdition:
    check_variant(request.variant)
    ins = config.instruments
    present = [t for t in ins.funds if t in data.prices]
    month, as_of = edition_dates(data, present, request.month, request.as_of)
    folder = request.out_dir / f"{month}"
    if folder.exists():
        raise ReportgenError(f"{folder} already exists: a published edition is never "
                             "overwritten. Choose another --out, or remove that folder if it was "
                             "never sent.")
    commentary = load_commentary(request.commentary)
    stage("Computing figures")
    figures = compute_report_figures(data, ins, as_of)
    if as_of < month.end_time.normalize() - pd.offsets.BDay(1):
        figures.missing.append(f"The data ends {as_of.day} {as_of:%b %Y}, before the end of "
                               f"{month.strftime('%B')}: figures are to that date.")
    stage("Drawing charts")
    charts = report_charts(data, ins, figures)
    stage("Composing")
    previous = changes.find_previous(request.out_dir, month)
    context = build_context(figures, data, config, charts, request.created, previous,
                            commentary)
    html = render_html(context)
    stage("Rendering PDF")
    pdf, refused = render_pdf(html, assets_dir=config.assets_dir, variant=request.variant,
                              identifier=f"{FILE_STEM}-{month}".encode())
    stage("Writing")
    write_folder_atomically(folder, {pdf_name(month): pdf}, figures)
    return BuiltEdition(folder, folder / pdf_name(month), as_of, refused)


def write_folder_atomically(folder: Path, files: dict[str, bytes], figures: ReportFigures
                            ) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; an edition is meant to be read
        for name, content in files.items():
            (staging / name).write_bytes(content)
        changes.write_key_figures(staging, folder.name, figures)
        os.rename(staging, folder)  # fails if the folder appeared meanwhile: never overwrite
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
