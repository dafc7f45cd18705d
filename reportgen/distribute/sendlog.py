"""Two records of what was sent. The send log (SQLite, beside the editions): one row per
edition, client and address with every outcome, so a second ``send`` only sends what the mail
server has not yet accepted. The sent record (``sent.jsonl`` inside the edition): one line
per accepted message, the firm's record of what went out, which also stops a re-send when
the send log is lost."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from reportgen.durable import append_lines
from reportgen.errors import ReportgenError

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    edition    TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('accepted', 'refused', 'failed')),
    message_id TEXT NOT NULL,
    pdf_sha256 TEXT NOT NULL,
    detail     TEXT,
    at         TEXT NOT NULL,
    PRIMARY KEY (edition, client_id, recipient)
)
"""


@contextmanager
def _readable(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as error:
        raise ReportgenError(f"{path}: the send log cannot be used ({error}). Nothing more was "
                             "sent. Restore it from a backup, or move it aside: the "
                             "editions' sent records still stop any re-send.") from None


class SendLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        with _readable(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            # autocommit: each outcome is on disk before the next message goes out
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(SCHEMA)

    def accepted(self, edition: str, client_id: str) -> set[str]:
        with _readable(self.path):
            rows = self.db.execute(
                "SELECT recipient FROM deliveries WHERE edition = ? AND client_id = ? AND "
                "status = 'accepted'", (edition, client_id)).fetchall()
        return {row[0] for row in rows}

    def record(self, edition: str, client_id: str, recipients: list[str], status: str,
               message_id: str, pdf_sha256: str, detail: str | None = None) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with _readable(self.path):
            self._insert(edition, client_id, recipients, status, message_id, pdf_sha256,
                         detail, now)

    def _insert(self, edition: str, client_id: str, recipients: list[str], status: str,
                message_id: str, pdf_sha256: str, detail: str | None, now: str) -> None:
        self.db.executemany(
            "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (edition, "
            "client_id, recipient) DO UPDATE SET status = excluded.status, detail = "
            "excluded.detail, at = excluded.at, message_id = excluded.message_id, "
            "pdf_sha256 = excluded.pdf_sha256",
            [(edition, client_id, r, status, message_id, pdf_sha256, detail, now)
             for r in recipients])

    def close(self) -> None:
        self.db.close()


class SentRecord:
    """``sent.jsonl`` in the edition folder: a line per accepted message and address."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def accepted(self, client_id: str) -> set[str]:
        if not self.path.is_file():
            return set()
        found = set()
        for line in self.path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by a crash: the send log holds that outcome too
            if entry.get("client_id") == client_id:
                found.add(entry.get("recipient"))
        return found

    def add(self, client_id: str, recipients: list[str], message_id: str,
            pdf_sha256: str) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        lines = "".join(json.dumps({"client_id": client_id, "recipient": r,
                                    "message_id": message_id, "pdf_sha256": pdf_sha256,
                                    "at": now}) + "\n" for r in recipients)
        append_lines(self.path, lines)
