"""Rebuild an archived edition from its own snapshot and recorded inputs, with no network,
and compare what comes out with what was published."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from reportgen.archive.editions import Edition, sha256
from reportgen.archive.publish import package_versions
from reportgen.archive.snapshot import read_snapshot
from reportgen.config import Config
from reportgen.render import changes
from reportgen.render.edition import INPUTS, EditionRequest, build_edition


@dataclass(frozen=True)
class RebuildReport:
    folder: Path  # where the rebuilt edition was written
    figures_match: bool
    pdfs: dict[str, bool]  # archived PDF name → byte-identical
    versions_differ: dict[str, tuple[str, str]]  # package → (archived, installed)


def _input(edition: Edition, prefix: str) -> Path | None:
    found = sorted((edition.folder / INPUTS).glob(f"{prefix}*"))
    return found[0] if found else None


def rebuild(edition: Edition, into: Path) -> RebuildReport:
    manifest = edition.manifest
    data = read_snapshot(edition.folder, manifest["source"], manifest["sample_data"],
                         manifest["fetched_at"])
    request = EditionRequest(
        out_dir=into, source_spec=manifest["source_spec"], month=pd.Period(manifest["month"]),
        as_of=pd.Timestamp(manifest["as_of"]), variant=manifest["pdf_variant"],
        commentary=_input(edition, "commentary"), clients=_input(edition, "clients"),
        created=datetime.fromisoformat(manifest["built_at"]),
        previous=changes.from_dict(manifest["previous_edition"]),
        valuation_history={pd.Timestamp(d): v for d, v in manifest["valuation_history"].items()},
        name=edition.name)
    built = build_edition(data, Config.model_validate(manifest["config"]), request)
    archived_figures = json.loads((edition.folder / changes.FIGURES_FILE).read_text())
    rebuilt_figures = json.loads((built.folder / changes.FIGURES_FILE).read_text())
    pdf_names = [manifest["pdf"], *manifest["client_pdfs"].values()]
    installed = package_versions()
    return RebuildReport(
        folder=built.folder,
        figures_match=archived_figures == rebuilt_figures,
        pdfs={name: sha256(built.folder / name) == manifest["files"][name] for name in pdf_names},
        versions_differ={k: (v, installed.get(k, "?")) for k, v in manifest["versions"].items()
                         if installed.get(k) != v},
    )
