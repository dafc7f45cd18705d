"""An edition's ``manifest.json``: what was built, from what, and the SHA-256 of every file.

The manifest is read through this schema only, so a damaged or edited one is refused with a
reason rather than half-used: every path it names must stay inside the edition folder, and
every PDF it names must be among its checksummed files.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from reportgen.config import error_message
from reportgen.errors import ReportgenError

MANIFEST = "manifest.json"
SHA256 = r"^[0-9a-f]{64}$"


def _inside(path: str) -> str:
    """A relative POSIX path that cannot leave the folder it is read from."""
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or "\\" in path or any(p in ("..", ".") for p in parts):
        raise ValueError(f"{path!r} is not a path inside the edition folder")
    return path


InsidePath = Annotated[str, AfterValidator(_inside)]
Digest = Annotated[str, Field(pattern=SHA256)]


class CoverFigure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    period: str
    value: str


class Summary(BaseModel):
    """What the email says of the edition: as its cover says it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verdict: str
    figures: list[CoverFigure]
    chart: InsidePath | None  # a PNG in the edition folder
    chart_alt: str
    revised: str | None  # "Revised 22 Nov 2026: reason"


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    edition: str  # the folder name: YYYY-MM or YYYY-MM-rN
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    revision: int = Field(ge=1)
    revision_reason: str | None
    as_of: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    source: str  # the source's display label
    source_spec: str  # how it was asked for (sample, csv:DIR, yfinance)
    sample_data: bool
    built_at: str
    pdf_variant: str
    versions: dict[str, str]
    pdf: InsidePath
    html: InsidePath | None = None  # the HTML edition (editions before it had none)
    client_pdfs: dict[str, InsidePath]
    headline: str
    summary: Summary | None = None  # editions before the HTML email had none
    takeaways: list[str]
    fetched_at: dict[str, str]
    config: dict[str, Any]
    previous_edition: dict[str, Any] | None  # the key figures this edition compared against
    valuation_history: dict[str, float]
    # A draft (OUT/drafts/YYYY-MM): rebuilt at will, never sent, not in the archive's chain.
    draft: bool = False
    # The approval of the draft this edition was published from, if it was.
    approval: dict[str, Any] | None = None
    # The SHA-256 of the chain's last line when this manifest was published (None for the
    # first): each manifest vouches for what came before it, so editing an old one shows.
    previous_manifest: Digest | None
    files: dict[InsidePath, Digest]

    @model_validator(mode="after")
    def _pdfs_are_checksummed(self) -> Manifest:
        named = [self.pdf, *self.client_pdfs.values(), *([self.html] if self.html else [])]
        unlisted = [p for p in named if p not in self.files]
        if unlisted:
            raise ValueError(f"names {', '.join(unlisted)} without a checksum")
        return self


def parse_manifest(text: str, where: str) -> Manifest:
    """The manifest in ``text``; a ReportgenError naming ``where`` and the first problem."""
    try:
        return Manifest.model_validate(json.loads(text))
    except json.JSONDecodeError as error:
        raise ReportgenError(f"{where}: not valid JSON ({error.msg}, line {error.lineno})"
                             ) from None
    except ValidationError as error:
        first = error.errors()[0]
        place = ".".join(str(p) for p in first["loc"])
        raise ReportgenError(f"{where}: {place + ': ' if place else ''}{error_message(first)}"
                             ) from None


def manifest_text(manifest: Manifest) -> str:
    return json.dumps(manifest.model_dump(mode="json"), indent=1, ensure_ascii=False)
