"""Templates autoescape, commentary cannot inject markup, and the renderer fetches nothing but
the project's own assets."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from reportgen.errors import ReportgenError
from reportgen.render.commentary import load_commentary
from reportgen.render.pdf import render_pdf
from reportgen.render.templates import TEMPLATES_DIR, render_html

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
    html = render_html({"name": "Birch & Co <Trust>"}, tmp_path, "t.html.j2")
    assert html == "<p>Birch &amp; Co &lt;Trust&gt;</p>"


def test_a_broken_template_names_the_file_and_line(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    (templates / "sections" / "valuation.html.j2").write_text("<p>\n{% if %}\n</p>\n")
    with pytest.raises(ReportgenError, match=r"valuation\.html\.j2: line 2: template error"):
        render_html({}, templates)


def test_commentary_markdown_is_rendered_without_raw_html_or_images(tmp_path: Path) -> None:
    path = tmp_path / "2026-10.md"
    path.write_text("# Small caps pause\n\n## performance\nA *calm* month. <script>x()</script>"
                    "\n![pixel](https://example.invalid/p.png)\n")
    commentary = load_commentary(path)
    assert commentary["headline"] == "Small caps pause"
    html = str(commentary["sections"]["performance"])
    assert "<em>calm</em>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html


def test_commentary_yaml_and_its_errors(tmp_path: Path) -> None:
    good = tmp_path / "c.yaml"
    good.write_text("headline: Rates take centre stage\nsections:\n  rates: '**Watch** the Fed'\n")
    assert "<strong>Watch</strong>" in str(load_commentary(good)["sections"]["rates"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("sections:\n  weather: sunny\n")
    with pytest.raises(ReportgenError, match=r"unknown section.s. weather"):
        load_commentary(bad)


def test_commentary_lands_in_the_pdf(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from reportgen.cli import app

    commentary = tmp_path / "c.yaml"
    commentary.write_text("headline: Our own headline & more\nsections:\n"
                          "  verdict: 'We stay **patient** <b>bold?</b>'\n")
    result = CliRunner().invoke(app, ["build", "--source", "sample", "--out",
                                      str(tmp_path / "out"), "--commentary", str(commentary),
                                      "--pdf-variant", "none"])
    assert result.exit_code == 0, result.stderr
    [pdf] = (tmp_path / "out").glob("*/*.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Our own headline & more" in text
    assert "We stay patient <b>bold?</b>" in text  # markup shown as written, not applied


def test_a_template_asking_for_missing_data_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "t.html.j2").write_text("<p>ok</p>\n<p>{{ nothing.here }}</p>\n")
    with pytest.raises(ReportgenError, match=r"t\.html\.j2: line 2: 'nothing' is undefined"):
        render_html({}, tmp_path, "t.html.j2")


def test_a_logo_from_the_firms_assets_folder_is_used(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from reportgen.cli import app

    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "acme.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        '<rect width="40" height="40" fill="#7a1f5c"/></svg>')
    config = tmp_path / "config.yaml"
    config.write_text(f"assets_dir: {assets}\nbranding: {{firm_name: Acme Capital, "
                      "logo: acme.svg}\n")
    result = CliRunner().invoke(app, ["build", "--source", "sample", "--out",
                                      str(tmp_path / "out"), "--config", str(config),
                                      "--pdf-variant", "none"])
    assert result.exit_code == 0, result.stderr
    assert "refused" not in result.stderr
    [pdf] = (tmp_path / "out").glob("*/*.pdf")
    assert "ACME CAPITAL" in PdfReader(pdf).pages[0].extract_text()
    # The logo is drawn: its colour, used nowhere else, appears on the rendered cover.
    subprocess.run(["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png", str(pdf),
                    str(tmp_path / "cover")], check=True)
    [png] = tmp_path.glob("cover*.png")
    pixels = Image.open(png).convert("RGB").get_flattened_data()
    assert sum(1 for r, g, b in pixels if abs(r - 122) + abs(g - 31) + abs(b - 92) < 30) > 50
