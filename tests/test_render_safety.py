"""Templates autoescape, commentary cannot inject markup, and the renderer fetches nothing but
the project's own assets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.errors import ReportgenError
from reportgen.render.commentary import AnalystText, parse_commentary, render_commentary
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


def load_commentary(path: Path) -> AnalystText:
    """The file as a build renders it (no figures cited here)."""
    return render_commentary(parse_commentary(path.read_text(), path), {})


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


@pytest.fixture
def confined(tmp_path: Path):
    """Assets folder with a logo, a secret beside it, and a symlink pointing out."""
    from reportgen.render.pdf import ProjectAssetFetcher

    assets, outside = tmp_path / "firm" / "assets", tmp_path / "outside"
    assets.mkdir(parents=True)
    outside.mkdir()
    (assets / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (outside / "secret.svg").write_text("secret")
    (assets / "link.svg").symlink_to(outside / "secret.svg")
    (assets / "linked-folder").symlink_to(outside)
    return ProjectAssetFetcher([assets]), assets


@pytest.mark.parametrize("tail", [
    "..%2F..%2Foutside%2Fsecret.svg",
    "%2e%2e/%2e%2e/outside/secret.svg",
    "%2E%2E%2F%2E%2E%2Foutside%2Fsecret.svg",
    "%252e%252e/%252e%252e/outside/secret.svg",  # encoded twice
    "..%252F..%252Foutside%252Fsecret.svg",
    "../../outside/secret.svg",
    "link.svg",  # a symlink pointing out
    "linked-folder/secret.svg",
    "logo.svg%00.png",
])
def test_no_encoding_or_symlink_leads_the_renderer_out_of_the_assets(confined, tail: str
                                                                     ) -> None:
    from reportgen.render.pdf import RefusedURL

    fetcher, assets = confined
    url = f"{assets.as_uri()}/{tail}"
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert url in fetcher.refused


def test_the_assets_themselves_are_read_and_other_hosts_are_not(confined) -> None:
    from reportgen.render.pdf import RefusedURL

    fetcher, assets = confined
    response = fetcher.fetch((assets / "logo.svg").as_uri())
    assert response.read().startswith(b"<svg")
    response.close()
    with pytest.raises(RefusedURL):
        fetcher.fetch(f"file://evil.example{assets / 'logo.svg'}")


def test_an_encoded_logo_name_never_reaches_a_pdf(tmp_path: Path) -> None:
    """The finding: a client logo '..%2F..%2F..%2Fsomewhere%2Ffile.svg' was read."""
    from tests.conftest import run_cli

    clients = tmp_path / "clients.yaml"
    clients.write_text("clients:\n  - id: acme\n    name: Acme\n    email: [a@example.com]\n"
                       "    branding: {logo: '..%2F..%2F..%2Fsomewhere%2Ffile.svg'}\n")
    result = run_cli("build", "--clients", str(clients), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "a logo is an SVG, PNG or JPEG file name" in result.stderr
    assert not list((tmp_path / "out").glob("2026-*"))


@pytest.mark.parametrize(("setting", "message"), [
    ("/", "assets_dir is the root of the file system"),
    ("missing-folder", "is not a folder"),
])
def test_assets_dir_must_be_a_real_folder_other_than_the_root(tmp_path: Path, setting: str,
                                                             message: str) -> None:
    from tests.conftest import run_cli

    config = tmp_path / "reportgen.yaml"
    config.write_text(f"assets_dir: {setting}\n")
    result = run_cli("build", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert message in result.stderr
