"""The archive's chain of manifests: ``chain.jsonl``, one line per published edition, in the
order they were published, each with the SHA-256 of its manifest and of the line before.
An approval of a published edition is a line too, with the SHA-256 of its ``approval.json``.

Each manifest also records the previous manifest's SHA-256, so changing any manifest breaks
either its own line or the next edition's record of it. (Rewriting the whole archive, chain
included, is not detectable from inside it: ``verify`` prints the chain's head so a firm can
keep that one hash elsewhere.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from reportgen.durable import append_lines
from reportgen.errors import ReportgenError

CHAIN = "chain.jsonl"


@dataclass(frozen=True)
class Link:
    edition: str
    sha256: str  # of the edition's manifest, or of its approval
    previous: str | None
    kind: str = "manifest"  # or "approval"


def read_chain(out_dir: Path) -> list[Link]:
    path = out_dir / CHAIN
    if not path.is_file():
        return []
    links = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            raw = json.loads(line)
            kind = "approval" if "approval_sha256" in raw else "manifest"
            links.append(Link(raw["edition"], raw[f"{kind}_sha256"], raw["previous"], kind))
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ReportgenError(f"{path}: line {number} is damaged; the archive's chain "
                                 "cannot be read (see docs/faults.md).") from None
    return links


def head(links: list[Link]) -> str | None:
    return links[-1].sha256 if links else None


def append(out_dir: Path, link: Link) -> None:
    """One line, flushed to disk before the caller goes on."""
    line = json.dumps({"edition": link.edition, f"{link.kind}_sha256": link.sha256,
                       "previous": link.previous}) + "\n"
    append_lines(out_dir / CHAIN, line)


def chain_problems(links: list[Link], manifests: dict[str, str],
                   recorded_previous: dict[str, str | None],
                   approvals: dict[str, str]) -> list[str]:
    """What is wrong between the chain and the editions on disk. ``manifests`` maps each
    readable edition to its manifest's SHA-256; ``recorded_previous`` to the chain's head
    that its manifest records; ``approvals`` to its approval's SHA-256, if approved."""
    problems, previous = [], None
    # An edition approved again: its latest approval line is the one its file must match.
    latest_approval = {link.edition: link for link in links if link.kind == "approval"}
    for link in links:
        if link.previous != previous:
            problems.append(f"{CHAIN}: the line for {link.edition} does not follow the line "
                            "before it: the chain was edited.")
        previous = link.sha256
        if link.kind == "approval":
            if latest_approval[link.edition] is link and approvals.get(link.edition) != link.sha256:
                problems.append(f"{link.edition}/approval.json: missing or changed since the "
                                "approval was recorded in the archive's chain.")
            continue
        if link.edition not in manifests:
            problems.append(f"{link.edition}: published (in {CHAIN}) but its folder or "
                            "manifest is missing.")
        elif manifests[link.edition] != link.sha256:
            problems.append(f"{link.edition}/manifest.json: changed since it was published "
                            "(its SHA-256 differs from the archive's chain).")
        elif recorded_previous[link.edition] != link.previous:
            problems.append(f"{link.edition}/manifest.json: records another previous edition "
                            "than the archive's chain.")
    chained = {link.edition for link in links if link.kind == "manifest"}
    problems += [f"{name}/approval.json: not recorded in the archive's chain ({CHAIN})."
                 for name in sorted(set(approvals) - {link.edition for link in links
                                                      if link.kind == "approval"})]
    problems += [f"{name}: not in the archive's chain ({CHAIN}); it was not published by "
                 "reportgen, or the chain was cut." for name in sorted(set(manifests) - chained)]
    return problems
