from __future__ import annotations

import email
import functools
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from email import policy
from pathlib import Path

import pandas as pd
import pytest
import yfinance as yf
from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parent.parent
REAL_PRICES = Path(os.environ.get("REPORTGEN_REAL_PRICES",
                                  REPO.parent / "shared" / "market-data" / "prices"))


@pytest.fixture(scope="session", autouse=True)
def _yfinance_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep yfinance's time-zone and cookie caches out of the user's home."""
    yf.set_tz_cache_location(str(tmp_path_factory.mktemp("yfinance-cache")))


@pytest.fixture(scope="session", autouse=True)
def _test_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One data store for the session, outside the user's cache, shared as a user's cache
    is: a source's files are read into it once. Tests of the store itself use their own."""
    store = tmp_path_factory.mktemp("store")
    saved = os.environ.get("REPORTGEN_STORE")
    os.environ["REPORTGEN_STORE"] = str(store)
    yield store
    if saved is None:
        del os.environ["REPORTGEN_STORE"]
    else:
        os.environ["REPORTGEN_STORE"] = saved


@pytest.fixture(scope="session")
def real_prices() -> Path:
    if not (REAL_PRICES / "SPY.csv").is_file():
        pytest.skip(f"real price files not found at {REAL_PRICES} "
                    "(set REPORTGEN_REAL_PRICES to the shared market-data/prices folder)")
    return REAL_PRICES


def series(values: dict[str, float]) -> pd.Series:
    """A close series from {"YYYY-MM-DD": price}."""
    return pd.Series(values, dtype=float).set_axis(pd.DatetimeIndex(list(values)))


def from_returns(start: str, returns: list[float], level: float = 100.0) -> pd.Series:
    """Closes on consecutive business days from ``start`` with the given daily returns."""
    days = pd.bdate_range(start, periods=len(returns) + 1)
    closes = [level]
    for r in returns:
        closes.append(closes[-1] * (1 + r))
    return pd.Series(closes, index=days)


# -- Whole editions: built once per test session and shared (read-only) -------------------
# At most three whole-edition builds run in the suite: the sample archive below, the
# real-data edition, and the rebuild of the sample archive (test_archive.py). Everything
# else is tested at the boundary of its stage.

CLIENTS = """\
clients:
  - {id: acme, name: Acme Family Office, email: [cio@acme.example], adviser: Jane Doe,
     holdings: [{ticker: IWM, weight: 0.5}, {ticker: SPY, weight: 0.3},
                {ticker: AVUV, weight: 0.2}]}
  - {id: birch, name: "Birch & Co <Trust>", email: [a@birch.example, b@birch.example]}
  - {id: cedar, name: Cedar Pension Fund, email: [pm@cedar.example]}
"""
COMMENTARY = ("headline: Our own headline & more\nsections:\n"
              "  verdict: 'We stay **patient** <b>bold?</b>'\n"
              "sentences:\n  performance.streak: 'Our *own* reading of the streak.'\n"
              "  rates.sensitivity: ''\n")
LOGO_RGB = (212, 160, 23)  # firm.svg's colour, used nowhere else in the report


def run_cli(*args: str):
    from typer.testing import CliRunner

    from reportgen.cli import app

    return CliRunner().invoke(app, list(args))


# The command line in a fresh interpreter, printing at its very end what a Python expression
# (the probe) evaluates to: its exit handler is registered before the command runs, so it
# runs after the command's own.
PROBED_CLI = """
import atexit, gc, sys
atexit.register(lambda: print(eval(sys.argv[1])))
from reportgen.cli import app
app(sys.argv[2:], prog_name="reportgen")
"""


def run_probed_cli(probe: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs ``reportgen ARGS`` in a new process; the probe's value is its output's last line."""
    return subprocess.run([sys.executable, "-c", PROBED_CLI, probe, *args],
                          capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive holding the sample October 2026 edition, built through the command line
    with commentary, three clients, the firm's logo from its assets folder and the default
    PDF/A variant, and approved for sending. (Clients with a branding of their own are
    tested in test_edition.py.)
    Layout: assets/, config.yaml, clients.yaml, commentary.yaml, out/."""
    root = tmp_path_factory.mktemp("archive")
    (root / "assets").mkdir()
    (root / "assets" / "firm.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        '<rect width="40" height="40" fill="#d4a017"/></svg>')
    (root / "config.yaml").write_text("assets_dir: assets\nbranding: {firm_name: Acme Capital, "
                                      "logo: firm.svg}\n")
    (root / "clients.yaml").write_text(CLIENTS)
    (root / "commentary.yaml").write_text(COMMENTARY)
    result = run_cli("build", "--source", "sample", "--month", "2026-10",
                     "--out", str(root / "out"), "--clients", str(root / "clients.yaml"),
                     "--commentary", str(root / "commentary.yaml"),
                     "--config", str(root / "config.yaml"))
    assert result.exit_code == 0, result.stderr
    approved = run_cli("approve", "2026-10", "--by", "A. Principal", "--out", str(root / "out"))
    assert approved.exit_code == 0, approved.stderr
    return root


@pytest.fixture(scope="session")
def sample_pdf(sample_archive: Path) -> Path:
    return sample_archive / "out" / "2026-10" / "us-small-cap-outlook-2026-10.pdf"


def macro_folders(root: Path) -> Path | None:
    """A config naming folders of the real FRED and French files (linked, not copied, from
    the shared reference folder); None when that folder is missing."""
    reference = REAL_PRICES.parent / "reference"
    if not (reference / "fred_usrec" / "USREC.csv").is_file():
        return None
    links = {"fred": [*(reference / "fred_2026q1").glob("*.csv"),
                      reference / "fred_usrec" / "USREC.csv"],
             "french": [reference / "ff_factors_monthly" / "F-F_Research_Data_Factors.csv",
                        reference / "ff_size_portfolios" / "Portfolios_Formed_on_ME.CSV"]}
    for kind, files in links.items():
        (root / kind).mkdir(parents=True)
        for file in files:
            (root / kind / file.name).symlink_to(file)
    config = root / "macro.yaml"
    config.write_text(f"macro:\n  fred: {root / 'fred'}\n  french: {root / 'french'}\n"
                      f"  shiller: {reference / 'shiller_ie_data' / 'ie_data.xls'}\n")
    return config


@pytest.fixture(scope="session")
def real_pdf(tmp_path_factory: pytest.TempPathFactory, real_prices: Path) -> Path:
    """The real-data September 2026 edition (no fund data in that source), with the real
    FRED and French series when the reference folder is there."""
    out = tmp_path_factory.mktemp("real")
    config = macro_folders(tmp_path_factory.mktemp("macro"))
    result = run_cli("build", "--source", f"csv:{real_prices}", "--month", "2026-09",
                     "--out", str(out), *(["--config", str(config)] if config else []))
    assert result.exit_code == 0, result.stderr
    return out / "2026-09" / "us-small-cap-outlook-2026-09.pdf"


@functools.cache
def _pages(pdf: Path, version: tuple[int, int]) -> tuple[str, ...]:
    """Poppler's text of each page (a form feed ends each one): about four times faster
    than pypdf's extraction, and the shared editions are read by many tests."""
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    # Layout mode keeps a table row on one line; its column gaps become single spaces.
    return tuple("\n".join(" ".join(line.split()) for line in page.splitlines())
                 for page in text.split("\f")[:-1])


def pdf_text(pdf: Path) -> tuple[str, ...]:
    """Each page's text, extracted once per version of the file."""
    stat = pdf.stat()
    return _pages(pdf, (stat.st_size, stat.st_mtime_ns))


# -- Stage boundaries: sample data, figures and the template context, shared ---------------

@pytest.fixture(scope="session")
def sample_data(tmp_path_factory: pytest.TempPathFactory):
    from reportgen.config import Config
    from reportgen.data.sources import open_source
    from reportgen.data.store import Store

    return Store().load(open_source("sample"), Config().instruments.all_tickers)


@pytest.fixture(scope="session")
def sample_figures(sample_data):
    from reportgen.config import Config
    from reportgen.metrics.report import compute_report_figures

    return compute_report_figures(sample_data, Config().instruments,
                                  pd.Timestamp("2026-10-30"))


class _NoCharts:
    """A drawing of no charts (``chart_drawing.ChartDrawing``'s calls)."""

    def shapes(self, meanwhile: object = None) -> dict[str, None]:
        return {}

    def charts(self) -> dict[str, None]:
        return {}


def stub_rendering(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the build driver's charts, drawings and WeasyPrint with stand-ins (they have
    tests of their own): every HTML document the driver renders is collected in the returned
    list, and each 'PDF' is that HTML's bytes; the clients' drawings are their SVGs, and a
    client's copy is their block's SVG, their portfolio pages' and the body, one after
    another."""
    from reportgen import copies, edition
    from reportgen.render import pdf
    from reportgen.render.pdf import Rendered

    documents: list[str] = []

    def render_document(html: str, **options: object) -> Rendered:
        documents.append(html)
        box = (0.0, 0.0, 0.0, 0.0)
        return Rendered(html.encode(), [{"prepared": box, "portfolio": box}], [])

    def split(drawn: bytes, portfolios: list[list[int]], blocks: list[int],
              body: object) -> list[bytes]:
        drawings = drawn.split(SEPARATOR)
        return [drawings[block] + b"".join(drawings[n] for n in own) + body.pdf  # type: ignore[attr-defined]
                for own, block in zip(portfolios, blocks, strict=True)]

    monkeypatch.setattr(edition, "drawing_charts",
                        lambda data, ins, figures: nullcontext(_NoCharts()))
    monkeypatch.setattr(pdf, "render_document", render_document)  # imported where used
    monkeypatch.setattr(copies, "svg_pages",
                        lambda svgs, fonts: nullcontext(lambda: SEPARATOR.join(svgs())))
    monkeypatch.setattr(copies, "split_client_pages", split)
    return documents


SEPARATOR = b"\0"  # between the stand-in drawings


@pytest.fixture
def stub_renderer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The build driver with stand-ins for charts and WeasyPrint (see stub_rendering)."""
    return stub_rendering(monkeypatch)


def manifest_json(name: str, revision: int = 1) -> str:
    """A valid manifest for a stand-in edition folder ``name`` (YYYY-MM or YYYY-MM-rN)."""
    from reportgen.archive.manifest import Manifest, manifest_text

    month = name[:7]
    return manifest_text(Manifest(
        edition=name, month=month, revision=revision, revision_reason=None,
        as_of=f"{month}-28", source="test", source_spec="sample", sample_data=True,
        built_at=f"{month}-28T18:00:00+00:00", pdf_variant="none", versions={},
        pdf="edition.pdf", client_pdfs={}, headline="", takeaways=[], fetched_at={},
        config={}, previous_edition=None, valuation_history={}, previous_manifest=None,
        files={"edition.pdf": "0" * 64}))


# -- Mail: real SMTP servers on loopback ---------------------------------------------------

class Inbox:
    """Accepts mail; can refuse chosen addresses or drop the connection on a chosen message."""

    def __init__(self, refuse: set[str] = frozenset(), drop_on: int | None = None) -> None:
        self.refuse, self.drop_on = refuse, drop_on
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.data_commands = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        if self.data_commands == self.drop_on:
            server.transport.close()  # the connection drops before the message is accepted
            return "421 4.3.0 Going away"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class DiesWhenUnpickled:
    """Mixed into a value a test hands to a helper process: whatever process unpickles it
    ends at once (exit status 3), as a helper killed mid-task would."""

    def __reduce__(self) -> tuple:
        return os._exit, (3,)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Start servers on loopback; the environment points reportgen at the last one."""
    started = []

    def start(inbox: Inbox, **options) -> Inbox:
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        started.append(controller)
        monkeypatch.setenv("REPORTGEN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("REPORTGEN_SMTP_PORT", str(port))
        monkeypatch.setenv("REPORTGEN_SMTP_SECURITY", "none")
        monkeypatch.setenv("REPORTGEN_SMTP_FROM", "outlook@ewp.example")
        return inbox

    yield start
    for controller in started:
        controller.stop()
