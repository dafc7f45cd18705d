"""The yfinance adapter, with yfinance's own code parsing Yahoo-format responses."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import requests
from requests.adapters import BaseAdapter

from reportgen.data.store import Store
from reportgen.data.yahoo_source import YahooSource
from reportgen.errors import ReportgenError
from tests.yahoo_fake import FakeYahoo


def history(first: str, last: str, start: float) -> pd.DataFrame:
    days = pd.bdate_range(first, last)
    closes = [start + 0.25 * i for i in range(len(days))]
    return pd.DataFrame({"close": closes, "adj_close": [c * 0.98 for c in closes]}, index=days)


@pytest.fixture
def yahoo() -> FakeYahoo:
    return FakeYahoo(
        {"IWM": history("2026-08-03", "2026-10-09", 220.0),
         "SPY": history("2026-08-03", "2026-10-09", 640.0),
         "^IRX": history("2026-08-03", "2026-10-09", 3.9)},
        info={"IWM": {"trailingPE": 18.4, "priceToBook": 2.1, "totalAssets": 7.1e10,
                      "longName": "iShares Russell 2000 ETF"},
              "SPY": {"longName": "SPDR S&P 500 ETF Trust"}},
        holdings={"SPY": {"priceToEarnings": 27.5, "priceToBook": 5.0}},
        sectors={"IWM": {"technology": 0.16, "healthcare": 0.15, "industrials": 0.18}},
        top={"IWM": [("CRDO", "Credo Technology Group", 0.0071),
                     ("BE", "Bloom Energy Corp", 0.0065)]},
        valuation={"IWM": {"ForwardPeRatio": 16.1}, "SPY": {"ForwardPeRatio": 22.4,
                                                            "PeRatio": 99.0}},
    )


def source(fake: FakeYahoo, sleeps: list[float] | None = None) -> YahooSource:
    return YahooSource(session=fake.session(), backoff_seconds=1.0,
                       sleep=(sleeps if sleeps is not None else []).append)


def test_batched_download_parses_raw_and_adjusted_closes(yahoo: FakeYahoo,
                                                         capfd: pytest.CaptureFixture) -> None:
    frames = source(yahoo).fetch_prices(["IWM", "SPY", "^IRX"], dict.fromkeys(["IWM", "SPY",
                                                                                "^IRX"]))
    for ticker, served in yahoo.prices.items():
        got = frames[ticker]
        assert list(got.index) == list(served.index)
        assert got["close"].tolist() == pytest.approx(served["close"].tolist())
        assert got["adj_close"].tolist() == pytest.approx(served["adj_close"].tolist())
    assert capfd.readouterr() == ("", "")  # yfinance printed nothing


def test_rate_limits_are_retried_with_growing_back_off(yahoo: FakeYahoo) -> None:
    # yfinance itself retries once per request, so 5 refusals cost our first two attempts.
    yahoo.rate_limited = {"IWM": 5}
    sleeps: list[float] = []
    frames = source(yahoo, sleeps).fetch_prices(["IWM", "SPY"], {"IWM": None, "SPY": None})
    assert len(frames["IWM"]) == len(yahoo.prices["IWM"])
    assert sleeps[:2] == [1.0, 2.0]


def test_a_rate_limit_that_never_lifts_is_a_clear_error(yahoo: FakeYahoo) -> None:
    yahoo.rate_limited = {"SPY": 1000}
    with pytest.raises(ReportgenError, match=r"rate limited.*SPY|SPY.*rate limited"):
        source(yahoo).fetch_prices(["IWM", "SPY"], {"IWM": None, "SPY": None})


def test_an_unknown_ticker_is_named_and_nothing_is_stored(yahoo: FakeYahoo, tmp_path: Path
                                                          ) -> None:
    with pytest.raises(ReportgenError, match=r"no prices for NOPE.*not found on Yahoo"):
        Store(tmp_path).load(source(yahoo), ["IWM", "NOPE"])
    assert not list(tmp_path.rglob("*.parquet"))


class Offline(BaseAdapter):
    def send(self, request, **kwargs):
        raise requests.ConnectionError("Failed to resolve 'query2.finance.yahoo.com'")

    def close(self) -> None:
        pass


def test_no_network_says_how_to_work_offline() -> None:
    session = requests.Session()
    session.mount("https://", Offline())
    with pytest.raises(ReportgenError, match=r"--source csv:DIR.*--source sample"):
        YahooSource(session=session).fetch_prices(["IWM"], {"IWM": None})


def test_fund_data_comes_from_info_valuation_measures_and_fund_holdings(yahoo: FakeYahoo
                                                                        ) -> None:
    funds = source(yahoo).fetch_fundamentals(["IWM", "SPY", "^IRX"])
    frame = funds.fundamentals
    assert frame.at["IWM", "trailing_pe"] == 18.4
    assert frame.at["IWM", "forward_pe"] == 16.1  # Ticker.valuation, where info has none
    assert frame.at["SPY", "forward_pe"] == 22.4
    assert frame.at["IWM", "total_assets"] == 7.1e10
    assert frame.at["IWM", "name"] == "iShares Russell 2000 ETF"
    assert frame.at["SPY", "trailing_pe"] == 99.0  # valuation measures before holdings
    assert frame.at["SPY", "price_to_book"] == 5.0  # from the holdings averages
    assert "Yahoo" in frame.at["SPY", "pe_method"]
    assert "^IRX" not in frame.index
    sectors = funds.sector_weights.set_index("sector")
    assert (sectors["fund"] == "IWM").all() and sectors.at["industrials", "weight"] == 0.18
    assert funds.top_holdings.to_dict("records")[0] == {
        "fund": "IWM", "symbol": "CRDO", "name": "Credo Technology Group", "weight": 0.0071}


def test_store_tops_up_only_the_missing_days(yahoo: FakeYahoo, tmp_path: Path) -> None:
    full = yahoo.prices["IWM"]
    yahoo.prices["IWM"] = full[full.index <= "2026-10-02"]
    store, now = Store(tmp_path), datetime(2026, 10, 3, tzinfo=UTC)
    store.load(source(yahoo), ["IWM"], now=now)
    yahoo.prices["IWM"] = full
    yahoo.chart_requests.clear()
    data = store.load(source(yahoo), ["IWM"], now=now + timedelta(days=7))
    [(symbol, params)] = [r for r in yahoo.chart_requests if "period1" in r[1]]
    assert symbol == "IWM"
    assert pd.Timestamp(int(params["period1"]), unit="s").date() >= pd.Timestamp(
        "2026-10-01").date()
    assert data.adj_close("IWM").tolist() == pytest.approx(full["adj_close"].tolist())
