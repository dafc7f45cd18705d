"""A stand-in for Yahoo's servers, mounted on a real ``requests.Session``.

yfinance is handed that session and runs its own code end to end (cookie and crumb
handshake, chart requests, JSON parsing, time zones); only the network is replaced. Responses
follow the shapes of Yahoo's v8 chart, v10 quoteSummary and v7 quote endpoints.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote, urlparse

import pandas as pd
import requests
from requests.adapters import BaseAdapter

NOT_FOUND = {"chart": {"result": None,
                       "error": {"code": "Not Found",
                                 "description": "No data found, symbol may be delisted"}}}


def _bar_time(day: pd.Timestamp) -> int:
    """Yahoo stamps daily bars at the New York open."""
    return int(datetime(day.year, day.month, day.day, 14, 30, tzinfo=UTC).timestamp())


class FakeYahoo(BaseAdapter):
    def __init__(self, prices: dict[str, pd.DataFrame], info: dict[str, dict] | None = None,
                 holdings: dict[str, dict] | None = None,
                 rate_limited: dict[str, int] | None = None,
                 sectors: dict[str, dict[str, float]] | None = None,
                 top: dict[str, list[tuple[str, str, float]]] | None = None,
                 valuation: dict[str, dict[str, float]] | None = None) -> None:
        super().__init__()
        self.prices = prices  # ticker → frame with close and adj_close columns
        self.info = info or {}
        self.holdings = holdings or {}  # ticker → equityHoldings averages
        self.sectors = sectors or {}  # ticker → {sector: weight}
        self.top = top or {}  # ticker → [(symbol, name, weight)]
        self.valuation = valuation or {}  # ticker → {"PeRatio": 15.0, ...} (trailing series)
        self.rate_limited = dict(rate_limited or {})  # ticker → chart requests to refuse
        self.chart_requests: list[tuple[str, dict[str, str]]] = []

    def session(self) -> requests.Session:
        session = requests.Session()
        session.mount("https://", self)
        session.mount("http://", self)
        return session

    def close(self) -> None:
        pass

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        url = urlparse(unquote(request.url or ""))
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path.startswith("/v8/finance/chart/"):
            return self._chart(request, url.path.rsplit("/", 1)[1], params)
        if url.path.startswith("/v10/finance/quoteSummary/"):
            return self._quote_summary(request, url.path.rsplit("/", 1)[1])
        if url.path == "/v7/finance/quote":
            symbol = params.get("symbols", "")
            body = {"quoteResponse": {"result": [{"symbol": symbol}], "error": None}}
            return _response(request, 200, json.dumps(body))
        if url.path.startswith("/ws/fundamentals-timeseries/"):
            return _response(request, 200, json.dumps(
                self._timeseries(url.path.rsplit("/", 1)[1])))
        if url.path == "/v1/test/getcrumb":
            return _response(request, 200, "fake-crumb")
        return _response(request, 200 if url.netloc == "fc.yahoo.com" else 404, "")

    def _chart(self, request: requests.PreparedRequest, symbol: str,
               params: dict[str, str]) -> requests.Response:
        self.chart_requests.append((symbol, params))
        if self.rate_limited.get(symbol, 0) > 0:
            self.rate_limited[symbol] -= 1
            return _response(request, 429, "Too Many Requests")
        if symbol not in self.prices:
            return _response(request, 404, json.dumps(NOT_FOUND))
        frame = self.prices[symbol]
        if "period1" in params:
            first = pd.Timestamp(int(params["period1"]), unit="s").normalize()
            last = pd.Timestamp(int(params["period2"]), unit="s")
            frame = frame[(frame.index >= first) & (frame.index < last)]
        else:  # range=1d, as yfinance asks when it looks up the time zone
            frame = frame.iloc[-1:]
        return _response(request, 200, json.dumps(_chart_body(symbol, frame)))

    def _quote_summary(self, request: requests.PreparedRequest, symbol: str
                       ) -> requests.Response:
        if symbol not in self.info:
            return _response(request, 404, json.dumps(
                {"quoteSummary": {"result": None, "error": {"code": "Not Found"}}}))
        info = self.info[symbol]
        result = {
            "quoteType": {"quoteType": info.get("quoteType", "ETF"), "symbol": symbol,
                          "longName": info.get("longName")},
            "summaryDetail": {k: {"raw": v, "fmt": str(v)} for k, v in info.items()
                              if k not in ("quoteType", "longName", "sector")},
            "assetProfile": {"sector": info["sector"]} if "sector" in info else {},
            "summaryProfile": {"longBusinessSummary": ""},
            "topHoldings": {
                "holdings": [{"symbol": s, "holdingName": n, "holdingPercent": w}
                             for s, n, w in self.top.get(symbol, [])],
                "sectorWeightings": [{k: v} for k, v in self.sectors.get(symbol, {}).items()],
                "equityHoldings": {k: {"raw": v, "fmt": str(v)}
                                   for k, v in self.holdings.get(symbol, {}).items()}},
            "fundProfile": {"categoryName": "Small Blend", "feesExpensesInvestment": {}},
        }
        return _response(request, 200, json.dumps({"quoteSummary": {"result": [result],
                                                                    "error": None}}))


    def _timeseries(self, symbol: str) -> dict:
        """Yahoo's fundamentals-timeseries shape: one result per measure."""
        result = [{"meta": {"symbol": [symbol], "type": [f"trailing{name}"]},
                   "timestamp": [1791504000],
                   f"trailing{name}": [{"asOfDate": "2026-10-09", "periodType": "TTM",
                                        "reportedValue": {"raw": value, "fmt": str(value)}}]}
                  for name, value in self.valuation.get(symbol, {}).items()]
        return {"timeseries": {"result": result, "error": None}}


def _chart_body(symbol: str, frame: pd.DataFrame) -> dict:
    closes = [round(float(v), 6) for v in frame["close"]]
    meta = {"currency": "USD", "symbol": symbol, "exchangeName": "PCX", "fullExchangeName":
            "NYSEArca", "instrumentType": "ETF", "firstTradeDate": 0, "regularMarketTime": 0,
            "hasPrePostMarketData": True, "gmtoffset": -14400, "timezone": "EDT",
            "exchangeTimezoneName": "America/New_York", "regularMarketPrice": closes[-1]
            if closes else None, "priceHint": 2, "dataGranularity": "1d", "range": "",
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd",
                            "max"]}
    return {"chart": {"result": [{
        "meta": meta,
        "timestamp": [_bar_time(day) for day in frame.index],
        "indicators": {"quote": [{"open": closes, "high": closes, "low": closes,
                                  "close": closes, "volume": [1000] * len(closes)}],
                       "adjclose": [{"adjclose": [round(float(v), 6)
                                                  for v in frame["adj_close"]]}]},
    }], "error": None}}


def _response(request: requests.PreparedRequest, status: int, body: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body.encode()
    response.encoding = "utf-8"
    response.headers["Content-Type"] = "application/json"
    response.url = request.url or ""
    response.request = request
    return response
