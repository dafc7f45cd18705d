"""The HTML edition in a real browser: Chromium (the Debian package) driven by Playwright, at
a phone's width and a desktop's. The page is opened from disk, as a client would open it."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest

from tests.conftest import pdf_text

WIDTHS = {"phone": 390, "desktop": 1280}


def words(text: str) -> str:
    """The text's words in one line, without the single capitals that the PDF's diagonal
    "SAMPLE DATA" watermark scatters through its extracted text."""
    return " ".join(w for w in text.split() if not re.fullmatch(r"[A-Z]", w))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable,
                                              args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def html_edition(sample_archive: Path) -> Path:
    return sample_archive / "out" / "2026-10" / "us-small-cap-outlook-2026-10.html"


# Each chart's text that the browser draws past its chart's edges (half a pixel's leeway).
TEXT_OUTSIDE_ITS_CHART = """() => [...document.querySelectorAll("figure.chart svg")]
  .flatMap(svg => {
    const chart = svg.getBoundingClientRect();
    return [...svg.querySelectorAll("text")].filter(text => {
      const box = text.getBoundingClientRect();
      return box.width > 0 && (box.left < chart.left - 0.5 || box.right > chart.right + 0.5
                               || box.top < chart.top - 0.5 || box.bottom > chart.bottom + 0.5);
    }).map(text => text.textContent);
  })"""


@pytest.mark.parametrize("device", WIDTHS)
def test_the_html_edition_reads_well_at_phone_and_desktop_width(
        browser, html_edition: Path, device: str, tmp_path_factory: pytest.TempPathFactory
        ) -> None:
    width = WIDTHS[device]
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(html_edition.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways
    headings = page.locator("section.section > h2")
    assert headings.count() == 11
    for heading in headings.all():
        heading.scroll_into_view_if_needed()
        assert heading.is_visible()
    charts = page.locator("figure.chart")
    assert charts.count() >= 15
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert chart.is_visible() and box is not None and box["width"] > 0.8 * min(width, 800) / 2
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate(TEXT_OUTSIDE_ITS_CHART) == []
    assert errors == []
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    assert [url for url in requests if url.startswith("file:")] == [html_edition.as_uri()]
    shots = tmp_path_factory.mktemp("screenshots")
    page.screenshot(path=str(shots / f"{device}.png"), full_page=True)
    page.close()


def test_the_html_edition_says_what_the_pdf_says(html_edition: Path, sample_pdf: Path) -> None:
    """One report model, two media: the same headline, figures, sentences and charts."""
    html = html_edition.read_text()
    # In reading order: poppler's layout mode can put a paragraph's second line before its
    # first where the watermark's letters stand between them.
    pdf = words(subprocess.run(["pdftotext", str(sample_pdf), "-"], check=True,
                               capture_output=True, text=True).stdout)
    findings = re.findall(r'<p class="finding">(.*?)</p>', html)
    assert len(findings) == 8  # every leading section but "what changed" (no earlier edition)
    for finding in findings:
        assert words(unescape(finding)) in pdf
    assert "Our own headline &amp; more" in html
    assert html.count("<svg") == 16 and "<img src=\"data:image/png" not in html
    assert re.findall(r'(?:src|href|url)[=(]"?(?:https?:)?//', html) == []  # nothing remote


def test_the_archive_index_links_both_editions_and_fits_a_phone(browser, sample_archive: Path
                                                                ) -> None:
    index = sample_archive / "out" / "index.html"
    page = browser.new_page(viewport={"width": WIDTHS["phone"], "height": 800})
    page.goto(index.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"]
    links = {link.inner_text(): link.get_attribute("href") for link in page.locator("a").all()}
    assert links["Read online"] == "2026-10/us-small-cap-outlook-2026-10.html"
    assert links["PDF"] == "2026-10/us-small-cap-outlook-2026-10.pdf"
    page.close()


def test_the_html_edition_prints_with_the_print_stylesheet(browser, html_edition: Path,
                                                           tmp_path: Path) -> None:
    """Printed from the browser, it is laid out by report.css (A4 pages, the PDF's look),
    not by the screen layout."""
    page = browser.new_page()
    page.goto(html_edition.as_uri())
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "none"
    printed = tmp_path / "printed.pdf"
    page.pdf(path=str(printed), prefer_css_page_size=True)
    pages = pdf_text(printed)
    assert len(pages) >= 8
    assert "3. Performance and rotation" in "\n".join(pages)
    page.close()
