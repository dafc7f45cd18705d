"""The report model to HTML, through the section templates."""

from __future__ import annotations

import dataclasses

from reportgen.render.context import ReportContext
from reportgen.templating import render_template

REPORT_TEMPLATE = "report.html.j2"
PORTFOLIO_FRAME_TEMPLATE = "portfolio_frame.html.j2"  # a client's portfolio page, empty


def render_html(context: ReportContext, template: str = REPORT_TEMPLATE) -> str:
    """``template`` receives the context's fields as top-level names (``edition``,
    ``cover``, one per section)."""
    names = {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}
    return render_template(template, names)
