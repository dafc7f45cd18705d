"""Send an edition to its clients: one message per client, to all of its addresses, each
address at most once whatever happens (crash, dropped connection, refused recipient, a second
``send`` at the same time, a lost send log).

Before the first message, every file of the edition must match its manifest and the
manifest the archive's chain, or nothing is sent. One send of an edition runs at a time (a
file lock). Before a message goes out, the send log and the edition's sent record say which
of the client's addresses the mail server has already accepted; only the others are used as
envelope recipients. Each outcome is committed the moment the server answers.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportgen.archive.approval import approval_problem
from reportgen.archive.editions import SENT_RECORD, Edition, verify_for_sending
from reportgen.archive.publish import exclusive
from reportgen.clients import Client, ClientList
from reportgen.distribute.message import compose
from reportgen.distribute.sendlog import SendLog, SentRecord
from reportgen.distribute.settings import SmtpSettings
from reportgen.errors import ReportgenError
from reportgen.timing import timed

log = logging.getLogger(__name__)
SEND_LOG = "send-log.sqlite"
OUTBOX = "outbox"
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Outcome:
    client_id: str
    status: str  # "sent", "already sent", "written" (dry run), "failed"
    detail: str = ""


class Throttle:
    """Spaces messages at least 60 / ``per_minute`` seconds apart (none without a limit)."""

    def __init__(self, per_minute: int | None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 60 / per_minute if per_minute else 0.0
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.interval and self.last is not None:
            remaining = self.last + self.interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self.last = self.clock()


class Mailer:
    """One SMTP connection for the whole batch, opened when first needed and again after
    it drops; messages no faster than the settings allow."""

    def __init__(self, settings: SmtpSettings, throttle: Throttle | None = None) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None
        self.throttle = throttle or Throttle(settings.per_minute)

    def connect(self) -> smtplib.SMTP:
        if self.connection is not None:
            return self.connection
        s = self.settings
        try:
            if s.security == "ssl":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_SECONDS,
                                              context=ssl.create_default_context())
            else:
                connection = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
                if s.security == "starttls":
                    connection.starttls(context=ssl.create_default_context())
            if s.user:
                connection.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError:
            raise ReportgenError(f"The mail server {s.host}:{s.port} refused the login for "
                                 f"{s.user}; check REPORTGEN_SMTP_USER and _PASSWORD.") from None
        except (OSError, smtplib.SMTPException) as error:
            raise ReportgenError(f"Cannot reach the mail server {s.host}:{s.port} ({error}). "
                                 "Check REPORTGEN_SMTP_HOST, _PORT and _SECURITY.") from None
        self.connection = connection
        return connection

    def drop(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
        self.connection = None


def client_pdf(edition: Edition, client: Client) -> Path:
    name = edition.manifest.client_pdfs.get(client.id)
    if name is None:
        raise ReportgenError(f"{edition.name} has no edition for client {client.id}: build "
                             "it with --clients (use --revision if the month is published).")
    return edition.folder / name


@dataclass(frozen=True)
class Records:
    log: SendLog
    sent: SentRecord
    resend: bool  # the operator asked to send again what was already accepted

    def accepted(self, edition: Edition, client: Client) -> set[str]:
        if self.resend:
            return set()
        return self.log.accepted(edition.name, client.id) | self.sent.accepted(client.id)


def send_one(mailer: Mailer, records: Records, edition: Edition, client: Client,
             clients: ClientList) -> Outcome:
    done = records.accepted(edition, client)
    pending = [address for address in client.email if address not in done]
    if not pending:
        return Outcome(client.id, "already sent")
    pdf = client_pdf(edition, client)
    message = compose(edition, client, clients, mailer.settings.from_address, pdf)
    digest = edition.manifest.files[pdf.relative_to(edition.folder).as_posix()]
    record = functools.partial(records.log.record, edition.name, client.id,
                               message_id=message["Message-ID"], pdf_sha256=digest)
    try:
        mailer.throttle.wait()
        refused = mailer.connect().send_message(message, to_addrs=pending)
    except smtplib.SMTPRecipientsRefused as error:
        record(pending, "refused", detail=_reasons(error.recipients))
        return Outcome(client.id, "failed", f"every address refused: {_reasons(error.recipients)}")
    except (OSError, smtplib.SMTPException) as error:
        mailer.drop()  # the next client gets a fresh connection
        record(pending, "failed", detail=str(error))
        return Outcome(client.id, "failed", f"not sent: {error}")
    accepted = [a for a in pending if a not in refused]
    records.sent.add(client.id, accepted, message["Message-ID"], digest)
    record(accepted, "accepted")
    if refused:
        record(list(refused), "refused", detail=_reasons(refused))
        return Outcome(client.id, "failed", f"refused: {_reasons(refused)}")
    return Outcome(client.id, "sent", ", ".join(pending))


def _reasons(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address} ({code} {text.decode(errors='replace')})"
                     for address, (code, text) in refused.items())


def preflight(out_dir: Path, edition: Edition, selected: list[Client],
              require_approval: bool) -> None:
    """Every selected client has a copy, every file and the manifest are as published, and
    (unless the firm switched approval off) the edition is approved as it is; otherwise one
    error and nothing sent."""
    for client in selected:
        client_pdf(edition, client)
    problems = verify_for_sending(out_dir, edition)
    if problems:
        raise ReportgenError(f"Nothing was sent: {problems[0]}"
                             + (f" (and {len(problems) - 1} more problem(s))"
                                if len(problems) > 1 else "")
                             + ". `reportgen archive verify` lists them; rebuild the edition "
                             "with --revision.")
    unapproved = approval_problem(out_dir, edition) if require_approval else None
    if unapproved:
        raise ReportgenError(f"Nothing was sent: {unapproved}")


def send_edition(out_dir: Path, edition: Edition, clients: ClientList, selected: list[Client],
                 settings: SmtpSettings | None, dry_run: bool, resend: bool = False,
                 progress: Callable[[Outcome], None] = lambda _: None,
                 require_approval: bool = True) -> list[Outcome]:
    """Send (or, with ``dry_run``, write as .eml files) each selected client's message;
    with ``resend``, send again to addresses that already accepted it."""
    preflight(out_dir, edition, selected, require_approval)
    if dry_run:
        sender = settings.from_address if settings else "dry-run@reportgen.invalid"
        return [_write_eml(out_dir, edition, client, clients, sender, progress)
                for client in selected]
    if settings is None:
        raise ReportgenError("No mail settings: set REPORTGEN_SMTP_HOST and _FROM.")
    with exclusive(out_dir, f"send-{edition.name}", f"Another send of {edition.name}"):
        records = Records(SendLog(out_dir / SEND_LOG), SentRecord(edition.folder / SENT_RECORD),
                          resend)
        try:
            return _send_all(Mailer(settings), records, edition, clients, selected, progress)
        finally:
            records.log.close()


def _send_all(mailer: Mailer, records: Records, edition: Edition, clients: ClientList,
              selected: list[Client], progress: Callable[[Outcome], None]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    try:
        if any(set(c.email) - records.accepted(edition, c) for c in selected):
            mailer.connect()  # an unreachable server is one clear error, before any message
        with timed(log, f"sent {edition.name} to {len(selected)} client(s)"):
            for client in selected:
                outcomes.append(send_one(mailer, records, edition, client, clients))
                log.info("%s: %s %s", client.id, outcomes[-1].status, outcomes[-1].detail)
                progress(outcomes[-1])
    finally:
        mailer.drop()
    return outcomes


def _write_eml(out_dir: Path, edition: Edition, client: Client, clients: ClientList,
               sender: str, progress: Callable[[Outcome], None]) -> Outcome:
    folder = out_dir / OUTBOX / edition.name
    folder.mkdir(parents=True, exist_ok=True)
    message = compose(edition, client, clients, sender, client_pdf(edition, client))
    path = folder / f"{client.id}.eml"
    path.write_bytes(bytes(message))
    outcome = Outcome(client.id, "written", str(path))
    progress(outcome)
    return outcome
