"""Lists laid in two columns (the methodology and the scorecard rules): the template cuts
each list in two with the ``halves`` filter, and the printed columns come out level."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reportgen.render.compose import DEFINITIONS
from reportgen.templating import COLUMN_LINE_CHARS, halves


@dataclass(frozen=True)
class Term:
    term: str
    text: str


def test_halves_level_the_columns_by_their_lines() -> None:
    line = "x" * COLUMN_LINE_CHARS
    # Heights 3, 1, 1, 1 (lines): the first item alone is as tall as the other three.
    items = [Term("a", line * 2), Term("b", ""), Term("c", ""), Term("d", "")]
    heights = [3, 2, 2, 2]  # each field starts a line, an empty one too
    assert [sum(heights[:k]) for k in range(5)] == [0, 3, 5, 7, 9]
    assert halves(items, "term", "text") == (items[:2], items[2:])  # 5 against 4
    assert halves(["a", "b", "c"]) == (["a", "b"], ["c"])  # a tie goes to the first column
    assert halves([]) == ([], [])
    assert halves([line * 5, "short"]) == ([line * 5], ["short"])


@given(st.lists(st.text(max_size=3 * COLUMN_LINE_CHARS), max_size=12))
def test_no_other_cut_gives_a_shorter_taller_column(texts: list[str]) -> None:
    first, second = halves(texts)
    assert first + second == texts

    def taller(cut: int) -> int:
        height = [max(1, -(-len(text) // COLUMN_LINE_CHARS)) for text in texts]
        return max(sum(height[:cut]), sum(height[cut:]))
    assert all(taller(len(first)) <= taller(cut) for cut in range(len(texts) + 1))


@dataclass(frozen=True)
class Line:
    text: str
    left: float
    top: float
    bottom: float


def page_lines(pdf: Path, page: int) -> list[Line]:
    """Poppler's lines of text on one page, with their boxes in points, top to bottom; not
    the watermark's letters (each a line of its own, far taller than one of text)."""
    xhtml = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox-layout",
                            str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    tree = ET.fromstring(xhtml)
    lines = [Line(" ".join(word.text or "" for word in line), float(line.attrib["xMin"]),
                  float(line.attrib["yMin"]), float(line.attrib["yMax"]))
             for line in tree.iter("{http://www.w3.org/1999/xhtml}line")]
    return sorted((line for line in lines if line.bottom - line.top < 20),
                  key=lambda line: (line.top, line.left))


def test_the_methodology_is_printed_in_two_level_columns(sample_pdf: Path) -> None:
    pages = int(subprocess.run(["pdfinfo", str(sample_pdf)], check=True, capture_output=True,
                               text=True).stdout.split("Pages:")[1].split()[0])
    from_the_end = (page_lines(sample_pdf, page) for page in range(pages, 0, -1))
    lines = next(lines for lines in from_the_end
                 if any(line.text == "Methodology" for line in lines))
    starts = next(line.bottom for line in lines if line.text == "Methodology")
    ends = next(line.top for line in lines if line.text == "Scorecard rules")
    middle = 595.28 / 2  # A4's width in points
    body = [line for line in lines if starts < line.top < ends]
    left = [line for line in body if line.left < middle]
    right = [line for line in body if line.left >= middle]

    first, second = halves([Term(term, text) for term, text in DEFINITIONS], "term", "text")
    assert [line.text for line in left if line.text in dict(DEFINITIONS)] == \
        [item.term for item in first]
    assert [line.text for line in right if line.text in dict(DEFINITIONS)] == \
        [item.term for item in second]
    line_height = left[1].top - left[0].top
    assert abs(max(line.bottom for line in left) - max(line.bottom for line in right)) \
        <= 2.5 * line_height

