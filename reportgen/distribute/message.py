"""One email per client: a short plain-text and HTML summary, and the client's PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

import pandas as pd

from reportgen.archive.editions import Edition
from reportgen.charts.palette import HOUSE
from reportgen.clients import Client, ClientList
from reportgen.config import Config
from reportgen.formatting import day, month_name
from reportgen.templating import render_template


def message_id(edition: Edition, client: Client, sender: str) -> str:
    """Stable per edition and client, so a mail system can recognise a repeat."""
    return f"<{edition.name}.{client.id}.reportgen@{sender.rsplit('@', 1)[-1]}>"


def compose(edition: Edition, client: Client, clients: ClientList, sender: str,
            pdf: Path) -> EmailMessage:
    m = edition.manifest
    branding = clients.branding_for(Config.model_validate(m.config).branding, client)
    chart = m.summary.chart if m.summary else None
    cid = f"chart.{edition.name}.{client.id}@reportgen" if chart else None
    fields = {"client": client, "month_name": month_name(pd.Period(m.month, "M")),
              "as_of": day(pd.Timestamp(m.as_of)), "headline": m.headline,
              "takeaways": m.takeaways, "firm": branding.firm_name,
              "colour": branding.colour, "colours": HOUSE, "sample": m.sample_data,
              "summary": m.summary, "chart_cid": cid, "source": m.source}
    message = EmailMessage()
    revised = m.summary.revised if m.summary else None
    message["Subject"] = (f"US Small-Cap Outlook, {fields['month_name']}"
                          + (f" ({revised})" if revised else ""))
    message["From"] = formataddr((branding.firm_name, sender))
    message["To"] = ", ".join(formataddr((client.name, address)) for address in client.email)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id(edition, client, sender)
    message.set_content(render_template("email/body.txt.j2", fields))
    message.add_alternative(render_template("email/body.html.j2", fields), subtype="html")
    html = message.get_body(("html",))
    if chart and cid and html is not None:
        html.add_related((edition.folder / chart).read_bytes(), maintype="image",
                         subtype="png", cid=f"<{cid}>", filename="chart.png")
    message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                           filename=pdf.name)
    return message
