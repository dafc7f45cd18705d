"""A client's portfolio page's table and bars, drawn as SVG, which librsvg draws into the
PDF as it draws the charts (``render/chart_pages.py``), in the places WeasyPrint laid out
for them.

Why not HTML: WeasyPrint spends about a millisecond of CPU on each table cell (its styles,
its line, its glyphs), and a portfolio page's table has some sixty cells and its bars a
dozen: most of the time a client's own pages took. A batch of 20 clients measured 160 ms a
client with the table as HTML, 72 ms with it as an image of its size; the bars as HTML were
another 17 to 34 ms a client. librsvg draws both in about 10 ms.

They look as the stylesheet's ``table.figures`` and ``.contribution`` did: sizes, padding,
rules and colours are restated here from ``report.css`` (laid over the HTML table it
replaced, at 150 dpi, the drawn table's rows and figures fell within a pixel of it). Their
text is text: Inter from the project's font files, with tabular figures
(``FONTS_CONFIG``), so the PDF's figures can be searched, copied and read aloud. A table too
long for a page is drawn in parts, each with its header row, each an image of its own, so
that the PDF can turn the page between two rows, as it would in an HTML table.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportgen.charts.palette import HOUSE
from reportgen.templating import TEMPLATES_DIR

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

FONTS = TEMPLATES_DIR / "fonts"
FAMILY = "Inter Figures"  # as in fonts.css: the project's Inter, with tabular figures
# Where the system's fontconfig configuration may be: Debian and most Linux, Homebrew on
# Apple silicon and on Intel, and any the environment names.
SYSTEM_FONTS_CONFIGS = [os.environ.get("FONTCONFIG_FILE", ""), "/etc/fonts/fonts.conf",
                        "/opt/homebrew/etc/fonts/fonts.conf", "/usr/local/etc/fonts/fonts.conf"]
# fontconfig for the process that draws tables (``chart_pages``'s ``fonts_config``): the
# system's configuration (for the fallback fonts of names in other scripts), and the
# project's Inter files under the family FAMILY, with tabular figures (a feature fontconfig
# hands to Pango, as WeasyPrint does for fonts.css).
_INCLUDES = "".join(f'  <include ignore_missing="yes">{escape(path)}</include>\n'
                    for path in SYSTEM_FONTS_CONFIGS if path)
FONTS_CONFIG = f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
{_INCLUDES}  <dir>{escape(str(FONTS))}</dir>
  <match target="scan">
    <test name="file" compare="contains"><string>{escape(str(FONTS))}/</string></test>
    <edit name="family" mode="prepend"><string>{FAMILY}</string></edit>
  </match>
  <match target="font">
    <test name="family" compare="eq"><string>{FAMILY}</string></test>
    <edit name="fontfeatures" mode="append"><string>tnum on</string></edit>
  </match>
</fontconfig>
"""

PT_PER_MM = 72 / 25.4
# report.css, table.figures (and .contribution): 8.3 pt text on lines 1.45 times as tall;
# cells padded 1.5 mm at the sides, 1 mm above and below in the header and 0.75 mm in the
# body; a 0.8 pt ink rule under the header (and over a total), a 0.4 pt rule under each row.
FONT_SIZE = 8.3
LINE_HEIGHT = 1.45 * FONT_SIZE
PAD_X, PAD_Y_HEADER, PAD_Y = 1.5 * PT_PER_MM, 1.0 * PT_PER_MM, 0.75 * PT_PER_MM
HEAVY_RULE, LIGHT_RULE = 0.8, 0.4
# The tallest a part may be: it fits under the page's heading and finding, which leave some
# 210 mm of the text column on A4 and on Letter.
PART_HEIGHT = 150 * PT_PER_MM
REGULAR, SEMIBOLD = 400, 600


@dataclass(frozen=True)
class Column:
    heading: str
    width: float | None  # mm, with the cells' padding; None: what the other columns leave
    numeric: bool = True  # numbers are set flush right, text flush left


@dataclass(frozen=True)
class Cell:
    text: str
    weight: int = REGULAR
    colour: str = "ink"  # a house colour's name (charts/palette.py)


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    rule_above: bool = False  # a total's heavy rule, drawn under the row before


def drawn_table(columns: Sequence[Column], rows: Sequence[Row], width: float) -> list[bytes]:
    """The table, ``width`` mm wide, as SVG: one part, or several if it is taller than
    ``PART_HEIGHT``, each with the header row. A cell's text too long for its column wraps
    onto more lines, between words (within a word if one is too long), as in the HTML."""
    edges = _column_edges(columns, width * PT_PER_MM)
    header = _laid_out(Row(tuple(Cell(c.heading, SEMIBOLD, "secondary") for c in columns)),
                       columns, edges, header=True)
    parts: list[list[_LaidRow]] = [[]]
    for row in rows:
        laid = _laid_out(row, columns, edges)
        height = header.height + sum(r.height for r in parts[-1])
        if parts[-1] and height + laid.height > PART_HEIGHT:
            parts.append([])
        parts[-1].append(laid)
    return [_svg(columns, edges, header, part) for part in parts]


@dataclass(frozen=True)
class _LaidRow:
    row: Row
    lines: tuple[tuple[str, ...], ...]  # each cell's lines
    padding: float  # above and below its lines
    rule: float  # the rule under it

    @property
    def height(self) -> float:
        return 2 * self.padding + LINE_HEIGHT * max(len(lines) for lines in self.lines) + self.rule


def _column_edges(columns: Sequence[Column], width: float) -> list[tuple[float, float]]:
    fixed = sum(c.width for c in columns if c.width is not None) * PT_PER_MM
    flexible = sum(c.width is None for c in columns)
    left, edges = 0.0, []
    for column in columns:
        right = left + (column.width * PT_PER_MM if column.width is not None
                        else (width - fixed) / flexible)
        edges.append((left, right))
        left = right
    return edges


def _laid_out(row: Row, columns: Sequence[Column], edges: Sequence[tuple[float, float]],
              header: bool = False) -> _LaidRow:
    """The row with each cell's lines: a figure is never broken, words are."""
    return _LaidRow(row, tuple(
        (cell.text,) if column.numeric and not header
        else _wrapped(cell.text, right - left - 2 * PAD_X, cell.weight)
        for cell, column, (left, right) in zip(row.cells, columns, edges, strict=True)),
        PAD_Y_HEADER if header else PAD_Y, HEAVY_RULE if header else LIGHT_RULE)


def _svg(columns: Sequence[Column], edges: Sequence[tuple[float, float]], header: _LaidRow,
         rows: Sequence[_LaidRow]) -> bytes:
    width = edges[-1][1]
    height = header.height + sum(r.height for r in rows)
    drawn = [_svg_element(width, height)]
    top = 0.0
    laid_rows = [header, *rows]
    for n, laid in enumerate(laid_rows):
        bottom = top + laid.height
        drawn.extend(_texts(laid, columns, edges, top))
        # The header's rule is heavy, as is a total's above it, in place of the light one.
        heavy = n == 0 or (n + 1 < len(laid_rows) and laid_rows[n + 1].row.rule_above)
        drawn.append(_rule(bottom - HEAVY_RULE / 2, width, HEAVY_RULE, "ink") if heavy
                     else _rule(bottom - LIGHT_RULE / 2, width, LIGHT_RULE, "rule"))
        top = bottom
    drawn.append("</svg>")
    return "\n".join(drawn).encode()


def _svg_element(width: float, height: float) -> str:
    """The opening of a drawing ``width`` by ``height`` points, in the table's type."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.3f}pt" '
            f'height="{height:.3f}pt" viewBox="0 0 {width:.3f} {height:.3f}" '
            f'font-family="{FAMILY}" font-size="{FONT_SIZE}">')


def _texts(laid: _LaidRow, columns: Sequence[Column], edges: Sequence[tuple[float, float]],
           top: float) -> list[str]:
    baseline = top + laid.padding + _baseline_below_line_top()
    texts: list[str] = []
    for cell, lines, column, (left, right) in zip(laid.row.cells, laid.lines, columns, edges,
                                                   strict=True):
        x, anchor = (right - PAD_X, "end") if column.numeric else (left + PAD_X, "start")
        texts.extend(_text(x, baseline + n * LINE_HEIGHT, anchor, dataclasses.replace(
            cell, text=line)) for n, line in enumerate(lines))
    return texts


def _text(x: float, baseline: float, anchor: str, cell: Cell) -> str:
    weight = f' font-weight="{cell.weight}"' if cell.weight != REGULAR else ""
    return (f'<text x="{x:.3f}" y="{baseline:.3f}" text-anchor="{anchor}" '
            f'fill="{HOUSE[cell.colour]}"{weight}>{escape(cell.text)}</text>')


def _baseline_below_line_top() -> float:
    """How far below the top of a line its text's baseline falls: half the line's leading,
    then the font's ascent, as a browser sets a line."""
    ascent, descent = _vertical_metrics()
    return (LINE_HEIGHT - (ascent + descent) * FONT_SIZE) / 2 + ascent * FONT_SIZE


# report.css, .contribution: a row a bar, 1 mm apart; the label 14 mm, in bold; the bar
# 3.5 mm tall, 3 mm from the label and from the value, which is 16 mm, flush right.
BAR_LABEL, BAR_GAP, BAR_VALUE, BAR_HEIGHT, BAR_SPACING = 14.0, 3.0, 16.0, 3.5, 1.0
BAR_ROW = LINE_HEIGHT + BAR_SPACING * PT_PER_MM  # from one bar's line to the next's


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # as printed beside the bar
    length: float  # 0 to 1: a share of the room for the bars
    colour: str  # a house colour's name


def drawn_bars(bars: Sequence[Bar], width: float) -> list[bytes]:
    """Horizontal bars, ``width`` mm wide, one a row: the label, the bar, its value; in
    parts of at most ``PART_HEIGHT``, as a table is."""
    per_part = int((PART_HEIGHT + BAR_SPACING * PT_PER_MM) // BAR_ROW)
    return [_bars_part(bars[first:first + per_part], width)
            for first in range(0, len(bars), per_part)]


def _bars_part(bars: Sequence[Bar], width: float) -> bytes:
    height = len(bars) * BAR_ROW - BAR_SPACING * PT_PER_MM
    full = width * PT_PER_MM
    left = (BAR_LABEL + BAR_GAP) * PT_PER_MM
    room = full - left - (BAR_GAP + BAR_VALUE) * PT_PER_MM
    drawn = [_svg_element(full, height)]
    for n, bar in enumerate(bars):
        top = n * BAR_ROW
        baseline = top + _baseline_below_line_top()
        drawn.append(_text(0, baseline, "start", Cell(bar.label, SEMIBOLD)))
        if bar.length > 0:
            drawn.append(f'<rect x="{left:.3f}" '
                         f'y="{top + (LINE_HEIGHT - BAR_HEIGHT * PT_PER_MM) / 2:.3f}" '
                         f'width="{bar.length * room:.3f}" height="{BAR_HEIGHT * PT_PER_MM:.3f}" '
                         f'fill="{HOUSE[bar.colour]}"/>')
        drawn.append(_text(full, baseline, "end", Cell(bar.value)))
    drawn.append("</svg>")
    return "\n".join(drawn).encode()


def _rule(y: float, width: float, thickness: float, colour: str) -> str:
    return (f'<line x1="0" y1="{y:.3f}" x2="{width:.3f}" y2="{y:.3f}" '
            f'stroke="{HOUSE[colour]}" stroke-width="{thickness}"/>')


def _wrapped(text: str, room: float, weight: int) -> tuple[str, ...]:
    """``text`` in lines that fit ``room`` points: words moved to the next line, and a word
    longer than a line cut where it must be (CSS's ``overflow-wrap: break-word``)."""
    if not text:
        return ("",)
    lines: list[str] = []
    for word in text.split():
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(joined, weight) <= room:
            lines[-1] = joined
            continue
        while len(word) > 1 and text_width(word, weight) > room:
            cut = 1
            while cut < len(word) and text_width(word[:cut + 1], weight) <= room:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return tuple(lines)


def text_width(text: str, weight: int = REGULAR) -> float:
    """How wide ``text`` is set, in points, at most: the sum of its letters' advances, with
    tabular figures and without kerning (which only narrows it); a character Inter lacks
    counts as a whole em, the width of a wide fallback glyph."""
    advances, em = _advances(weight)
    return FONT_SIZE * sum(advances.get(c, em) for c in text) / em


@cache
def _font(weight: int) -> TTFont:
    """The project's Inter of this weight (regular or semibold), read once a process."""
    from fontTools.ttLib import TTFont  # when needed: see chart_pages._list_glyphs

    return TTFont(FONTS / ("Inter-SemiBold.otf" if weight >= SEMIBOLD else "Inter-Regular.otf"),
                  lazy=True)


@cache
def _advances(weight: int) -> tuple[dict[str, float], float]:
    """Each character's advance in Inter of this weight, in font units, and the units to an
    em. Digits get the widest digit's advance: with tabular figures they share one."""
    font = _font(weight)
    metrics = font["hmtx"]
    advances = {chr(code): float(metrics[glyph][0]) for code, glyph in font.getBestCmap().items()}
    widest_digit = max(advances[d] for d in "0123456789")
    advances |= dict.fromkeys("0123456789", widest_digit)
    return advances, float(font["head"].unitsPerEm)


@cache
def _vertical_metrics() -> tuple[float, float]:
    """Inter's ascent and descent, in ems, as Pango places a line's text."""
    font = _font(REGULAR)
    em = font["head"].unitsPerEm
    return font["hhea"].ascent / em, -font["hhea"].descent / em
