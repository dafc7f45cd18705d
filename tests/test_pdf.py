"""The built PDF, parsed back: structure, metadata, fonts and the figures it prints."""

from __future__ import annotations

import email
import email.policy
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from reportgen.formatting import pct
from reportgen.sections import FIRST_NUMBER, SECTIONS
from tests.conftest import LOGO_RGB, run_cli
from tests.conftest import pdf_text as page_texts

HEADINGS = [f"{n}. {title}" for n, (_, title) in enumerate(SECTIONS, start=FIRST_NUMBER)]


def test_sample_edition_lands_where_the_issue_says(sample_pdf: Path) -> None:
    assert sample_pdf.parent.name == "2026-10"
    assert sample_pdf.name == "us-small-cap-outlook-2026-10.pdf"


def test_sections_come_in_order_and_are_bookmarked(sample_pdf: Path) -> None:
    text = "\n".join(page_texts(sample_pdf))
    positions = [text.find(f"\n{heading}\n") for heading in HEADINGS]
    assert -1 not in positions, [h for h, p in zip(HEADINGS, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    reader = PdfReader(sample_pdf)
    assert [item.title for item in reader.outline] == HEADINGS
    # Each bookmark points at the page that opens its section.
    for item in reader.outline:
        page = reader.get_destination_page_number(item)
        assert item.title in page_texts(sample_pdf)[page]


def test_contents_entries_link_to_their_sections(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    links = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
    targets = {link["/Dest"] for link in links}
    assert targets == {section_id for section_id, _ in SECTIONS}
    named = reader.named_destinations
    contents = page_texts(sample_pdf)[1]
    for number, (section_id, title) in enumerate(SECTIONS, start=FIRST_NUMBER):
        page = reader.get_destination_page_number(named[section_id])
        assert f"{number}. {title}" in page_texts(sample_pdf)[page]
        # The contents line ends with that page's number.
        line = next(line for line in contents.splitlines() if title in line)
        assert line.rstrip().endswith(str(page + 1)), line


def test_fonts_are_embedded_and_metadata_set(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] \
                if "/DescendantFonts" in font else font.get("/FontDescriptor")
            fonts[font["/BaseFont"]] = any(k in descriptor for k in
                                           ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts
    # Inter only: a fallback font (e.g. the emoji font setting digits) would be a bug.
    assert all("Inter" in name for name in fonts), fonts
    meta = reader.metadata
    assert meta.title == "US Small-Cap Outlook — October 2026"
    assert meta.author == "Acme Capital"
    assert "small caps" in meta.subject.lower()
    assert "Russell 2000" in meta["/Keywords"]
    assert meta.creation_date is not None
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp


def test_every_page_of_a_sample_edition_says_so(sample_pdf: Path) -> None:
    for number, text in enumerate(page_texts(sample_pdf), start=1):
        assert "SAMPLE DATA" in text.upper(), f"page {number}"


def returns_row(text: str, ticker: str) -> str:
    # Chart legends are text too; the table row is the one with seven percentages.
    [line] = [line for line in text.splitlines()
              if line.startswith(f"{ticker} ") and line.count("%") == 7]
    return line


def assert_returns_match_metrics(pdf: Path, metrics_args: list[str]) -> None:
    result = run_cli("metrics", *metrics_args, "--format", "json")
    summary = json.loads(result.stdout)
    text = next(t for t in page_texts(pdf) if "\n3. Performance and rotation\n" in "\n" + t)
    assert f"to {int(summary['as_of'][8:])} " in text
    for ticker in ("IWM", "IJR", "SPY", "QQQ", "IWB", "ACWX"):
        expected = [pct(summary["returns"][ticker][p]) for p in ("MTD", "3M", "6M", "YTD", "1Y")]
        expected += [pct(summary["annualized"][ticker][p]) for p in ("3Y", "5Y")]
        assert returns_row(text, ticker).split()[-7:] == expected, ticker
    # "In <month>" in the takeaways means the calendar month: the MTD figures, whose gap
    # is computed from the printed values so the page adds up.
    takeaways = next(t for t in page_texts(pdf) if "\n2. Key takeaways\n" in "\n" + t)
    months = {t: summary["returns"][t]["MTD"] for t in ("IWM", "SPY")}
    gap = abs(round(100 * months["IWM"], 1) - round(100 * months["SPY"], 1))
    assert f"SPY by {gap:.1f} percentage points (month to" in " ".join(takeaways.split())
    # One month everywhere: the table's month column (above) and the cover's key figure.
    cover = " ".join(page_texts(pdf)[0].split())
    key_figures = re.findall(r"[+−]?\d+\.\d+%", cover.split("Russell 2000 (IWM)")[0])
    assert key_figures[-3] == pct(months["IWM"]), key_figures


def test_printed_returns_equal_the_metrics_json(sample_pdf: Path) -> None:
    assert_returns_match_metrics(sample_pdf, ["--source", "sample", "--as-of", "2026-10-30"])


def test_real_data_edition_matches_metrics_and_names_missing_data(real_pdf: Path,
                                                                  real_prices: Path) -> None:
    assert_returns_match_metrics(real_pdf, ["--source", f"csv:{real_prices}", "--as-of",
                                            "2026-09-30"])
    texts = page_texts(real_pdf)
    joined = "\n".join(texts)
    assert "SAMPLE DATA" not in joined.upper()
    assert "No valuation multiples are available" in joined
    assert "No valuation chart" in joined
    assert "34 Fed rate cuts" in joined
    # 2001, late 2002, mid 2003, 2007, 2019, 2024 and 2025 each began a cycle.
    assert "of which 7 began an easing cycle" in " ".join(joined.split())


def test_fund_data_is_printed_with_its_date(sample_pdf: Path) -> None:
    pages = page_texts(sample_pdf)
    start = next(n for n, t in enumerate(pages) if "\n6. Earnings and quality\n" in "\n" + t)
    text = "\n".join(pages[start:start + 2])  # sections flow: a table may continue overleaf
    assert "Fund-level fundamentals from the source, as of 30 Oct 2026." in text
    assert "Industrials 17.8% 8.1% +9.7 pp" in text  # from the sample's sector_weights.csv
    assert "Technology 14.3% 33.5% −19.2 pp" in text


def test_the_analysts_commentary_lands_as_written(sample_pdf: Path, real_pdf: Path) -> None:
    text = "\n".join(page_texts(sample_pdf))
    assert "Our own headline & more" in page_texts(sample_pdf)[0]
    assert "We stay patient <b>bold?</b>" in text  # markup shown as written, not applied
    # Single sentences: one replaced in place, one removed (the real edition keeps both).
    assert "Our own reading of the streak." in text and "running to 30 Oct 2026" not in text
    assert "Fitted over the last" not in text
    assert "Fitted over the last" in "\n".join(page_texts(real_pdf))


def test_each_section_opens_with_its_finding(sample_pdf: Path) -> None:
    """The finding comes straight under the heading, before any table or chart."""
    text = " ".join("\n".join(page_texts(sample_pdf)).split())
    start = text.index("2. Key takeaways", text.index("12. Sources"))  # past the contents
    for heading, finding, first_table in (
            ("3. Performance and rotation", "In October 2026 the Russell 2000", "Fund Tracks"),
            ("5. The Fed and rates factor", "The Fed's latest cut, on", "Horizon"),
            ("10. What the evidence suggests", "The evidence reads", "Signal")):
        where = text.index(heading, start)
        assert where < text.index(finding, where) < text.index(first_table, where)
        assert text.index(finding, where) - where < len(heading) + 20  # nothing between


def test_a_logo_from_the_firms_assets_folder_is_drawn(sample_pdf: Path, tmp_path: Path
                                                      ) -> None:
    assert "ACME CAPITAL" in page_texts(sample_pdf)[0]
    # Its colour, used nowhere else, appears on the rendered cover.
    subprocess.run(["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png", str(sample_pdf),
                    str(tmp_path / "cover")], check=True)
    [png] = tmp_path.glob("cover*.png")
    pixels = Image.open(png).convert("RGB").get_flattened_data()
    near = [p for p in pixels if sum(abs(a - b) for a, b in zip(p, LOGO_RGB, strict=True)) < 30]
    assert len(near) > 50


# What only the operator should see: where files live, and how to fix the setup.
OPERATOR_ONLY = ["/work/", "/tmp/", "/srv/", "/home/", "/root/", "README", "fundamentals.csv",
                 "--source", "config file", "reportgen.yaml", "Add each", "Supply them"]


def client_facing_texts(archive: Path, real_pdf: Path) -> dict[str, str]:
    """Every client-facing file of the sample archive (PDFs, HTML editions, index, dry-run
    emails) and the real-data edition, as text."""
    out = archive / "out"
    result = run_cli("send", "--month", "2026-10", "--clients", str(archive / "clients.yaml"),
                     "--out", str(out), "--dry-run")
    assert result.exit_code == 0, result.stderr
    texts = {str(pdf): "\n".join(page_texts(pdf)) for pdf in [real_pdf, *out.rglob("*.pdf")]}
    texts["index.html"] = (out / "index.html").read_text()
    for page in [real_pdf.with_suffix(".html"), *out.glob("2026-*/*.html")]:
        visible = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page.read_text(), flags=re.S)
        texts[str(page)] = html.unescape(visible)
    for eml in (out / "outbox").rglob("*.eml"):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        texts[eml.name] = "\n".join(part.get_content() for part in message.walk()
                                    if part.get_content_type() in ("text/plain", "text/html"))
    return texts


def test_client_files_carry_no_machine_paths_or_operator_instructions(
        sample_archive: Path, real_pdf: Path) -> None:
    texts = client_facing_texts(sample_archive, real_pdf)
    assert len(texts) >= 11  # two editions (PDF, HTML), three client copies, the index,
    # three emails
    found = {name: [word for word in OPERATOR_ONLY if word in text]
             for name, text in texts.items()}
    assert not any(found.values()), {k: v for k, v in found.items() if v}


def test_one_sign_convention_in_every_client_file(sample_archive: Path, real_pdf: Path) -> None:
    """A true minus, never a hyphen, before a number; never a sign after up, down and
    their like ("down −2.5%"); never a sign on a figure that rounds to zero ("−0.0%")."""
    hyphen_minus = re.compile(r"(?<![\w.])-\d")
    sign_twice = re.compile(r"\b(up|down|rose|fell|gained|lost|higher|lower)( by)? [+−]\d")
    signed_zero = re.compile(r"(?<![\w.,])[+−]0(?:\.0+)?(?![\d.,])")
    for name, text in client_facing_texts(sample_archive, real_pdf).items():
        assert not hyphen_minus.findall(text), (name, hyphen_minus.findall(text)[:3])
        assert not sign_twice.findall(text), (name, sign_twice.findall(text)[:3])
        assert not signed_zero.findall(text), (name, signed_zero.findall(text)[:3])


def test_signals_are_counted_only_with_data_and_the_rule_is_printed(sample_pdf: Path,
                                                                    real_pdf: Path) -> None:
    for pdf in (sample_pdf, real_pdf):
        text = " ".join("\n".join(page_texts(pdf)).split())
        scorecard = text[text.index("10. What the evidence suggests"):]
        scorecard = scorecard[:scorecard.index("The evidence reads")]
        rows = re.findall(r"\b(Supportive|Neutral|Against|No Data)\b", scorecard)
        judged = len([r for r in rows if r != "No Data"])
        assert len(rows) == 6, rows
        found = re.search(r"(\d) supportive, (\d) against, of (\d) signals with data", text)
        assert found and int(found.group(3)) == judged, (found, rows)
        assert int(found.group(1)) == rows.count("Supportive")
        assert "The verdict counts only signals with data" in text


def test_the_macro_picture_is_drawn_from_real_series_with_their_sources(real_pdf: Path
                                                                        ) -> None:
    text = " ".join("\n".join(page_texts(real_pdf)).split())
    if "Fed funds target" not in text:
        pytest.skip("the shared reference folder is missing: no macro series")
    assert "Fed funds target 3.50–3.75%, 27 Mar 2026" in text
    assert ("The Fed's latest cut, on 10 Dec 2025, was the third of the easing cycle that "
            "began on 17 Sep 2025; the target range for the federal funds rate was 3.50–3.75% "
            "on 27 Mar 2026.") in text
    assert ("In September 2026 the Russell 2000 (IWM) lagged the S&P 500 (SPY), a month in "
            "the worst tenth for small caps against large caps of all months since Jun 2000."
            ) in text
    assert "Smallest minus largest decile: −8.9% a year over the ten years to Dec 2024" in text
    assert "lower than 96% of ten-year spells since 1936" in text
    assert "the high-yield bond spread was 3.21% on 26 Mar 2026" in text
    assert "Source: FRED, Federal Reserve Bank of St. Louis; Kenneth R. French Data Library" \
        in text


def page_fill(pdf: Path) -> list[float]:
    """How far down each page's body the content reaches (0 to 1), from poppler's word
    boxes: the @page margins (20 mm top, 18 mm bottom) bound the body."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    fills = []
    for page in re.split(r"<page ", html)[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        top, bottom = 20 / 25.4 * 72, height - 18 / 25.4 * 72
        body = [y for y in map(float, re.findall(r'yMax="([\d.]+)"', page)) if top < y < bottom]
        fills.append((max(body) - top) / (bottom - top) if body else 0.0)
    return fills


def test_an_edition_is_at_most_ten_pages_each_but_the_last_two_thirds_full(
        sample_pdf: Path, real_pdf: Path) -> None:
    for pdf in (sample_pdf, real_pdf):
        fills = page_fill(pdf)
        assert len(fills) <= 10, (pdf.name, len(fills))
        assert all(fill >= 2 / 3 for fill in fills[:-1]), (pdf.name, fills)


def test_valuation_is_set_against_its_own_history(real_pdf: Path, real_prices: Path) -> None:
    from reportgen.data.series import read_shiller_cape

    workbook = real_prices.parent / "reference" / "shiller_ie_data" / "ie_data.xls"
    text = " ".join("\n".join(page_texts(real_pdf)).split())
    if not workbook.is_file():
        pytest.skip("Shiller's workbook is not in the shared reference folder")
    cape = read_shiller_cape(workbook)[:"2026-09-30"].dropna()
    latest, mean, std = cape.iloc[-1], cape.mean(), cape.std()
    row = (f"S&P 500 CAPE (Shiller) {latest:.1f} 31 May 2026 {mean:.1f} "
           f"+{(latest - mean) / std:.1f} {(cape <= latest).mean():.0%} 1881")
    assert row in text, row


def test_no_key_figure_is_stated_more_than_twice(real_pdf: Path) -> None:
    """The cover's figures, the month's returns and the 10-year yield: each at most twice
    in the whole edition (e.g. once on the cover, once in its table)."""
    pages = page_texts(real_pdf)
    text = " ".join("\n".join(pages).split())
    cover = " ".join(pages[0].split())
    figures = re.findall(r"[+−]?\d+\.\d+%", cover[:cover.index("Russell 2000 (IWM)")])
    assert len(figures) == 3, cover  # the three key figures, before their labels
    iwm, spy = (next(cell for cell in returns_row("\n".join(pages), t).split() if "%" in cell)
                for t in ("IWM", "SPY"))  # the month's column
    for value in {*figures, iwm, spy}:
        stated = len(re.findall(rf"(?<![\d.]){re.escape(value)}", text))
        assert stated <= 2, (value, stated)


def test_figures_are_tabular_in_every_weight(tmp_path: Path) -> None:
    """Numbers line up in columns: every digit is as wide as every other, in the regular,
    semi-bold and italic faces (Inter's own figures are proportional)."""
    from reportgen.render.pdf import render_document

    html = ('<link rel="stylesheet" href="fonts.css"><link rel="stylesheet" href="report.css">'
            + "".join(f'<p style="{style}">111111</p><p style="{style}">000000</p>'
                      for style in ("", "font-weight: 600", "font-style: italic")))
    rendered = render_document(html, variant="none")
    assert not rendered.refused
    pdf = tmp_path / "figures.pdf"
    pdf.write_bytes(rendered.pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    widths = [float(right) - float(left) for left, right in re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(?:1|0){6}<',
        boxes)]
    assert len(widths) == 6
    for ones, zeros in zip(widths[::2], widths[1::2], strict=True):
        assert ones == pytest.approx(zeros, abs=0.01)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux lookup")
def test_loading_the_renderer_runs_no_other_program() -> None:
    """WeasyPrint's C libraries are loaded by their file names, without ctypes running
    ldconfig, gcc and ld for each other name WeasyPrint tries first (render/pdf.py), and
    ctypes is left as it was."""
    probe = ("import sys\n"
             "ran = []\n"
             "sys.addaudithook(lambda event, args: ran.append(event) "
             "if event in ('subprocess.Popen', 'os.posix_spawn', 'os.exec') else None)\n"
             "import reportgen.render.pdf\n"
             "import ctypes.util\n"
             "print(ran, ctypes.util.find_library.__name__)\n")
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert ran == "[] find_library"
