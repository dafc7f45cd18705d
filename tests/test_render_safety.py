"""Templates autoescape, commentary cannot inject markup, and the renderer fetches nothing but
the project's own assets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.errors import ReportgenError
from reportgen.render.commentary import Commentary, parse_commentary
from reportgen.render.pdf import render_pdf
from reportgen.templating import TEMPLATES_DIR, render_template

PAGE = """<!DOCTYPE html><html><head><title>t</title></head><body>
<p>Hello</p>
<img src="https://example.invalid/tracker.png">
<img src="file:///etc/hostname">
<img src="assets/logo.svg">
<link rel="stylesheet" href="http://example.invalid/x.css">
</body></html>"""


def test_renderer_refuses_network_and_outside_files_but_reads_project_assets() -> None:
    pdf, refused = render_pdf(PAGE, variant="none")
    assert "https://example.invalid/tracker.png" in refused
    assert "http://example.invalid/x.css" in refused
    assert "file:///etc/hostname" in refused
    assert not any("logo.svg" in url for url in refused)
    assert pdf.startswith(b"%PDF")


def test_templates_autoescape_data(tmp_path: Path) -> None:
    (tmp_path / "t.html.j2").write_text("<p>{{ name }}</p>")
    html = render_template("t.html.j2", {"name": "Birch & Co <Trust>"}, tmp_path)
    assert html == "<p>Birch &amp; Co &lt;Trust&gt;</p>"


def test_a_broken_template_names_the_file_and_line(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    (templates / "sections" / "valuation.html.j2").write_text("<p>\n{% if %}\n</p>\n")
    with pytest.raises(ReportgenError, match=r"valuation\.html\.j2: line 2: template error"):
        render_template("report.html.j2", {}, templates)


def load_commentary(path: Path) -> Commentary:
    return parse_commentary(path.read_text(), path)


def test_commentary_markdown_is_rendered_without_raw_html_or_images(tmp_path: Path) -> None:
    path = tmp_path / "2026-10.md"
    path.write_text("# Small caps pause\n\n## performance\nA *calm* month. <script>x()</script>"
                    "\n![pixel](https://example.invalid/p.png)\n")
    commentary = load_commentary(path)
    assert commentary.headline == "Small caps pause"
    html = str(commentary.sections["performance"])
    assert "<em>calm</em>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html


def test_commentary_yaml_and_its_errors(tmp_path: Path) -> None:
    good = tmp_path / "c.yaml"
    good.write_text("headline: Rates take centre stage\nsections:\n  rates: '**Watch** the Fed'\n")
    assert "<strong>Watch</strong>" in str(load_commentary(good).sections["rates"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("sections:\n  weather: sunny\n")
    with pytest.raises(ReportgenError, match=r"unknown section.s. weather"):
        load_commentary(bad)


def test_a_template_asking_for_missing_data_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "t.html.j2").write_text("<p>ok</p>\n<p>{{ nothing.here }}</p>\n")
    with pytest.raises(ReportgenError, match=r"t\.html\.j2: line 2: 'nothing' is undefined"):
        render_template("t.html.j2", {}, tmp_path)
