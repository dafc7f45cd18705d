"""The charts drawn into an edition's PDF beside its layout, not by it.

WeasyPrint draws an SVG chart as it writes the page the chart is on, letter by letter: about
a third of the time it takes to render an edition, all of it on one core. So the edition is
laid out and written with a stand-in in each chart's place: an SVG of the chart's size that
holds one small image, marked with the chart's name. Meanwhile librsvg's ``rsvg-convert``
draws the charts themselves as the pages of a PDF of their own (in a process of its own,
begun as soon as the charts are encoded, which the chart helpers do while the edition is
laid out: a tenth of a second for an edition's sixteen charts, where WeasyPrint took two
CPU-seconds), and each stand-in's image is then replaced by its chart's
page, as a form XObject drawn in the same box (pikepdf). The stand-in has the chart's size,
so the edition is laid out exactly as it would be with the chart. librsvg finds the same
fonts (Inter, through fontconfig, as WeasyPrint does), draws the lines and shapes pixel for
pixel as WeasyPrint would (tested), and sets each label as a whole, with the font's kerning,
as matplotlib measures it (WeasyPrint set it letter by letter).

A client's own pages are drawn by librsvg too (``render/drawn.py``), with no layout to
stand in for: they are laid over the body's pages (``render/personalise.py``).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from pathlib import Path

import pikepdf
from PIL import Image

from reportgen.errors import ReportgenError
from reportgen.templating import data_uri

RSVG_CONVERT = "rsvg-convert"  # librsvg's command (Debian: librsvg2-bin)
# The marker: the first 24 bytes of the SHA-256 of what the stand-in stands for (a chart's
# name, a drawing's SVG), as the pixels of an 8 × 1 image.
MARKER_SIZE = (8, 1)
MARKER_BYTES = 24


def marker(key: bytes) -> bytes:
    """The pixels that mark the stand-in of what ``key`` names."""
    return hashlib.sha256(key).digest()[:MARKER_BYTES]


def stand_in_uri(key: bytes, width: str, height: str) -> str:
    """A ``data:`` URI of a stand-in: an SVG of the given size ("468.75pt") filled by the
    marker of ``key``, which names what is placed over it (``with_charts``)."""
    png = io.BytesIO()
    Image.frombytes("RGB", MARKER_SIZE, marker(key)).save(png, "PNG")
    w, h = width.removesuffix("pt"), height.removesuffix("pt")
    stand_in = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'viewBox="0 0 {w} {h}"><image width="{w}" height="{h}" '
                f'preserveAspectRatio="none" href="{data_uri("image/png", png.getvalue())}"/>'
                f'</svg>')
    return data_uri("image/svg+xml", stand_in.encode())


@cache
def librsvg_version() -> str:
    """The version of librsvg that draws the charts ("2.54.7"), which their bytes depend
    on, as they depend on WeasyPrint's."""
    command = shutil.which(RSVG_CONVERT)
    if command is None:
        return "not installed"
    said = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
    return said.stdout.split()[-1] if said.returncode == 0 and said.stdout else "unknown"


def rsvg_convert() -> str:
    """Where librsvg's command is, which draws the PDF's charts and clients' pages; else a
    one-line error that says what to install (a build asks as it begins, before it loads or fetches
    data)."""
    command = shutil.which(RSVG_CONVERT)
    if command is None:
        raise ReportgenError(f"{RSVG_CONVERT} was not found, and it draws the PDF's charts "
                             "and clients' pages: install librsvg (Debian and Ubuntu: apt-get "
                             "install librsvg2-bin; macOS: brew install librsvg) and build "
                             "again.")
    return command


@contextmanager
def placed(keys: Sequence[bytes], svgs: Callable[[], Sequence[bytes]],
           fonts_config: str | None = None) -> Iterator[Callable[[bytes], bytes]]:
    """A function that places pictures into a PDF laid out with their stand-ins, marked by
    ``keys`` (``stand_in_uri``): their SVGs, in the same order, from ``svgs`` (which may
    wait for them to be drawn), drawn as pages by librsvg (``chart_pages``) while this
    process lays the PDF out."""
    if not keys:
        yield lambda pdf: pdf
        return
    with svg_pages(svgs, fonts_config) as pages:
        yield lambda pdf: with_charts(pdf, pages(), keys)


@contextmanager
def svg_pages(svgs: Callable[[], Sequence[bytes]], fonts_config: str | None = None
              ) -> Iterator[Callable[[], bytes]]:
    """A function that gives the SVGs ``svgs`` gives as the pages of one PDF, each page the
    picture's size (one document, so that they share their fonts), drawn by
    ``rsvg-convert``: a thread asks for the SVGs at once and starts it as soon as they are
    there. The function waits for it the first time, and gives the same bytes each time. A
    build that stops ends it, and does not wait for the SVGs. ``fonts_config``: a
    fontconfig file for it to find its fonts by, in place of the system's."""
    command = rsvg_convert()
    stopping = threading.Event()
    started: list[subprocess.Popen[bytes]] = []
    lock = threading.Lock()  # so that no process starts once the build is stopping

    with tempfile.TemporaryDirectory(prefix="reportgen-charts-") as folder:
        def draw() -> bytes:
            pictures = svgs()
            paths = [Path(folder, f"{n}.svg") for n in range(len(pictures))]
            # cairo dates the PDF it writes, to the second, unless told a date: the same
            # charts are then drawn as the same bytes, whenever (the date never reaches the
            # edition).
            env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
            # To a file, not a pipe, which it would fill and wait on until read.
            output = Path(folder, "charts.pdf")
            with lock:
                if stopping.is_set():
                    raise ReportgenError("the build stopped before its charts were drawn")
                for path, svg in zip(paths, pictures, strict=True):
                    path.write_bytes(svg)
                if fonts_config is not None:
                    Path(folder, "fonts.conf").write_text(fonts_config)
                    env["FONTCONFIG_FILE"] = str(Path(folder, "fonts.conf"))
                drawing = subprocess.Popen(
                    [command, "--format", "pdf", "--output", output, *paths],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
                started.append(drawing)
            _, errors = drawing.communicate()
            if drawing.returncode != 0:
                raise ReportgenError(f"{RSVG_CONVERT} could not draw the PDF's charts or "
                                     f"clients' pages ({errors.decode(errors='replace').strip()}); "
                                     "nothing was published.")
            return output.read_bytes()

        thread = ThreadPoolExecutor(1, thread_name_prefix="reportgen-chart-pages")
        pages = thread.submit(draw)
        try:
            yield pages.result
        finally:
            with lock:
                stopping.set()
                for drawing in started:
                    drawing.kill()  # at once, if the build stopped; else it has ended
            # Not waited for: a build that stops may still be waiting for its SVGs, which
            # then never come (the charts' helpers end with the build).
            thread.shutdown(wait=False)


def with_charts(pdf: bytes, chart_pages: bytes, keys: Sequence[bytes]) -> bytes:
    """``pdf`` with each stand-in replaced by its picture's page in ``chart_pages`` (the
    pictures ``keys`` name, in that order: the first pages; a picture the PDF does not show,
    and any page after them, is left out). An image XObject is drawn in the unit square;
    the picture's form maps its page onto that square, so it fills the stand-in's box."""
    page_of = {marker(key): n for n, key in enumerate(keys)}
    with pikepdf.open(io.BytesIO(pdf)) as edition, opened_drawings(chart_pages) as charts:
        # Each page of the PDF carries only what it draws, before the forms join its
        # resources: WeasyPrint gives every page one dictionary, and a form in a dictionary
        # that forty pages share is read forty times when those pages are trimmed later (a
        # client batch's splice: 20 → 240 ms a batch of 20 portfolio pages).
        edition.remove_unreferenced_resources()
        forms: dict[int, pikepdf.Object] = {}
        for xobjects in _xobject_dictionaries(edition):
            # A dictionary shared by several pages is seen again: its stand-ins are forms by
            # then, which are not markers.
            for name, xobject in list(xobjects.items()):
                n = page_of.get(_marker_of(xobject) or b"")
                if n is None:
                    continue
                if n not in forms:
                    forms[n] = edition.copy_foreign(_unit_form(charts.pages[n]))
                xobjects[name] = forms[n]
        buffer = io.BytesIO()
        # Its XMP metadata names no PDF version: fixing it would only re-serialise it.
        edition.save(buffer, deterministic_id=True, fix_metadata_version=False)
    return buffer.getvalue()


@contextmanager
def opened_drawings(pdf: bytes) -> Iterator[pikepdf.Pdf]:
    """librsvg's PDF of drawings, ready to be drawn from: each page, as a form, carries only
    what it draws, and each font the list of its glyphs (``_list_glyphs``)."""
    with pikepdf.open(io.BytesIO(pdf)) as drawings:
        drawings.remove_unreferenced_resources()
        _list_glyphs(drawings)
        yield drawings


def drawn_form(page: pikepdf.Page) -> pikepdf.Object:
    """A page of drawings as a form XObject, at its own size."""
    form = page.as_form_xobject()
    # cairo makes each page a transparency group, which PDF/A-1 forbids. The drawings are
    # drawn in the normal blend mode, in which a group composites as its contents would.
    if "/Group" in form:
        del form.Group
    return form


def _list_glyphs(pdf: pikepdf.Pdf) -> None:
    """Gives each font the list of the glyphs it holds, which PDF/A-1 asks of every subset
    font (and later PDF/A parts allow): a CID font's as a bit for each CID it has (its
    ``CIDSet``), a simple font's as their names (its ``CharSet``). librsvg's subsets are
    compact font format programs, which name their glyphs or CIDs (fontTools reads them)."""
    # Imported here, not with this module: a build imports it before its charts are drawn,
    # and fontTools (0.07 s) is then imported with WeasyPrint, while the charts are drawn.
    from fontTools.cffLib import CFFFontSet

    for font in pdf.objects:
        if not (isinstance(font, pikepdf.Dictionary) and "/FontFile3" in font):
            continue
        program = CFFFontSet()
        program.decompile(io.BytesIO(font.FontFile3.read_bytes()), None)
        glyphs = program[program.fontNames[0]].charset
        if font.FontFile3.get("/Subtype") == pikepdf.Name.CIDFontType0C:
            cids = [0, *(int(name.removeprefix("cid")) for name in glyphs[1:])]
            bits = bytearray(max(cids) // 8 + 1)
            for cid in cids:
                bits[cid // 8] |= 0x80 >> cid % 8
            font.CIDSet = pikepdf.Stream(pdf, bytes(bits))
        else:
            font.CharSet = pikepdf.String("".join(f"/{name}" for name in glyphs[1:]))


def _xobject_dictionaries(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    """The XObject dictionary of each page's resources."""
    return [page.obj.Resources.XObject for page in pdf.pages
            if "/Resources" in page.obj and "/XObject" in page.obj.Resources]


def _marker_of(xobject: pikepdf.Object) -> bytes | None:
    """The pixels of an image the size of a marker (None for any other XObject)."""
    if (not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != pikepdf.Name.Image
            or (xobject.get("/Width"), xobject.get("/Height")) != MARKER_SIZE):
        return None
    return pikepdf.PdfImage(xobject).as_pil_image().convert("RGB").tobytes()


def _unit_form(page: pikepdf.Page) -> pikepdf.Object:
    """The page as a form XObject drawn in the unit square, like an image."""
    form = drawn_form(page)
    left, bottom, right, top = (Decimal(str(v)) for v in page.mediabox)
    # pikepdf writes a float with six decimals: too few for 1/width. A Decimal it writes as is.
    form.Matrix = pikepdf.Array([1 / (right - left), 0, 0, 1 / (top - bottom),
                                 -left / (right - left), -bottom / (top - bottom)])
    return form
