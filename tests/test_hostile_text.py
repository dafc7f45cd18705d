"""Hostile or unlucky text in the analyst's and the firm's files: refused with a clear line,
or printed as written (wrapped, in the right script), never a crash or a broken page."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from reportgen.clients import parse_clients
from reportgen.config import parse_yaml
from reportgen.errors import ReportgenError
from reportgen.render.commentary import parse_commentary
from reportgen.render.pdf import render_pdf
from tests.conftest import run_cli

BILLION_LAUGHS = "\n".join(
    ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]"
       for i in range(8)]
    + ["headline: *i"])


def client_file(name: str = "Acme", email: str = "cio@acme.example") -> dict:
    return {"clients": [{"id": "acme", "name": name, "email": [email]}]}


def test_yaml_aliases_are_refused_at_once_in_every_file(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ReportgenError, match="anchors and aliases"):
        parse_commentary(BILLION_LAUGHS, Path("c.yaml"))
    assert time.monotonic() - started < 1
    for option, name in (("--clients", "clients.yaml"), ("--commentary", "c.yaml"),
                         ("--config", "config.yaml")):
        path = tmp_path / name
        path.write_text(BILLION_LAUGHS)
        result = run_cli("build", option, str(path), "--out", str(tmp_path / "out"))
        assert result.exit_code == 1 and "anchors and aliases (& and *) are not allowed" \
            in result.stderr
    assert parse_yaml("a: [1, 2]\nb: {c: d}\n", Path("ok.yaml")) == {"a": [1, 2],
                                                                     "b": {"c": "d"}}


def test_commentary_has_a_size_limit_and_inputs_a_byte_limit(tmp_path: Path) -> None:
    with pytest.raises(ReportgenError, match="the commentary has 30,001 characters; the limit"):
        parse_commentary("x" * 30_001, Path("c.md"))
    big = tmp_path / "c.md"
    big.write_bytes(b"x" * (1 << 20 + 1))
    result = run_cli("build", "--commentary", str(big), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "larger than 1 MiB" in result.stderr
    latin1 = tmp_path / "l.md"
    latin1.write_bytes("## performance\nCaf\xe9".encode("latin-1"))
    result = run_cli("build", "--commentary", str(latin1), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "is not UTF-8 text" in result.stderr


@pytest.mark.parametrize(("name", "code"), [
    ("Acme\u2028Holdings", "U+2028"),  # line separator: broke the cover line and To header
    ("Acme \u202eseirtsudnI", "U+202E"),  # right-to-left override
    ("Ac\u200bme", "U+200B"),  # zero-width space
    ("Acme\tTrust", "U+0009"),
    ("Acme\nTrust", "U+000A"),
])
def test_names_with_invisible_or_control_characters_are_refused(name: str, code: str) -> None:
    with pytest.raises(ReportgenError,
                       match=re.escape(f"name: holds the invisible or control character {code}")):
        parse_clients(client_file(name=name), Path("clients.yaml"))


def test_names_are_nfc_normalised() -> None:
    clients = parse_clients(client_file(name="Zoe\u0308 Fund"), Path("clients.yaml"))
    assert clients.clients[0].name == "Zo\u00eb Fund"


@pytest.mark.parametrize("address", ["cio@acme.example\n", "Bob <bob@acme.example>",
                                     "cio@acme", "cio@@acme.example", "cio@acme.example,x@y.z"])
def test_addresses_are_checked_by_email_validator(address: str) -> None:
    with pytest.raises(ReportgenError, match="is not an email address"):
        parse_clients(client_file(email=address), Path("clients.yaml"))


def test_a_valid_address_is_kept_in_normal_form_and_once() -> None:
    raw = {"clients": [{"id": "acme", "name": "Acme",
                        "email": ["cio@ACME.example", "cio@acme.example", "ü@bücher.example"]}]}
    [client] = parse_clients(raw, Path("clients.yaml")).clients
    assert client.email == ["cio@acme.example", "ü@bücher.example"]


def page_words(pdf: Path) -> tuple[float, list[tuple[float, str]]]:
    """The page width and each word's right edge, from poppler's bounding boxes."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    words = [(float(x), word) for x, word in
             re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">'
                        r"([^<]*)</word>", html)]
    return width, words


def render(tmp_path: Path, body: str) -> Path:
    html = ('<!DOCTYPE html><html><head><link rel="stylesheet" href="report.css"></head>'
            f"<body>{body}</body></html>")
    pdf, refused = render_pdf(html, variant="none")
    assert not refused
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    return path


def test_a_very_long_word_wraps_inside_the_page(tmp_path: Path) -> None:
    word = "Supercalifragilistic" * 150  # 3,000 characters, no break opportunity
    width, words = page_words(render(tmp_path, f"<p>Before {word} after</p>"))
    right_margin = 16 / 25.4 * 72
    assert max(x for x, _ in words) <= width - right_margin + 1
    assert word in "".join(w for _, w in words if w not in ("Before", "after"))


def test_emoji_and_cjk_names_print_in_a_fallback_font_not_as_empty_boxes(tmp_path: Path
                                                                        ) -> None:
    pdf = render(tmp_path, "<p>Prepared for 山田太郎 株式会社 and Zoë 🎉 Fund</p>")
    fonts = {str(font["/BaseFont"]).split("+")[-1]
             for page in PdfReader(pdf).pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("CJK" in name for name in fonts), fonts
    assert any("Emoji" in name for name in fonts), fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "山田太郎 株式会社" in text and "🎉" in text


def test_a_client_list_may_outgrow_the_other_inputs_limit_but_not_without_bound(
        tmp_path: Path) -> None:
    """10,000 clients take about 1.1 MiB: a clients file may hold up to 64 MiB."""
    from reportgen.clients import load_clients

    entry = "clients:\n  - {id: acme, name: Acme, email: [cio@acme.example]}\n"
    large = tmp_path / "large.yaml"
    large.write_text(entry + "# " + "x" * (1 << 20) + "\n")  # over 1 MiB
    assert [c.id for c in load_clients(large).clients] == ["acme"]
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(entry.encode() + b"#" * (64 << 20))
    with pytest.raises(ReportgenError, match="the clients file is larger than 64 MiB"):
        load_clients(huge)
