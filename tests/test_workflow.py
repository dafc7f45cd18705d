"""The monthly workflow of the README, end to end: draft → commentary → draft again →
approve → publish → send (dry run and a real send to a local SMTP server) → a revision; and
each refusal on the way. Charts and WeasyPrint are stand-ins here (they have tests of their
own), except where a page of a real draft is read."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import CLIENTS, Inbox, pdf_text, run_cli, stub_rendering

MONTH = "2026-10"
STEM = f"us-small-cap-outlook-{MONTH}"


@pytest.fixture
def firm(tmp_path: Path) -> Path:
    (tmp_path / "clients.yaml").write_text(CLIENTS)
    return tmp_path


def cli(firm: Path, *args: str):
    return run_cli(*args, "--out", str(firm / "out"))


def build(firm: Path, *args: str):
    return cli(firm, "build", "--source", "sample", "--month", MONTH, *args)


def send(firm: Path, *args: str):
    return cli(firm, "send", "--month", MONTH, "--clients", str(firm / "clients.yaml"), *args)


def paragraphs(html: str) -> list[str]:
    return re.findall(r"<p[^>]*>(.*?)</p>", html, re.S)


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_the_monthly_workflow_from_draft_to_sent_and_revised(
        firm: Path, smtp, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_rendering(monkeypatch)
    out, draft = firm / "out", firm / "out" / "drafts" / MONTH
    first = build(firm, "--draft", "--clients", str(firm / "clients.yaml"))
    assert first.exit_code == 0, first.stderr
    assert "changed since the last draft: the first draft of this month" in first.stderr
    assert f"reportgen approve drafts/{MONTH} --by NAME" in first.stderr
    assert 'class="draft-banner"' in (draft / f"{STEM}.html").read_text()
    assert not (out / MONTH).exists() and not (out / "index.html").exists()
    refused = send(firm, "--dry-run")
    assert refused.exit_code == 1 and "has only a draft" in refused.stderr

    # The analyst writes the house view into the file `commentary init` prefills; the next
    # draft says what changed.
    notes = firm / "commentary.yaml"
    init = cli(firm, "commentary", "init", "--month", MONTH, "--file", str(notes))
    assert init.exit_code == 0, init.stderr
    notes.write_text(notes.read_text().replace('headline: ""', "headline: Patience pays")
                     .replace('  performance: ""',
                              '  performance: "We stay with quality as IWM returns {IWM.month}."'))
    second = build(firm, "--draft", "--clients", str(firm / "clients.yaml"),
                   "--commentary", str(firm / "commentary.yaml"))
    assert second.exit_code == 0, second.stderr
    assert 'changed since the last draft: headline: now "Patience pays"' in second.stderr
    assert "changed since the last draft: the commentary" in second.stderr

    unapproved = cli(firm, "publish", "--month", MONTH)
    assert unapproved.exit_code == 1 and f"drafts/{MONTH} is not approved" in unapproved.stderr
    approved = cli(firm, "approve", f"drafts/{MONTH}", "--by", "A. Principal",
                   "--note", "Read in full")
    assert approved.exit_code == 0, approved.stderr
    record = json.loads((draft / "approval.json").read_text())
    assert record["approved_by"] == "A. Principal" and record["note"] == "Read in full"
    assert set(record["files"]) == {*manifest(draft)["files"], "manifest.json"}

    # A file changed after approval is refused; a new draft needs a new approval.
    html = draft / f"{STEM}.html"
    approved_html = html.read_bytes()
    html.write_bytes(approved_html.replace(b"We stay with quality", b"We favour growth"))
    changed = cli(firm, "publish", "--month", MONTH)
    assert changed.exit_code == 1 and "changed after it was approved" in changed.stderr
    html.write_bytes(approved_html)

    published = cli(firm, "publish", "--month", MONTH)
    assert published.exit_code == 0, published.stderr
    edition = out / MONTH
    assert manifest(edition)["approval"]["approved_by"] == "A. Principal"
    assert not draft.exists()
    page = (edition / f"{STEM}.html").read_text()
    assert 'class="draft-banner"' not in page
    assert "We stay with quality as IWM returns −4.0%." in page  # the figure, filled in
    assert paragraphs(page) == [p for p in paragraphs(approved_html.decode())
                                if "DRAFT for review" not in p]  # what was approved
    assert "DRAFT" not in (edition / f"{STEM}.pdf").read_text()  # stand-in PDF: its HTML

    dry = send(firm, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    inbox = smtp(Inbox())
    sent = send(firm)
    assert sent.exit_code == 0, sent.stderr
    assert len(inbox.received) == 3
    assert {m["Subject"] for _, m in inbox.received} == {"US Small-Cap Outlook, October 2026"}

    # A revision: built as a draft, it keeps the commentary and the clients.
    revision = build(firm, "--draft", "--revision", "Corrected the October closes")
    assert revision.exit_code == 0, revision.stderr
    assert "headline: Patience pays" in (draft / "inputs" / "commentary.yaml").read_text()
    assert (draft / "inputs" / "clients.yaml").read_text() == CLIENTS
    assert cli(firm, "approve", f"drafts/{MONTH}", "--by", "B. Partner").exit_code == 0
    assert cli(firm, "publish", "--month", MONTH).exit_code == 0
    revised = out / f"{MONTH}-r2"
    label = f"Revised {datetime.now(UTC):%-d %b %Y}: Corrected the October closes"
    page = (revised / f"{STEM}.pdf").read_text()
    assert f'<p class="revised">{label}</p>' in page  # the cover
    assert label in page.split("@top-left")[1].split(";")[0]  # the running header
    inbox.received.clear()
    assert send(firm).exit_code == 0
    assert {m["Subject"] for _, m in inbox.received} == {
        f"US Small-Cap Outlook, October 2026 ({label})"}
    assert manifest(revised)["approval"]["approved_by"] == "B. Partner"


def test_send_refuses_an_unapproved_or_changed_edition_unless_approval_is_off(
        firm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_rendering(monkeypatch)
    assert build(firm, "--clients", str(firm / "clients.yaml")).exit_code == 0
    refused = send(firm, "--dry-run")
    assert refused.exit_code == 1
    assert f"{MONTH} is not approved: read it, then run `reportgen approve {MONTH}" \
        in refused.stderr
    assert cli(firm, "approve", MONTH, "--by", "A. Principal").exit_code == 0
    assert send(firm, "--dry-run").exit_code == 0
    # Approved again (a second reader): the latest approval is the one that counts.
    assert cli(firm, "approve", MONTH, "--by", "A. Principal", "--note", "again").exit_code == 0
    verify = cli(firm, "archive", "verify")
    assert verify.exit_code == 0, verify.stdout + verify.stderr
    assert send(firm, "--dry-run").exit_code == 0
    # An approval.json edited afterwards is not the approval the chain recorded.
    approval = firm / "out" / MONTH / "approval.json"
    approval.write_text(approval.read_text().replace("A. Principal", "Someone Else"))
    forged = send(firm, "--dry-run")
    assert forged.exit_code == 1 and "is not the approval recorded" in forged.stderr
    assert cli(firm, "archive", "verify").exit_code == 1
    # A firm that does not need the step switches it off.
    (firm / "no-approval.yaml").write_text("require_approval: false\n")
    assert send(firm, "--dry-run", "--config", str(firm / "no-approval.yaml")).exit_code == 0


def test_every_page_of_a_draft_says_so(firm: Path) -> None:
    result = build(firm, "--draft")
    assert result.exit_code == 0, result.stderr
    pages = pdf_text(firm / "out" / "drafts" / MONTH / f"{STEM}.pdf")
    assert len(pages) >= 8
    assert all("DRAFT — for review, not for clients" in page for page in pages[1:])
    assert "DRAFT" in pages[0].upper()  # the cover: its watermark
