"""FRED and the French data library: the real client code, driven through a requests session
that serves the recorded files from ../shared/market-data/reference; and the macro figures
checked against independent computations on those files."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd
import pytest
import requests
from requests.adapters import BaseAdapter

from reportgen.data.model import MarketData
from reportgen.data.series import FredLive, FrenchLive, SeriesFolder, open_series_source
from reportgen.data.store import Store
from reportgen.errors import ReportgenError
from reportgen.metrics.macro import macro_figures, recession_spans, rolling_spread
from tests.conftest import REAL_PRICES

REFERENCE = REAL_PRICES.parent / "reference"
NOW = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def reference() -> Path:
    if not (REFERENCE / "fred_usrec" / "USREC.csv").is_file():
        pytest.skip(f"reference series not found at {REFERENCE} (the shared market-data "
                    "folder)")
    return REFERENCE


class RecordedServers(BaseAdapter):
    """FRED's CSV endpoint and the French library's zip files, answered from recorded
    files; every request is kept."""

    def __init__(self, fred: dict[str, Path], french: dict[str, Path]) -> None:
        super().__init__()
        self.fred, self.french = fred, french
        self.requests: list[str] = []

    def session(self) -> requests.Session:
        session = requests.Session()
        session.mount("https://", self)
        return session

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        url = urlparse(request.url or "")
        self.requests.append(request.url or "")
        body, status = b"Not Found", 404
        if url.netloc == "fred.stlouisfed.org" and url.path == "/graph/fredgraph.csv":
            path = self.fred.get(parse_qs(url.query)["id"][0])
            if path is not None:
                body, status = path.read_bytes(), 200
        elif url.netloc == "mba.tuck.dartmouth.edu":
            name = url.path.rsplit("/", 1)[-1].removesuffix("_CSV.zip")
            if name in self.french:
                buffer = io.BytesIO()  # the library serves each CSV zipped
                with zipfile.ZipFile(buffer, "w") as archive:
                    archive.write(self.french[name], f"{name}.csv")
                body, status = buffer.getvalue(), 200
        response = requests.Response()
        response.status_code, response._content, response.url = status, body, request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def servers(reference: Path) -> RecordedServers:
    return RecordedServers(
        {"USREC": reference / "fred_usrec" / "USREC.csv",
         "DFF": reference / "fred_dff" / "DFF_2021-08_2026-08.csv",
         **{p.stem: p for p in (reference / "fred_2026q1").glob("*.csv")}},
        {"F-F_Research_Data_Factors": reference / "ff_factors_monthly"
         / "F-F_Research_Data_Factors.csv",
         "Portfolios_Formed_on_ME": reference / "ff_size_portfolios"
         / "Portfolios_Formed_on_ME.CSV"})


def test_fred_series_come_through_the_session_in_fred_units(servers: RecordedServers) -> None:
    fred = FredLive(servers.session())
    usrec = fred.fetch("USREC")  # FRED's own format: observation_date,USREC
    assert usrec["2020-03-01"] == 1 and usrec["2020-05-01"] == 0
    upper = fred.fetch("DFEDTARU")  # Date,Value
    assert upper["2025-12-11"] == 3.75 and upper["2024-09-19"] == 5.00
    assert fred.fetch("DFF")["2025-12-11"] == pytest.approx(3.64)
    assert servers.requests[0] == "https://fred.stlouisfed.org/graph/fredgraph.csv?id=USREC"
    with pytest.raises(ReportgenError, match="Cannot fetch FRED series NOPE"):
        fred.fetch("NOPE")


def test_french_series_are_unzipped_and_turned_into_fractions(servers: RecordedServers
                                                              ) -> None:
    french = FrenchLive(servers.session())
    smb = french.fetch("SMB")
    assert smb["1933-05"].iloc[0] == pytest.approx(0.3596)  # the largest month on record
    assert smb["2000-02"].iloc[0] == pytest.approx(0.2125)
    assert smb.index[0] == pd.Timestamp("1926-07-31") and smb.index[-1] == pd.Timestamp(
        "2025-12-31")
    assert len(smb) == 1194  # the monthly block only, not the annual one after it
    lo = french.fetch("SIZE_LO10")
    assert lo.index[-1] == pd.Timestamp("2024-12-31")


def test_the_store_keeps_them_with_the_same_freshness_rules(servers: RecordedServers,
                                                            tmp_path: Path) -> None:
    store, fred = Store(tmp_path), FredLive(servers.session())
    first = store.load_series(fred, ["USREC", "VIXCLS"], now=NOW)
    asked = len(servers.requests)
    again = store.load_series(fred, ["USREC", "VIXCLS"], now=NOW + timedelta(hours=1))
    assert len(servers.requests) == asked  # fresh: read from the store
    assert again["VIXCLS"].equals(first["VIXCLS"])
    store.load_series(fred, ["USREC"], now=NOW + timedelta(days=1))
    assert len(servers.requests) == asked + 1  # stale: fetched again


def test_a_folder_of_the_same_files_is_read_offline(reference: Path, tmp_path: Path) -> None:
    folder = open_series_source(str(reference / "fred_2026q1"), "fred")
    assert isinstance(folder, SeriesFolder) and folder.has("VIXCLS") and not folder.has("USREC")
    vix = Store(tmp_path).load_series(folder, ["VIXCLS"])["VIXCLS"]
    assert vix.index[-1] == pd.Timestamp("2026-03-26")
    french = open_series_source(str(reference / "ff_factors_2021_unmodified"), "french")
    smb = french.fetch("SMB")  # the library's own file: preamble, CRLF, copyright footer
    assert smb.index[-1] == pd.Timestamp("2021-08-31")


def test_macro_figures_match_an_independent_computation(reference: Path) -> None:
    fred, usrec = reference / "fred_2026q1", reference / "fred_usrec" / "USREC.csv"
    raw = {name: pd.read_csv(fred / f"{name}.csv", parse_dates=["Date"]).set_index("Date")
           ["Value"] for name in ("DFEDTARU", "DFEDTARL", "BAMLH0A0HYM2", "VIXCLS")}
    raw["USREC"] = pd.read_csv(usrec, parse_dates=["observation_date"]).set_index(
        "observation_date")["USREC"]
    size = SeriesFolder(reference / "ff_size_portfolios", "french")
    raw["SIZE_LO10"], raw["SIZE_HI10"] = size.fetch("SIZE_LO10"), size.fetch("SIZE_HI10")
    as_of = pd.Timestamp("2026-09-30")
    figures = macro_figures(MarketData(prices={}, macro=raw, macro_sources=["test"]), as_of)
    assert (figures.target_low, figures.target_high) == (3.50, 3.75)
    hy = raw["BAMLH0A0HYM2"]
    assert figures.high_yield_spread is not None
    assert figures.high_yield_spread.value == hy.iloc[-1]
    assert figures.high_yield_spread.percentile == pytest.approx((hy <= hy.iloc[-1]).mean())
    # Ten-year spread, by hand: compound 120 monthly returns of each decile.
    lo, hi = raw["SIZE_LO10"]["2015-01":"2024-12"], raw["SIZE_HI10"]["2015-01":"2024-12"]
    by_hand = (np.prod(1 + lo) ** 0.1 - 1) - (np.prod(1 + hi) ** 0.1 - 1)
    assert figures.size_spread_10y is not None
    assert figures.size_spread_10y.value == pytest.approx(by_hand)
    spans = recession_spans(raw["USREC"])
    assert (pd.Timestamp("2020-03-01"), pd.Timestamp("2020-04-01")) in spans
    assert (pd.Timestamp("2008-01-01"), pd.Timestamp("2009-06-01")) in spans
    assert len(rolling_spread(lo, hi)) == 1


def test_shillers_workbook_gives_cape_with_octobers_in_place(reference: Path) -> None:
    from reportgen.data.series import read_shiller_cape

    cape = read_shiller_cape(reference / "shiller_ie_data" / "ie_data.xls")
    assert cape["1999-12"].iloc[0] == pytest.approx(44.20, abs=0.01)  # the all-time high
    assert cape["2009-03"].iloc[0] == pytest.approx(13.32, abs=0.01)
    # 1990.1 is October (the workbook's trailing zero is lost), not January.
    assert cape.index.is_unique and cape.index.is_monotonic_increasing
    assert cape.index[0] == pd.Timestamp("1881-01-31")
