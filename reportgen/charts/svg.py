"""matplotlib's SVG, made simpler for a renderer to draw, drawing the same picture."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Anything that may name an element: url(#id), href="#id", a selector in a <style>. It also
# catches colours (#2e7d32); a group kept for that reason is only a group not removed.
REFERENCE = re.compile(r"#([\w.:-]+)")
# matplotlib's SVG gives its size in points on the root element.
SVG_SIZE = re.compile(rb'<svg\b[^>]*?\swidth="(\d+(?:\.\d+)?pt)"\s+height="(\d+(?:\.\d+)?pt)"')


def svg_size(svg: bytes) -> tuple[str, str]:
    """The picture's width and height, as its SVG gives them ("468.75pt")."""
    found = SVG_SIZE.search(svg)
    if found is None:
        raise ValueError("an SVG gives no width and height in points")
    return found[1].decode(), found[2].decode()


def points(inches: float) -> str:
    """A length in inches as matplotlib's SVG gives it, in points ("468.75pt"): so a chart's
    size is known before its SVG is written."""
    return f"{inches * 72:f}".rstrip("0").rstrip(".") + "pt"


def without_bare_groups(svg: bytes) -> bytes:
    """The SVG with each group that has nothing but an id, named nowhere else, replaced by
    its children. matplotlib wraps every artist (each line, tick and label) in such a group,
    and WeasyPrint saves and restores its drawing state for each: about a tenth of the time
    it takes to write an edition's PDF (0.80 → 0.71 s). Such a group has no style, transform
    or clip to pass on, so its children draw the same without it.

    Written with SVG's namespace declared as a plain attribute and SVG 2's ``href`` for
    ``xlink:href``, so that no prefix comes from ElementTree's process-wide table of them:
    the bytes are the same in every process, whatever else it has imported."""
    referenced = set(REFERENCE.findall(svg.decode("utf-8")))
    root = ET.fromstring(svg)
    _unwrap_bare_groups(root, referenced)
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{SVG}}}")
        if XLINK_HREF in element.attrib:
            element.set("href", element.attrib.pop(XLINK_HREF))
    root.set("xmlns", SVG)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _unwrap_bare_groups(parent: ET.Element, referenced: set[str]) -> None:
    children: list[ET.Element] = []
    for child in parent:
        _unwrap_bare_groups(child, referenced)
        bare = (child.tag == f"{{{SVG}}}g" and child.keys() == ["id"]
                and child.get("id") not in referenced)
        children.extend(child if bare else [child])
    parent[:] = children
