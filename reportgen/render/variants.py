"""The PDF variants WeasyPrint can write; kept apart from the renderer so the command line
can name them without loading WeasyPrint."""

from __future__ import annotations

from reportgen.errors import ReportgenError

PDF_VARIANTS = ["pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/a-4",
                "pdf/ua-1", "none"]
DEFAULT_VARIANT = "pdf/a-3u"


def check_variant(variant: str) -> None:
    if variant not in PDF_VARIANTS:
        raise ReportgenError(f"--pdf-variant {variant!r}: choose one of "
                             f"{', '.join(PDF_VARIANTS)}.")
