"""A client's own pages, drawn as SVG, which librsvg draws into the PDF
(``render/chart_pages.py``): their block (their name and adviser), laid over the shared
cover where it leaves room, and their portfolio pages (``render/portfolio.py``): the
heading, the finding, the holdings table, the notes and the contribution bars, each page
the text column's size, laid over a page WeasyPrint lays out once per branding with the
running header and footer (``render/personalise.py``).

Why not HTML: WeasyPrint spends about a millisecond of CPU on each table cell (its styles,
its line, its glyphs), and some 15 ms on each page however little is on it (its styles, its
margin boxes, its drawing); a portfolio page's table alone has some sixty cells. A batch of
20 clients measured 160 ms a client with the table as HTML, 72 ms with it as an image, 30 ms
with only the block and page laid out, and 17 ms with both drawn. librsvg draws a page in
about 5 ms, most of it setting the text.

They look as the stylesheet's rules did: sizes, margins, padding, rules and colours are
restated here from ``report.css`` (laid over what WeasyPrint made of the HTML they
replaced, the drawn block's words fell within 0.2 pt of it, the table's rows and figures
within a pixel at 150 dpi). Text is text: Inter from the project's font files, with tabular
figures (``FONTS_CONFIG``), so the PDF's words can be searched, copied and read aloud. Lines
break between words, and within a word too long for its line (``overflow-wrap:
break-word``); a page breaks between pieces (a heading and a finding go with what follows
them); a table too long for a page is drawn in parts, each with its header row.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import groupby
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
# fontconfig for the process that draws clients' pages (``svg_pages``'s ``fonts_config``): the
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
REGULAR, SEMIBOLD = 400, 600
# report.css: html's line-height, which every paragraph and table cell inherits (a line as
# tall as this times its text's size).
LINE_SPACING = 1.45
# report.css, table.figures (and .contribution): 8.3 pt text on lines 1.45 times as tall;
# cells padded 1.5 mm at the sides, 1 mm above and below in the header and 0.75 mm in the
# body; a 0.8 pt ink rule under the header (and over a total), a 0.4 pt rule under each row.
FONT_SIZE = 8.3
LINE_HEIGHT = LINE_SPACING * FONT_SIZE
PAD_X, PAD_Y_HEADER, PAD_Y = 1.5 * PT_PER_MM, 1.0 * PT_PER_MM, 0.75 * PT_PER_MM
HEAVY_RULE, LIGHT_RULE = 0.8, 0.4
# The tallest a part of a table or of the bars may be, so that a page can turn between two
# of its rows: under the page's heading and finding, some 210 mm of the text column are left
# on A4 and on Letter.
PART_HEIGHT = 150 * PT_PER_MM


@dataclass(frozen=True)
class Drawing:
    """A piece of a page, drawn: ``width`` by ``height`` points, its SVG elements set from
    its top-left corner."""

    width: float
    height: float
    elements: tuple[str, ...]

    def svg(self) -> bytes:
        """The drawing as an SVG document of its own size (in points)."""
        return "\n".join([_svg_element(self.width, self.height), *self.elements, "</svg>"]
                         ).encode()


def _svg_element(width: float, height: float) -> str:
    """The opening of a drawing ``width`` by ``height`` points, in the table's type."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.3f}pt" '
            f'height="{height:.3f}pt" viewBox="0 0 {width:.3f} {height:.3f}" '
            f'font-family="{FAMILY}" font-size="{FONT_SIZE}">')


# Text set in paragraphs.

@dataclass(frozen=True)
class Type:
    """How a paragraph is set: report.css's rule for it, restated."""

    size: float  # pt
    weight: int = REGULAR
    italic: bool = False
    colour: str = HOUSE["ink"]
    spacing: float = LINE_SPACING  # a line's height ÷ ``size``

    @property
    def line_height(self) -> float:
        """From one line's top to the next's, in points."""
        return self.spacing * self.size


Run = tuple[str, int]  # some text, and its weight


def paragraph(text: str | Sequence[Sequence[Run]], kind: Type, width: float, *,
              padding: tuple[float, float, float, float] = (0, 0, 0, 0),
              background: str | None = None, rule: tuple[float, str] | None = None
              ) -> Drawing:
    """A paragraph ``width`` points wide: ``text``, or each of several lines (as after a
    ``<br>``, each in runs of one weight), wrapped to the room ``padding`` leaves (top,
    right, bottom, left, in points), on ``background`` if given, over a ``rule``
    (thickness, colour) if given, as CSS draws a bottom border."""
    top, right, bottom, left = padding
    lines = [[(text, kind.weight)]] if isinstance(text, str) else text
    wrapped = [line for runs in lines
               for line in _lines(runs, width - left - right, kind.size, kind.italic)]
    thickness, colour = rule or (0.0, "")
    height = top + len(wrapped) * kind.line_height + bottom + thickness
    drawn = [f'<rect width="{width:.3f}" height="{height:.3f}" fill="{background}"/>'
             ] if background else []
    style = (f' font-size="{kind.size}" fill="{kind.colour}"'
             + (f' font-weight="{kind.weight}"' if kind.weight != REGULAR else "")
             + (' font-style="italic"' if kind.italic else ""))
    baseline = top + _baseline_below_line_top(kind.line_height, kind.size)
    drawn.extend(f'<text x="{left:.3f}" y="{baseline + n * kind.line_height:.3f}" '
                 f'xml:space="preserve"{style}>{_spans(line, kind.weight)}</text>'
                 for n, line in enumerate(wrapped))
    if rule:
        drawn.append(_rule(height - thickness / 2, width, thickness, colour))
    return Drawing(width, height, tuple(drawn))


def _spans(line: Sequence[Run], weight: int) -> str:
    """A line's words as SVG text: each run of words of another weight than ``weight`` in
    a span of its own, and a space between words, outside the spans (the text element
    keeps spaces as they are)."""
    runs = [(run_weight, escape(" ".join(word for word, _ in words)))
            for run_weight, words in groupby(line, key=lambda run: run[1])]
    return " ".join(text if run_weight == weight
                    else f'<tspan font-weight="{run_weight}">{text}</tspan>'
                    for run_weight, text in runs)


# report.css, .prepared: a client's name and adviser in 11 pt, the name in bold, in a block
# 150 mm wide.
BLOCK = Type(size=11.0)
BLOCK_WIDTH = 150 * PT_PER_MM


def drawn_block(name: str, adviser: str | None) -> Drawing:
    """A client's block, to lay over the shared cover where it leaves room: "Prepared for"
    and their name, and their adviser's on a line of its own; a name too long for a line
    wraps. Names in other scripts are drawn in the fonts fontconfig falls back to, as
    WeasyPrint's are (``FONTS_CONFIG``)."""
    lines = [[("Prepared for", REGULAR), (name, SEMIBOLD)]]
    if adviser:
        lines.append([(f"Your adviser: {adviser}", REGULAR)])
    return paragraph(lines, BLOCK, BLOCK_WIDTH)


# A page of pieces, one under another.

@dataclass(frozen=True)
class Flowed:
    """A drawing in a page's flow, with CSS's margins above and below it (where two meet,
    the larger is the space between); ``keep_with_next``: never the last on its page (a
    heading, a finding, a caption)."""

    drawing: Drawing
    above: float = 0.0
    below: float = 0.0
    keep_with_next: bool = False


def paged(flow: Sequence[Flowed], width: float, height: float) -> list[Drawing]:
    """The flow in pages ``height`` points tall, each the drawings set on it, one under the
    other: a piece that does not fit goes to the next page, with the pieces before it that
    must stay with it (unless they are all its page has); the margin above a page's first
    piece is dropped, as at a page break in CSS."""
    pages: list[list[Flowed]] = [[]]
    for piece in flow:
        page = pages[-1]
        if page and _height([*page, piece]) > height:
            kept = 0
            while kept < len(page) - 1 and page[-1 - kept].keep_with_next:
                kept += 1
            pages.append(page[len(page) - kept:])
            del page[len(page) - kept:]
        pages[-1].append(piece)
    return [Drawing(width, _height(page), tuple(
        f'<g transform="translate(0 {top:.3f})">\n' + "\n".join(piece.drawing.elements)
        + "\n</g>" for piece, top in zip(page, _tops(page), strict=True))) for page in pages]


def _tops(page: Sequence[Flowed]) -> list[float]:
    """Where each piece of a page begins, from the page's top."""
    tops, bottom = [], 0.0
    for n, piece in enumerate(page):
        top = bottom + max(page[n - 1].below, piece.above) if n else 0.0
        tops.append(top)
        bottom = top + piece.drawing.height
    return tops


def _height(page: Sequence[Flowed]) -> float:
    return _tops(page)[-1] + page[-1].drawing.height if page else 0.0


# Tables.

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


def drawn_table(columns: Sequence[Column], rows: Sequence[Row], width: float
                ) -> list[Drawing]:
    """The table, ``width`` mm wide: one part, or several if it is taller than
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
    return [_table_part(columns, edges, header, part) for part in parts]


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
        else tuple(" ".join(word for word, _ in line) for line in _lines(
            [(cell.text, cell.weight)], right - left - 2 * PAD_X, FONT_SIZE))
        for cell, column, (left, right) in zip(row.cells, columns, edges, strict=True)),
        PAD_Y_HEADER if header else PAD_Y, HEAVY_RULE if header else LIGHT_RULE)


def _table_part(columns: Sequence[Column], edges: Sequence[tuple[float, float]],
                header: _LaidRow, rows: Sequence[_LaidRow]) -> Drawing:
    width = edges[-1][1]
    drawn: list[str] = []
    top = 0.0
    laid_rows = [header, *rows]
    for n, laid in enumerate(laid_rows):
        bottom = top + laid.height
        drawn.extend(_texts(laid, columns, edges, top))
        # The header's rule is heavy, as is a total's above it, in place of the light one.
        heavy = n == 0 or (n + 1 < len(laid_rows) and laid_rows[n + 1].row.rule_above)
        drawn.append(_rule(bottom - HEAVY_RULE / 2, width, HEAVY_RULE, HOUSE["ink"]) if heavy
                     else _rule(bottom - LIGHT_RULE / 2, width, LIGHT_RULE, HOUSE["rule"]))
        top = bottom
    return Drawing(width, top, tuple(drawn))


def _texts(laid: _LaidRow, columns: Sequence[Column], edges: Sequence[tuple[float, float]],
           top: float) -> list[str]:
    baseline = top + laid.padding + _baseline_below_line_top()
    texts: list[str] = []
    for cell, lines, column, (left, right) in zip(laid.row.cells, laid.lines, columns, edges,
                                                   strict=True):
        x, anchor = (right - PAD_X, "end") if column.numeric else (left + PAD_X, "start")
        texts.extend(_text(x, baseline + n * LINE_HEIGHT, anchor, Cell(line, cell.weight,
                                                                       cell.colour))
                     for n, line in enumerate(lines))
    return texts


def _text(x: float, baseline: float, anchor: str, cell: Cell) -> str:
    weight = f' font-weight="{cell.weight}"' if cell.weight != REGULAR else ""
    return (f'<text x="{x:.3f}" y="{baseline:.3f}" text-anchor="{anchor}" '
            f'fill="{HOUSE[cell.colour]}"{weight}>{escape(cell.text)}</text>')


def _baseline_below_line_top(line_height: float = LINE_HEIGHT, size: float = FONT_SIZE
                              ) -> float:
    """How far below the top of a line its text's baseline falls: half the line's leading,
    then the font's ascent, as a browser sets a line."""
    ascent, descent = _vertical_metrics()
    return (line_height - (ascent + descent) * size) / 2 + ascent * size


# Bars: report.css, .contribution: a row a bar, 1 mm apart; the label 14 mm, in bold; the
# bar 3.5 mm tall, 3 mm from the label and from the value, which is 16 mm, flush right.
BAR_LABEL, BAR_GAP, BAR_VALUE, BAR_HEIGHT, BAR_SPACING = 14.0, 3.0, 16.0, 3.5, 1.0
BAR_ROW = LINE_HEIGHT + BAR_SPACING * PT_PER_MM  # from one bar's line to the next's


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # as printed beside the bar
    length: float  # 0 to 1: a share of the room for the bars
    colour: str  # a house colour's name


def drawn_bars(bars: Sequence[Bar], width: float) -> list[Drawing]:
    """Horizontal bars, ``width`` mm wide, one a row: the label, the bar, its value; in
    parts of at most ``PART_HEIGHT``, as a table is."""
    per_part = int((PART_HEIGHT + BAR_SPACING * PT_PER_MM) // BAR_ROW)
    return [_bars_part(bars[first:first + per_part], width)
            for first in range(0, len(bars), per_part)]


def _bars_part(bars: Sequence[Bar], width: float) -> Drawing:
    height = len(bars) * BAR_ROW - BAR_SPACING * PT_PER_MM
    full = width * PT_PER_MM
    left = (BAR_LABEL + BAR_GAP) * PT_PER_MM
    room = full - left - (BAR_GAP + BAR_VALUE) * PT_PER_MM
    drawn = []
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
    return Drawing(full, height, tuple(drawn))


def _rule(y: float, width: float, thickness: float, colour: str) -> str:
    return (f'<line x1="0" y1="{y:.3f}" x2="{width:.3f}" y2="{y:.3f}" '
            f'stroke="{colour}" stroke-width="{thickness}"/>')


# Measuring text.

def _lines(runs: Sequence[Run], room: float, size: float, italic: bool = False
           ) -> list[list[Run]]:
    """The words of ``runs``, each with its run's weight, in lines that fit ``room`` points
    at ``size``: words moved to the next line, and a word longer than a line cut where it
    must be (CSS's ``overflow-wrap: break-word``). Spaces are collapsed, as in HTML."""
    words = [(word, weight) for text, weight in runs for word in text.split()]
    if not words:
        return [[]]

    def width(line: Sequence[Run]) -> float:
        return sum(text_width(word, weight, size, italic) for word, weight in line) + sum(
            text_width(" ", weight, size, italic) for _, weight in line[:-1])

    lines: list[list[Run]] = []
    for word, weight in words:
        if lines and width([*lines[-1], (word, weight)]) <= room:
            lines[-1].append((word, weight))
            continue
        while len(word) > 1 and text_width(word, weight, size, italic) > room:
            cut = 1
            while cut < len(word) and text_width(word[:cut + 1], weight, size, italic) <= room:
                cut += 1
            lines.append([(word[:cut], weight)])
            word = word[cut:]
        lines.append([(word, weight)])
    return lines


def text_width(text: str, weight: int = REGULAR, size: float = FONT_SIZE,
               italic: bool = False) -> float:
    """How wide ``text`` is set at ``size``, in points, at most: the sum of its letters'
    advances, with tabular figures and without kerning (which only narrows it); a character
    Inter lacks counts as a whole em, the width of a wide fallback glyph."""
    advances, em = _advances(weight, italic)
    return size * sum(advances.get(c, em) for c in text) / em


@cache
def _font(weight: int, italic: bool = False) -> TTFont:
    """The project's Inter of this weight (regular or semibold) or its italic, read once a
    process."""
    from fontTools.ttLib import TTFont  # when needed: see chart_pages._list_glyphs

    name = ("Inter-Italic.otf" if italic else
            "Inter-SemiBold.otf" if weight >= SEMIBOLD else "Inter-Regular.otf")
    return TTFont(FONTS / name, lazy=True)


@cache
def _advances(weight: int, italic: bool = False) -> tuple[dict[str, float], float]:
    """Each character's advance in Inter of this weight (or its italic), in font units, and
    the units to an em. Digits get the widest digit's advance: with tabular figures they
    share one."""
    font = _font(weight, italic)
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
