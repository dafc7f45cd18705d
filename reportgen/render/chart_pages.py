"""The charts drawn into an edition's PDF beside its layout, not by it.

WeasyPrint draws an SVG chart as it writes the page the chart is on, letter by letter: about
a third of the time it takes to render an edition, all of it on one core. So the edition is
laid out and written with a stand-in in each chart's place: an SVG of the chart's size that
holds one small image, marked with the chart's digest. Meanwhile the charts themselves are
drawn by WeasyPrint as the pages of a document of their own (in a helper process, on the
other core: see ``edition.py``), and each stand-in's image is then replaced by its chart's
page, as a form XObject drawn in the same box (pikepdf). The stand-in has the chart's size,
so the edition is laid out exactly as it would be with the chart; and the chart's page is
drawn by the same code from the same SVG, so it looks the same.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from decimal import Decimal

import pikepdf
from PIL import Image

from reportgen.templating import data_uri, render_template

CHART_PAGES_TEMPLATE = "chart_pages.html.j2"
# The marker: the first 24 bytes of the chart's SHA-256, as the pixels of an 8 × 1 image.
MARKER_SIZE = (8, 1)
MARKER_BYTES = 24
# matplotlib's SVG gives its size in points on the root element.
SVG_SIZE = re.compile(rb'<svg\b[^>]*?\swidth="(\d+(?:\.\d+)?pt)"\s+height="(\d+(?:\.\d+)?pt)"')


def svg_size(svg: bytes) -> tuple[str, str]:
    """The chart's width and height, as its SVG gives them ("468.75pt")."""
    found = SVG_SIZE.search(svg)
    if found is None:
        raise ValueError("a chart's SVG gives no width and height in points")
    return found[1].decode(), found[2].decode()


def marker(svg: bytes) -> bytes:
    """The pixels that mark this chart's stand-in."""
    return hashlib.sha256(svg).digest()[:MARKER_BYTES]


def stand_in_uri(svg: bytes) -> str:
    """A ``data:`` URI of the chart's stand-in: an SVG of its size filled by its marker."""
    png = io.BytesIO()
    Image.frombytes("RGB", MARKER_SIZE, marker(svg)).save(png, "PNG")
    width, height = svg_size(svg)
    w, h = width.removesuffix("pt"), height.removesuffix("pt")
    stand_in = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'viewBox="0 0 {w} {h}"><image width="{w}" height="{h}" '
                f'preserveAspectRatio="none" href="{data_uri("image/png", png.getvalue())}"/>'
                f'</svg>')
    return data_uri("image/svg+xml", stand_in.encode())


def chart_pages_pdf(svgs: Sequence[bytes], pdf_version: str | None) -> bytes:
    """The charts as the pages of one PDF, each page the chart's size: one document, so
    that the charts share their fonts. Untagged, whatever the edition's variant (a chart's
    page is drawn inside the edition's own tag for it), in the edition's PDF version (a
    PDF/A-1 font lists the glyphs it holds)."""
    from reportgen.render.pdf import render_document  # WeasyPrint: see render/pdf.py

    charts = [dict(zip(("width", "height"), svg_size(svg), strict=True))
              | {"uri": data_uri("image/svg+xml", svg)}
              for svg in svgs]
    html = render_template(CHART_PAGES_TEMPLATE, {"charts": charts})
    return render_document(html, variant="none", pdf_version=pdf_version).pdf


def with_charts(pdf: bytes, chart_pages: bytes, svgs: Sequence[bytes]) -> bytes:
    """``pdf`` with each chart's stand-in replaced by the chart's page in ``chart_pages``
    (drawn from ``svgs``, in that order); a chart the PDF does not show is left out. An
    image XObject is drawn in the unit square; the chart's form maps its page onto that
    square, so it fills the stand-in's box."""
    page_of = {marker(svg): n for n, svg in enumerate(svgs)}
    with pikepdf.open(io.BytesIO(pdf)) as edition, \
            pikepdf.open(io.BytesIO(chart_pages)) as charts:
        charts.remove_unreferenced_resources()  # each form carries only what it draws
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


def _xobject_dictionaries(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    """The XObject dictionary of each page's resources (WeasyPrint gives every page the
    same one)."""
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
    form = page.as_form_xobject()
    left, bottom, right, top = (Decimal(str(v)) for v in page.mediabox)
    # pikepdf writes a float with six decimals: too few for 1/width. A Decimal it writes as is.
    form.Matrix = pikepdf.Array([1 / (right - left), 0, 0, 1 / (top - bottom),
                                 -left / (right - left), -bottom / (top - bottom)])
    return form
