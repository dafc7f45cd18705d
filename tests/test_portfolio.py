"""A client's portfolio figures, against an independent computation on the real prices."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from reportgen.clients import Holding
from reportgen.data.csv_source import read_price_csv
from reportgen.metrics.portfolio import (
    PORTFOLIO_PERIODS,
    HoldingFigures,
    PortfolioFigures,
    portfolio_figures,
)
from reportgen.render.portfolio import BY_UNITS, BY_WEIGHTS, _bars, portfolio_pages
from tests import independent

AS_OF = date(2026, 9, 30)
TICKERS = ("IWM", "SPY", "AVUV")


@pytest.fixture(scope="module")
def closes(real_prices: Path) -> dict[str, pd.Series]:
    return {t: read_price_csv(real_prices / f"{t}.csv")["adj_close"] for t in TICKERS}


@pytest.fixture(scope="module")
def by_hand(real_prices: Path) -> dict[str, tuple[list[date], list[float]]]:
    return {t: independent.read_closes(real_prices / f"{t}.csv") for t in TICKERS}


def test_a_weighted_portfolio_matches_an_independent_computation(closes, by_hand) -> None:
    weights = {"IWM": 0.5, "SPY": 0.3, "AVUV": 0.2}
    holdings = [Holding(ticker=t, weight=w) for t, w in weights.items()]
    figures = portfolio_figures(holdings, closes, pd.Timestamp(AS_OF), {"IWM", "AVUV"})
    for period in PORTFOLIO_PERIODS:
        start = independent.start_of(period, AS_OF)
        returns = {t: independent.period_return(*by_hand[t], start, AS_OF)[0] for t in TICKERS}
        assert figures.returns[period] == pytest.approx(
            sum(weights[t] * returns[t] for t in TICKERS), abs=1e-12)
        for row in figures.holdings:
            assert row.returns[period] == pytest.approx(returns[row.ticker], abs=1e-12)
            assert row.contributions[period] == pytest.approx(
                weights[row.ticker] * returns[row.ticker], abs=1e-12)
    assert figures.small_cap_share == pytest.approx(0.7)
    assert figures.unpriced == []


def test_a_portfolio_of_units_is_valued_at_each_period_start(closes, by_hand) -> None:
    units = {"IWM": 120.0, "SPY": 40.0, "AVUV": 300.0}
    holdings = [Holding(ticker=t, units=u) for t, u in units.items()]
    figures = portfolio_figures(holdings, closes, pd.Timestamp(AS_OF), {"IWM", "AVUV"})

    def value(day: date) -> float:
        return sum(u * by_hand[t][1][independent.last_on_or_before(by_hand[t][0], day)]
                   for t, u in units.items())

    for period in PORTFOLIO_PERIODS:
        start = independent.start_of(period, AS_OF)
        assert figures.returns[period] == pytest.approx(value(AS_OF) / value(start) - 1,
                                                        abs=1e-12)
        assert sum(r.contributions[period] for r in figures.holdings) == pytest.approx(
            figures.returns[period], abs=1e-12)
    now = {t: units[t] * by_hand[t][1][independent.last_on_or_before(by_hand[t][0], AS_OF)]
           for t in TICKERS}
    assert {r.ticker: r.weight for r in figures.holdings} == pytest.approx(
        {t: v / sum(now.values()) for t, v in now.items()})
    assert figures.small_cap_share == pytest.approx((now["IWM"] + now["AVUV"])
                                                    / sum(now.values()))


def test_a_holding_without_prices_is_named_and_never_valued_at_zero(closes) -> None:
    holdings = [Holding(ticker="IWM", weight=0.6), Holding(ticker="ZZZZ", weight=0.4)]
    figures = portfolio_figures(holdings, closes, pd.Timestamp(AS_OF), {"IWM"})
    assert figures.unpriced == ["ZZZZ"]
    assert figures.returns == dict.fromkeys(PORTFOLIO_PERIODS)  # no total without it
    assert figures.holdings[0].returns["YTD"] is not None
    assert figures.holdings[1].returns == dict.fromkeys(PORTFOLIO_PERIODS)
    # A holding whose prices start inside a period has no return for it, and the
    # portfolio none either; the shorter periods are computed.
    young = {**closes, "AVUV": closes["AVUV"][closes["AVUV"].index > "2026-03-01"]}
    mixed = portfolio_figures([Holding(ticker="IWM", weight=0.5),
                               Holding(ticker="AVUV", weight=0.5)], young,
                              pd.Timestamp(AS_OF), {"IWM"})
    assert mixed.returns["1Y"] is None and mixed.returns["YTD"] is None
    assert mixed.returns["MTD"] is not None


@pytest.mark.parametrize(("holdings", "message"), [
    ("[{ticker: IWM, weight: 0.6}, {ticker: SPY, weight: 0.3}]", "add up to 0.9000, not 1"),
    ("[{ticker: IWM, weight: 0.5}, {ticker: SPY, units: 10}]", "weights for every line or"),
    ("[{ticker: IWM}]", "give a weight or units, not both or neither"),
    ("[{ticker: IWM, weight: 0.5}, {ticker: iwm, weight: 0.5}]", "IWM is listed twice"),
    ("[{ticker: ../x, weight: 1}]", "is not a ticker"),
])
def test_holdings_in_the_clients_file_are_checked(tmp_path: Path, holdings: str,
                                                  message: str) -> None:
    from reportgen.clients import load_clients
    from reportgen.errors import ReportgenError

    path = tmp_path / "clients.yaml"
    path.write_text("clients:\n  - {id: acme, name: Acme, email: [a@acme.example],\n"
                    f"     holdings: {holdings}}}\n")
    with pytest.raises(ReportgenError, match=rf"clients\.yaml: clients\[1\] \(acme\): "
                                             rf"holdings.*{message}"):
        load_clients(path)


def test_a_holdings_file_is_read_beside_the_clients_file_and_stored_inline(
        tmp_path: Path) -> None:
    from reportgen.clients import load_clients, parse_clients
    from reportgen.config import parse_yaml
    from reportgen.errors import ReportgenError

    (tmp_path / "birch.csv").write_text("ticker,units\nIWM,1200\npowl,150\n")
    path = tmp_path / "clients.yaml"
    path.write_text("clients:\n  - {id: birch, name: Birch, email: [b@birch.example], "
                    "holdings_file: birch.csv}\n")
    clients = load_clients(path)
    assert [(h.ticker, h.units) for h in clients.clients[0].holdings] == [
        ("IWM", 1200.0), ("POWL", 150.0)]
    assert clients.holding_tickers == ["IWM", "POWL"]
    stored = clients.as_stored()  # what an edition keeps: readable without birch.csv
    assert parse_clients(parse_yaml(stored, path), tmp_path / "elsewhere.yaml") == clients
    (tmp_path / "birch.csv").write_text("symbol,amount\nIWM,1\n")
    with pytest.raises(ReportgenError, match=r"birch\.csv: expected a header 'ticker,weight'"):
        load_clients(path)


def test_contribution_bars_agree_with_their_printed_figures() -> None:
    """Bars are as long as each contribution against the largest; one printed as 0.0% has
    none, whatever its sign; without any contribution there are no bars."""
    def figures(contributions: dict[str, float | None]) -> PortfolioFigures:
        return PortfolioFigures(
            holdings=[HoldingFigures(t, 0.25, {}, {"YTD": c}) for t, c in contributions.items()],
            returns={}, small_cap_share=None, unpriced=[])

    bars = _bars(figures({"IWM": -0.02, "SPY": 0.01, "QQQ": -0.0004, "IJR": 0.0004}))
    assert [(b.value, b.length, b.colour) for b in bars] == [
        ("−2.0%", 1.0, "loss"), ("+1.0%", 0.5, "gain"), ("0.0%", 0.0, "loss"),
        ("0.0%", 0.0, "gain")]
    assert [b.length for b in _bars(figures({"IWM": 0.0, "SPY": None}))] == [0.0, 0.0]
    assert _bars(figures({"IWM": None})) == []


def test_the_page_says_how_its_figures_were_computed_for_the_holdings_given(
        closes, sample_figures) -> None:
    """Weights and units are computed differently; a client's page explains its own way."""
    from reportgen.config import Instruments

    given = {"weights": [Holding(ticker="IWM", weight=0.6), Holding(ticker="SPY", weight=0.4)],
             "units": [Holding(ticker="IWM", units=100.0), Holding(ticker="SPY", units=20.0)]}
    methods = {}
    for kind, holdings in given.items():
        pages = portfolio_pages(portfolio_figures(holdings, closes, pd.Timestamp(AS_OF),
                                                  {"IWM"}), sample_figures, Instruments())
        words = [t.text or "" for page in pages for t in ET.fromstring(page.svg()).iter()
                 if t.tag.endswith("text")]
        methods[kind] = " ".join(words)
    assert BY_WEIGHTS in methods["weights"] and "units" not in methods["weights"]
    assert BY_UNITS in methods["units"] and BY_WEIGHTS not in methods["units"]
    assert all("Total returns on adjusted closes" in m for m in methods.values())


def test_a_long_portfolio_runs_onto_more_pages_each_row_once_in_order(sample_figures
                                                                     ) -> None:
    """A page breaks between the table's parts and before the bars' caption; the heading
    and the finding open the first page only, and no page is taller than the column."""
    from reportgen.config import Instruments
    from reportgen.render.drawn import PT_PER_MM
    from reportgen.render.portfolio import CAPTION, HEADING, TEXT_HEIGHT_MM

    tickers = [f"T{n:02d}" for n in range(70)]
    figures = PortfolioFigures(
        holdings=[HoldingFigures(t, 1 / 70, {"MTD": 0.01, "YTD": 0.02, "1Y": 0.03},
                                 {"YTD": 0.02 / 70 * (1 + n % 3)})
                  for n, t in enumerate(tickers)],
        returns={"MTD": 0.01, "YTD": 0.02, "1Y": 0.03}, small_cap_share=None,
        unpriced=["GONE"])
    pages = portfolio_pages(figures, sample_figures, Instruments())
    assert len(pages) >= 3
    assert all(page.height <= TEXT_HEIGHT_MM["A4"] * PT_PER_MM for page in pages)
    texts = [[t.text or "" for t in ET.fromstring(page.svg()).iter() if t.tag.endswith("text")]
             for page in pages]
    # The heading opens the first page; the only other "Your portfolio" is the table's total.
    assert texts[0][0] == HEADING and sum(page.count(HEADING) for page in texts) == 2
    rows = [t for page in texts for t in page if t in tickers]
    assert rows == tickers + tickers  # each in the table, then in the bars
    notes = [n for n, page in enumerate(texts) if any(t.startswith("GONE:") for t in page)]
    caption = [n for n, page in enumerate(texts) if CAPTION in page]
    assert len(notes) == 1 and len(caption) == 1 and notes[0] <= caption[0]
    # The caption is never the last thing on its page: its first bars come with it.
    assert texts[caption[0]][-2:] != [CAPTION] and texts[caption[0]].index(CAPTION) < len(
        texts[caption[0]]) - 2


MODEL = "[{ticker: IWM, weight: 0.6}, {ticker: SPY, weight: 0.4}]"
OWN = "[{ticker: IWM, weight: 0.5}, {ticker: AVUV, weight: 0.5}]"


def test_clients_holding_the_same_share_one_portfolio_page_and_each_copy_has_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model portfolio held by several clients of a batch is drawn once (the page shows
    only the holdings and the edition's figures); each holder's copy has that page after
    their own cover block, a client with other holdings their own, one with none no page."""
    from pypdf import PdfReader

    from reportgen import copies
    from reportgen.config import Config
    from reportgen.data.sources import open_source
    from reportgen.data.store import Store
    from reportgen.edition import EditionRequest, build_edition, load_market_data
    from tests.conftest import pdf_text

    holds = {"a": MODEL, "b": OWN, "c": None, "d": MODEL, "e": MODEL}
    (tmp_path / "clients.yaml").write_text("clients:\n" + "".join(
        f"  - {{id: {c}, name: Client {c.upper()}, email: [{c}@example.com]"
        f"{f', holdings: {h}' if h else ''}}}\n" for c, h in holds.items()))
    drawn: list[tuple[int, int]] = []

    def counted(job: copies.CopyJob, batch: copies.Batch):  # type: ignore[no-untyped-def]
        pages = draw_batch(job, batch)
        drawn.append((len({n for own in pages.portfolios for n in own}), len(pages.blocks)))
        return pages

    draw_batch = copies.draw_batch
    monkeypatch.setattr(copies, "draw_batch", counted)
    data = load_market_data(open_source("sample"), Config(), Store(), None,
                            ["IWM", "SPY", "AVUV"])
    built = build_edition(data, Config(), EditionRequest(
        out_dir=tmp_path / "out", month=pd.Period("2026-10"),
        clients=tmp_path / "clients.yaml"))
    # Two portfolio pages, where each holder's own would be four, and five blocks.
    assert drawn == [(2, 5)]
    master = len(PdfReader(built.pdf).pages)
    portfolio_pages = {}
    for client, held in holds.items():
        text = pdf_text(built.client_pdfs[client])
        assert f"Prepared for Client {client.upper()}" in text[0]
        assert len(text) == master + (1 if held else 0)
        if held:
            assert text[2].startswith("Your portfolio")
            portfolio_pages[client] = text[2]
    assert portfolio_pages["a"] == portfolio_pages["d"] == portfolio_pages["e"]
    for client, page in portfolio_pages.items():  # shared, so it names no client
        assert not any(f"Client {other.upper()}" in page for other in holds), client
    assert "Russell 2000" in portfolio_pages["a"] and "AVUV" not in portfolio_pages["a"]
    assert "AVUV" in portfolio_pages["b"] and portfolio_pages["b"] != portfolio_pages["a"]


def test_holders_of_one_model_portfolio_are_batched_together(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """So that a model's page is drawn once a batch, not once in every batch a holder
    happens to fall into; brandings still batch apart, in the order of their first client."""
    from reportgen import copies
    from reportgen.clients import Client
    from reportgen.config import Branding

    def client(name: str, *held: str) -> Client:
        return Client(id=name, name=name, email=[f"{name}@example.com"],
                      holdings=[Holding(ticker=t, weight=1 / len(held)) for t in held])

    house, other = Branding(), Branding(firm_name="Other Partners")
    given = [(house, client("a", "IWM", "SPY")), (house, client("b", "AVUV")),
             (other, client("x", "IWM", "SPY")), (house, client("c", "IWM", "SPY")),
             (house, client("d")), (house, client("e", "AVUV"))]
    monkeypatch.setattr(copies, "CLIENTS_PER_DOCUMENT", 2)
    made = [(batch.branding.firm_name, [c.id for c in batch.clients])
            for batch in copies.batches(given)]
    assert made == [(house.firm_name, ["a", "c"]), (house.firm_name, ["b", "e"]),
                    (house.firm_name, ["d"]), ("Other Partners", ["x"])]
    assert copies.portfolio_page_holders([c for _, c in given]) == [0, 1, 0, 0, None, 1]
