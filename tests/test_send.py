"""``reportgen send`` against real SMTP servers (aiosmtpd) on loopback."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from aiosmtpd.smtp import AuthResult

from reportgen.config import Config
from reportgen.edition import EditionRequest, build_edition
from tests.conftest import CLIENTS, Inbox, free_port, run_cli


@pytest.fixture
def archive(sample_archive: Path, tmp_path: Path) -> Path:
    """A fresh copy of the shared archive (and so a fresh send log) for each test."""
    shutil.copytree(sample_archive / "out", tmp_path / "out")
    (tmp_path / "clients.yaml").write_text(CLIENTS)
    return tmp_path


def send(archive: Path, *extra: str):
    return run_cli("send", "--month", "2026-10", "--clients", str(archive / "clients.yaml"),
                   "--out", str(archive / "out"), *extra)


def pdf_sha256(archive: Path, client: str) -> str:
    manifest = json.loads((archive / "out" / "2026-10" / "manifest.json").read_text())
    return manifest["files"][manifest["client_pdfs"][client]]


def recipients(inbox: Inbox) -> list[str]:
    return sorted(address for rcpts, _ in inbox.received for address in rcpts)


def test_each_client_gets_one_message_with_its_own_pdf_and_never_twice(smtp, archive: Path
                                                                       ) -> None:
    inbox = smtp(Inbox())
    result = send(archive)
    assert result.exit_code == 0, result.stderr
    assert recipients(inbox) == ["a@birch.example", "b@birch.example", "cio@acme.example",
                                 "pm@cedar.example"]
    assert len(inbox.received) == 3  # one message per client, to all of its addresses
    for _, message in inbox.received:
        client = message["Message-ID"].split(".")[1]
        assert message["Subject"] == "US Small-Cap Outlook, October 2026"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Our own headline & more" in text and "<li>" in html
        # The HTML body summarises the edition as its cover does, with the chart inline.
        summary = json.loads((archive / "out" / "2026-10" / "manifest.json").read_text()
                             )["summary"]
        assert summary["verdict"] in html and summary["verdict"] in text
        for figure in summary["figures"]:
            assert figure["value"] in html and f"{figure['label']}, {figure['period']}: " \
                f"{figure['value']}" in text
        [chart] = [p for p in message.walk() if p.get_content_type() == "image/png"]
        assert f'src="cid:{chart["Content-ID"].strip("<>")}"' in html
        assert f'alt="{summary["chart_alt"]}"' in html and summary["chart_alt"].startswith(
            "Small caps against large caps")
        assert chart.get_content().startswith(b"\x89PNG")
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename() == f"us-small-cap-outlook-2026-10-{client}.pdf"
        digest = hashlib.sha256(attachment.get_content()).hexdigest()
        assert digest == pdf_sha256(archive, client)
    birch = next(m for _, m in inbox.received if "birch" in m["Message-ID"])
    assert "Dear Birch & Co <Trust>," in birch.get_body(("plain",)).get_content()
    assert "Dear Birch &amp; Co &lt;Trust&gt;," in birch.get_body(("html",)).get_content()
    again = send(archive)
    assert again.exit_code == 0
    assert len(inbox.received) == 3
    assert again.stdout.count("already sent") == 3


def test_a_refused_recipient_is_reported_and_only_it_is_retried(smtp, archive: Path) -> None:
    inbox = smtp(Inbox(refuse={"b@birch.example"}))
    result = send(archive)
    assert result.exit_code == 1
    assert "birch: failed" in result.stdout and "b@birch.example (550" in result.stdout
    assert "1 client(s) not fully sent" in result.stderr
    assert recipients(inbox) == ["a@birch.example", "cio@acme.example", "pm@cedar.example"]
    fixed = smtp(Inbox())
    retry = send(archive)
    assert retry.exit_code == 0, retry.stdout
    assert recipients(fixed) == ["b@birch.example"]


def test_a_dropped_connection_loses_nothing_and_sends_nothing_twice(smtp, archive: Path
                                                                   ) -> None:
    inbox = smtp(Inbox(drop_on=2))
    result = send(archive)
    assert result.exit_code == 1
    assert "birch: failed" in result.stdout
    assert "acme: sent" in result.stdout and "cedar: sent" in result.stdout  # reconnected
    assert recipients(inbox) == ["cio@acme.example", "pm@cedar.example"]
    later = smtp(Inbox())
    assert send(archive).exit_code == 0
    assert recipients(later) == ["a@birch.example", "b@birch.example"]
    log = sqlite3.connect(archive / "out" / "send-log.sqlite")
    statuses = dict(log.execute("SELECT recipient, status FROM deliveries").fetchall())
    assert set(statuses.values()) == {"accepted"} and len(statuses) == 4


def test_only_and_dry_run(smtp, archive: Path) -> None:
    inbox = smtp(Inbox())
    dry = send(archive, "--dry-run")
    assert dry.exit_code == 0 and not inbox.received
    assert sorted(p.name for p in (archive / "out" / "outbox" / "2026-10").iterdir()) == [
        "acme.eml", "birch.eml", "cedar.eml"]
    assert not (archive / "out" / "send-log.sqlite").exists()
    only = send(archive, "--only", "cedar")
    assert only.exit_code == 0
    assert recipients(inbox) == ["pm@cedar.example"]
    unknown = send(archive, "--only", "zeta")
    assert unknown.exit_code == 1 and "no client with id zeta" in unknown.stderr


def test_an_unreachable_server_is_one_clear_error(archive: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTGEN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REPORTGEN_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("REPORTGEN_SMTP_SECURITY", "none")
    monkeypatch.setenv("REPORTGEN_SMTP_FROM", "outlook@ewp.example")
    result = send(archive)
    assert result.exit_code == 1
    assert "Cannot reach the mail server 127.0.0.1" in result.stderr
    assert result.stderr.count("error:") == 1


class Accounts:
    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"reports" and auth_data.password == b"s3cret-pw"
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_uses_the_environment_password_and_never_shows_it(smtp, archive: Path,
                                                                monkeypatch) -> None:
    # Loopback test server: AUTH without TLS is acceptable here, and PLAIN alone is offered.
    inbox = smtp(Inbox(), authenticator=Accounts(), auth_require_tls=False,
                 auth_required=True, auth_exclude_mechanism=["LOGIN"])
    monkeypatch.setenv("REPORTGEN_SMTP_USER", "reports")
    monkeypatch.setenv("REPORTGEN_SMTP_PASSWORD", "wrong-pw")
    refused = send(archive)
    assert refused.exit_code == 1 and "refused the login for reports" in refused.stderr
    assert "wrong-pw" not in refused.stderr + refused.stdout
    monkeypatch.setenv("REPORTGEN_SMTP_PASSWORD", "s3cret-pw")
    result = send(archive)
    assert result.exit_code == 0, result.stderr
    assert len(inbox.received) == 3
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert b"s3cret-pw" not in (archive / "out" / "send-log.sqlite").read_bytes()


def test_the_password_is_refused_in_a_config_file(archive: Path) -> None:
    config = archive / "config.yaml"
    config.write_text("smtp: {host: mail.example, password: hunter2}\n")
    result = send(archive, "--config", str(config))
    assert result.exit_code == 1
    assert "never read from a file" in result.stderr and "hunter2" not in result.stderr


def test_an_edition_without_client_copies_is_refused_before_anything_is_sent(
        smtp, tmp_path: Path, sample_data, stub_renderer: list[str]) -> None:
    inbox = smtp(Inbox())
    (tmp_path / "clients.yaml").write_text(CLIENTS)
    build_edition(sample_data, Config(), EditionRequest(out_dir=tmp_path / "out",
                                                        month=pd.Period("2026-10", "M")))
    result = send(tmp_path)
    assert result.exit_code == 1
    assert "2026-10 has no edition for client acme: build it with --clients" in result.stderr
    assert not inbox.received


def test_two_sends_at_once_deliver_each_message_once(smtp, archive: Path) -> None:
    """Two `reportgen send` processes started together (the catalogue's 14 for 7)."""
    import os
    import subprocess
    import sys

    inbox = smtp(Inbox())
    command = [sys.executable, "-m", "reportgen", "send", "--month", "2026-10", "--clients",
               str(archive / "clients.yaml"), "--out", str(archive / "out")]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=dict(os.environ)) for _ in range(2)]
    results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
    assert len(inbox.received) == 3
    assert recipients(inbox) == ["a@birch.example", "b@birch.example", "cio@acme.example",
                                 "pm@cedar.example"]
    for code, _, err in results:
        assert code == 0 or ("Another send of 2026-10 is already running" in err
                             and code == 1), err
        assert "Traceback" not in err


def test_a_lost_send_log_never_causes_a_silent_resend(smtp, archive: Path) -> None:
    inbox = smtp(Inbox())
    assert send(archive).exit_code == 0
    sent = (archive / "out" / "2026-10" / "sent.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["recipient"] for line in sent) == recipients(inbox)
    assert all(json.loads(line)["message_id"].startswith("<2026-10.") for line in sent)
    for name in ("send-log.sqlite", "send-log.sqlite-wal", "send-log.sqlite-shm"):
        (archive / "out" / name).unlink(missing_ok=True)
    again = send(archive)
    assert again.exit_code == 0 and again.stdout.count("already sent") == 3
    (archive / "out" / "send-log.sqlite").write_bytes(b"")  # emptied, not deleted
    assert send(archive).stdout.count("already sent") == 3
    assert len(inbox.received) == 3
    # The edition still verifies: its sent record is not a forged file.
    assert run_cli("archive", "verify", "--out", str(archive / "out")).exit_code == 0
    resent = send(archive, "--resend", "--only", "cedar")
    assert resent.exit_code == 0 and "cedar: sent" in resent.stdout
    assert len(inbox.received) == 4


def test_an_unreadable_send_log_is_one_line_and_sends_nothing(smtp, archive: Path) -> None:
    inbox = smtp(Inbox())
    (archive / "out" / "send-log.sqlite").write_bytes(b"this is not a database" * 100)
    result = send(archive)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "the send log cannot be used" in result.stderr
    assert not inbox.received


def test_an_attachment_that_changed_stops_the_whole_send(smtp, archive: Path) -> None:
    inbox = smtp(Inbox())
    pdf = archive / "out" / "2026-10" / "clients" / "us-small-cap-outlook-2026-10-cedar.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"%tampered\n")
    result = send(archive)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: Nothing was sent: 2026-10/clients/"
                                    "us-small-cap-outlook-2026-10-cedar.pdf: changed")
    assert not inbox.received


def test_a_deleted_client_pdf_stops_the_send_before_the_first_message(smtp, archive: Path
                                                                     ) -> None:
    inbox = smtp(Inbox())
    (archive / "out" / "2026-10" / "clients" / "us-small-cap-outlook-2026-10-cedar.pdf"
     ).unlink()
    result = send(archive)
    assert result.exit_code == 1 and "cedar.pdf: missing" in result.stderr
    assert not inbox.received


def test_a_manifest_pointing_outside_the_edition_mails_nothing(smtp, archive: Path) -> None:
    inbox = smtp(Inbox())
    (archive / "x").mkdir()
    (archive / "x" / "secret.txt").write_text("secret")
    path = archive / "out" / "2026-10" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["client_pdfs"]["cedar"] = "../../x/secret.txt"
    manifest["files"]["../../x/secret.txt"] = hashlib.sha256(b"secret").hexdigest()
    path.write_text(json.dumps(manifest))
    result = send(archive)
    assert result.exit_code == 1
    assert "2026-10/manifest.json: client_pdfs.cedar: '../../x/secret.txt' is " \
           "not a path inside the edition folder" in result.stderr
    assert "the edition is damaged" in result.stderr
    assert not inbox.received


def test_an_edited_headline_is_never_mailed(smtp, archive: Path) -> None:
    inbox = smtp(Inbox())
    path = archive / "out" / "2026-10" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["headline"] = "Sell everything"
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    result = send(archive)
    assert result.exit_code == 1
    assert "manifest.json: changed since it was published" in result.stderr
    assert not inbox.received


class CountingInbox(Inbox):
    """Counts the SMTP sessions (EHLO or HELO) opened to it."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses


def test_one_connection_serves_the_whole_batch(smtp, archive: Path) -> None:
    inbox = smtp(CountingInbox())
    assert send(archive).exit_code == 0
    assert len(inbox.received) == 3 and inbox.sessions == 1


def test_a_rate_limit_spaces_the_messages() -> None:
    """At 30 a minute, messages go out at least two seconds apart (a clock stands in for
    time, so the test does not wait)."""
    from reportgen.distribute.send import Throttle

    now, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(30, clock=lambda: now[0], sleep=sleep)
    for elapsed in (0.0, 0.5, 3.0):  # time spent on each message before the next
        throttle.wait()
        now[0] += elapsed
    assert slept == [2.0, 1.5]  # none before the first message
    throttle.wait()  # the fourth: 3 s after the third, so no wait
    assert slept == [2.0, 1.5]
    unlimited = Throttle(None, clock=lambda: now[0], sleep=sleep)
    unlimited.wait(), unlimited.wait()
    assert slept == [2.0, 1.5]


def test_the_rate_limit_comes_from_the_config_or_the_environment() -> None:
    from reportgen.config import SmtpConfig
    from reportgen.distribute.settings import smtp_settings
    from reportgen.errors import ReportgenError

    config = SmtpConfig(host="mail.example", **{"from": "o@ewp.example"}, per_minute=120)
    assert smtp_settings(config, {}).per_minute == 120
    assert smtp_settings(config, {"REPORTGEN_SMTP_PER_MINUTE": "30"}).per_minute == 30
    with pytest.raises(ReportgenError, match="PER_MINUTE='fast' is not a whole number"):
        smtp_settings(config, {"REPORTGEN_SMTP_PER_MINUTE": "fast"})
