"""Charts' SVG without matplotlib's bare groups: the same picture, fewer groups to draw."""

from __future__ import annotations

import base64
import io
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.style
from PIL import Image, ImageChops

from reportgen.charts.figures import STYLE
from reportgen.charts.report_charts import CHARTS
from reportgen.charts.svg import without_bare_groups
from reportgen.config import Config
from reportgen.render.pdf import render_pdf

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'


def test_bare_groups_give_way_to_their_children_in_order() -> None:
    svg = (HEAD + '<g id="a"><path id="p1" d="M 0 0"/><g id="b"><path id="p2" d="M 1 1"/>'
           '</g></g><g id="moved" transform="scale(2)"><path id="p3" d="M 2 2"/></g>'
           '<g id="named"><path id="p4" d="M 3 3"/></g><use xlink:href="#named"/>'
           '<g id="clipped" clip-path="url(#c)"><path id="p5" d="M 4 4"/></g></svg>')
    out = without_bare_groups(svg.encode()).decode()
    assert out.startswith("<?xml")
    body = out[out.index("<svg"):]
    assert ('<path id="p1" d="M 0 0" /><path id="p2" d="M 1 1" />'
            '<g id="moved" transform="scale(2)">') in body
    # Kept: a group that something refers to, and groups with anything beside an id.
    assert '<g id="named"><path id="p4"' in body
    assert '<g id="clipped" clip-path="url(#c)">' in body
    assert 'id="a"' not in body and 'id="b"' not in body
    assert '<use href="#named" />' in body  # SVG 2's href: no namespace prefix to choose


def test_the_bytes_do_not_hang_on_elementtree_s_table_of_prefixes() -> None:
    svg = (HEAD + '<g id="a"><use xlink:href="#p"/></g><path id="p" d="M 0 0"/></svg>').encode()
    before = without_bare_groups(svg)
    ET.register_namespace("svgx", "http://www.w3.org/2000/svg")  # as another library might
    ET.register_namespace("xl", "http://www.w3.org/1999/xlink")
    try:
        assert without_bare_groups(svg) == before
    finally:
        ET.register_namespace("svg", "http://www.w3.org/2000/svg")
        ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


def _page(svg: bytes, tmp_path: Path, name: str) -> Image.Image:
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    pdf, _ = render_pdf(f'<img src="{uri}" style="width: 170mm">', variant="none")
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / f"{name}.pdf"),
                    str(tmp_path / name)], check=True)
    return Image.open(tmp_path / f"{name}.png").convert("RGB")


def test_a_real_chart_draws_the_same_without_them(sample_data, sample_figures,
                                                  tmp_path: Path) -> None:
    figure = CHARTS["growth"](sample_data, Config().instruments, sample_figures)
    assert figure is not None
    buffer = io.BytesIO()
    with matplotlib.style.context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    drawn = buffer.getvalue()
    simpler = without_bare_groups(drawn)
    assert simpler.count(b"<g ") < drawn.count(b"<g ") / 2
    before, after = _page(drawn, tmp_path, "before"), _page(simpler, tmp_path, "after")
    assert before.getbbox() and ImageChops.difference(before, after).getbbox() is None
