"""HTML to PDF with WeasyPrint, reading only project assets.

The renderer's URL fetcher allows ``data:`` URLs (the charts) and files inside the template
folder or the firm's asset folder; anything else (http, https, other files) is refused and
named, whatever a template or a commentary file asks for. A file URL is decoded the way the
reader would decode it, and symlinks resolved, before the check; what is then read is the
checked path itself, so no encoding can lead the reader somewhere the check did not look.

Importing this module imports WeasyPrint, about a second's work. So the modules a build
imports before its charts are drawn import it only where they render, and the build imports
it while helper processes draw the charts, when it would otherwise wait (``edition.py``).
"""

from __future__ import annotations

import ctypes.util
import multiprocessing.util
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from reportgen.quiet import captured_logs
from reportgen.render.variants import DEFAULT_VARIANT, check_variant
from reportgen.templating import TEMPLATES_DIR


@contextmanager
def _libraries_found_by_file_name() -> Iterator[None]:
    """On Linux, ``ctypes.util.find_library`` finds nothing meanwhile. WeasyPrint 70 asks
    cffi for each of its C libraries by its Windows and macOS names before its Linux file
    name ("libpango-1.0.so.0"), and cffi asks find_library about every name it cannot load,
    which on Linux runs ldconfig, then gcc, then ld, in turn (WeasyPrint issue #1125): a
    third of a second of each process that imports WeasyPrint. The file names, which come
    later in its lists, the dynamic loader finds itself, as it finds what find_library
    names."""
    if not sys.platform.startswith("linux"):
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = find_library


with _libraries_found_by_file_name():
    from weasyprint import HTML
    from weasyprint.pdf import VARIANTS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher


class RefusedURL(ValueError):
    pass


class ProjectAssetFetcher(URLFetcher):
    """Fetches ``data:`` URLs and files under the allowed folders; refuses everything else."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols={"data", "file"})
        self.allowed = [folder.resolve() for folder in allowed]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> Any:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.confined_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"not one of the project's assets: {url}")
        return super().fetch(path.as_uri(), headers)

    def confined_path(self, url: str) -> Path | None:
        """The file ``url`` names, if it lies inside an allowed folder once decoded and
        with symlinks resolved; None otherwise (other schemes, hosts, double encoding)."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        decoded = unquote(parts.path)
        if "%" in decoded or "\x00" in decoded:  # encoded twice, or a NUL: never an asset
            return None
        path = Path(decoded).resolve()
        inside = any(path.is_relative_to(folder) for folder in self.allowed)
        return path if inside and path.is_file() else None


@cache
def _fonts() -> FontConfiguration:
    """One font configuration for every document this process lays out: a new one per
    document (WeasyPrint's default) leaves ~0.25 MiB of fontconfig and Pango state behind,
    and loads fonts.css's faces again. Every document has the same faces, so what one adds
    cannot change the next one's fonts."""
    fonts = FontConfiguration()
    # At exit (multiprocessing's exit hook, which also runs in pool processes), removed
    # with the folder where WeasyPrint keeps fonts.css's faces (0.8 MB).
    multiprocessing.util.Finalize(None, _forget_fonts, args=(fonts,), exitpriority=0)
    return fonts


def _forget_fonts(fonts: FontConfiguration) -> None:
    """Removes the configuration's font folder, which WeasyPrint removes only when the
    configuration is collected: never, in a process that ends without collecting its
    reference cycles (``processes.end_without_collecting``), so every process that laid
    out a document left 0.8 MB in the temporary folder (157 folders after an hour of
    builds)."""
    folder = getattr(fonts, "_folder", None)  # WeasyPrint's own, removed in its __del__
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    _fonts.cache_clear()


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    # The ids of the elements on each page, page by page, with where each element starts
    # (its box: left, top, right, bottom, in CSS px from the page's top-left).
    page_anchors: list[dict[str, tuple[float, ...]]]
    refused: list[str]  # the URLs the renderer refused to fetch


def render_document(html: str, *, templates_dir: Path = TEMPLATES_DIR,
                    assets_dir: Path | None = None, variant: str = DEFAULT_VARIANT,
                    identifier: bytes | None = None, pdf_version: str | None = None
                    ) -> Rendered:
    """``html`` laid out and written as a PDF of ``variant`` (``pdf_version``: a plain
    PDF's version, for variant "none")."""
    check_variant(variant)
    fetcher = ProjectAssetFetcher([templates_dir, *([assets_dir] if assets_dir else [])])
    with captured_logs("weasyprint", "fontTools"):
        document = HTML(string=html, base_url=str(templates_dir) + "/",
                        url_fetcher=fetcher).render(font_config=_fonts())
        # Fonts are subset. With libharfbuzz-subset0 installed (.ci/run does) this is fast;
        # embedding whole fonts instead loses the Unicode map of Inter's tabular figures, so
        # the PDF's digits could not be searched, copied or read aloud.
        pdf = document.write_pdf(pdf_variant=None if variant == "none" else variant,
                                 pdf_version=pdf_version, pdf_identifier=identifier,
                                 custom_metadata=True)
    return Rendered(pdf, [dict(page.anchors) for page in document.pages], fetcher.refused)


def pdf_version_of(variant: str) -> str | None:
    """The PDF version WeasyPrint writes ``variant`` in (None: its default)."""
    return None if variant == "none" else VARIANTS[variant][1]["pdf_version"]


def render_pdf(html: str, **options: Any) -> tuple[bytes, list[str]]:
    """The PDF bytes, and the URLs the renderer refused to fetch (options as
    ``render_document``'s)."""
    rendered = render_document(html, **options)
    return rendered.pdf, rendered.refused
