"""The send log: one row per edition, client and address, so a second ``send`` only sends
what the mail server has not yet accepted."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

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


class SendLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit: each outcome is on disk before the next message goes out
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(SCHEMA)

    def accepted(self, edition: str, client_id: str) -> set[str]:
        rows = self.db.execute(
            "SELECT recipient FROM deliveries WHERE edition = ? AND client_id = ? AND status = "
            "'accepted'", (edition, client_id))
        return {row[0] for row in rows}

    def record(self, edition: str, client_id: str, recipients: list[str], status: str,
               message_id: str, pdf_sha256: str, detail: str | None = None) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self.db.executemany(
            "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (edition, "
            "client_id, recipient) DO UPDATE SET status = excluded.status, detail = "
            "excluded.detail, at = excluded.at, message_id = excluded.message_id, "
            "pdf_sha256 = excluded.pdf_sha256",
            [(edition, client_id, r, status, message_id, pdf_sha256, detail, now)
             for r in recipients])

    def close(self) -> None:
        self.db.close()
