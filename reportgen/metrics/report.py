"""Every figure the monthly report prints, computed once from the market data.

The result is plain data (dataclasses and DataFrames) that the charting and rendering stages
read; nothing here formats text.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from reportgen.config import Instruments
from reportgen.data.model import MarketData, rows_to
from reportgen.metrics import fed, periods, relative, risk, universe
from reportgen.metrics.macro import MacroFigures, Reading, macro_figures, reading
from reportgen.metrics.relative import RelativeSummary
from reportgen.metrics.signals import Signal
from reportgen.metrics.valuation import ValuationRatio, valuation_ratios

# "MTD" is the month of the edition (from the last close of the month before): the one
# definition of "the month" in every table, chart and sentence.
TABLE_PERIODS = ["MTD", "3M", "6M", "YTD", "1Y", "3Y", "5Y"]
ANNUALISED_IN_TABLE = ["3Y", "5Y"]


@dataclass(frozen=True)
class RateSensitivity:
    """A least-squares fit of monthly small-minus-large returns on monthly changes in the
    10-year yield: a slope per percentage point, not an average of months that moved by one
    point (few did)."""

    slope: float  # return difference per +1 pp change in the yield
    correlation: float
    months: int


@dataclass(frozen=True)
class RatesFigures:
    bill_yield: float | None  # percent, on the as-of date
    ten_year_yield: float | None
    ten_year_change_3m: float | None  # percentage points
    bill_change_12m: float | None
    sensitivity: RateSensitivity | None  # None with under 12 months of shared data
    fed_study: pd.DataFrame  # horizons (months) × mean, median, count, share_positive
    cuts_in_study: int
    # The same, for the first cut of each easing cycle only: 2001's eleven cuts are not
    # eleven independent observations.
    fed_study_cycle_starts: pd.DataFrame
    cycle_starts_in_study: int
    # The latest cut: its date, its number in its easing cycle, and when the cycle began.
    latest_cut: tuple[pd.Timestamp, int, pd.Timestamp] | None
    first_cut: pd.Timestamp | None
    last_cut: pd.Timestamp | None


# Below this many stocks a share or a spread across "the universe" says nothing about small
# caps: the statistics are not computed.
MIN_UNIVERSE = 30


@dataclass(frozen=True)
class QualityFigures:
    fundamentals: pd.DataFrame  # funds × earnings_growth, return_on_equity, profit_margin
    universe: list[str]  # the stocks with prices, as configured
    # None below MIN_UNIVERSE stocks with data:
    share_unprofitable: float | None
    dispersion_ytd: float | None
    share_above_200d: float | None

    @property
    def universe_size(self) -> int:
        return len(self.universe)


@dataclass(frozen=True)
class RiskFigures:
    volatility_3m: dict[str, float | None]
    volatility_1y: dict[str, float | None]
    correlation_1y: float | None
    drawdown_now: dict[str, float | None]
    max_drawdown_3y: dict[str, risk.Drawdown | None]


@dataclass(frozen=True)
class ReportFigures:
    """Every figure of one edition. Built once by ``compute_report_figures``; never changed
    afterwards."""

    as_of: pd.Timestamp
    month: pd.Period
    source: str
    is_sample: bool
    small: str  # the primary pair, e.g. IWM and SPY
    large: str
    returns: pd.DataFrame  # tickers × TABLE_PERIODS; 3Y and 5Y annualised; NaN = no data
    month_returns: pd.Series  # calendar month to the as-of date (MTD), same tickers
    relative: dict[tuple[str, str], RelativeSummary | None]  # (small, large) pairs
    valuation: list[ValuationRatio]
    fundamentals_as_of: pd.Timestamp | None  # the date the small-cap fund's figures are as of
    rates: RatesFigures
    quality: QualityFigures
    sector_weights: pd.DataFrame  # sector × [small, large], the small fund's largest first
    leaders_month: pd.Series  # every universe stock with a month return, best first
    leaders_ytd: pd.Series
    # The month's returns by sector (stocks, median, share_up); empty below MIN_UNIVERSE
    # stocks with a sector.
    sector_month: pd.DataFrame
    watch_month: pd.Series
    watch_ytd: pd.Series
    sectors: dict[str, str]  # sector of each universe and watch-list stock the source names
    vehicles: pd.DataFrame
    risk: RiskFigures
    macro: MacroFigures  # the policy rate, credit, volatility, the decades; empty without data
    signals: list[Signal]
    series_ends: dict[str, pd.Timestamp | None]  # last close used per ticker
    fetched_at: dict[str, datetime]  # when each series was fetched from the source
    # Calendar months running, to the as-of month, that small caps beat (+) or trailed (−)
    # large caps.
    month_lead_streak: int
    # The month's small-minus-large return against every calendar month of shared history.
    month_gap: Reading | None
    # The last earlier day the six-month small-minus-large spread was as wide (same sign).
    spread_6m_last_as_wide: pd.Timestamp | None
    missing: list[str]  # plain-English notes of absent data

    @property
    def best_sharpe(self) -> tuple[str, float] | None:
        """The vehicle with the highest three-year Sharpe ratio, and that ratio: the one
        measure of "best risk-adjusted" that text and charts both use."""
        sharpe = self.vehicles["sharpe_3y"].dropna() if "sharpe_3y" in self.vehicles else None
        if sharpe is None or sharpe.empty:
            return None
        return str(sharpe.idxmax()), float(sharpe.max())

    @property
    def pair(self) -> RelativeSummary | None:
        """Relative strength of the primary pair; None with under a year of shared history."""
        return self.relative.get((self.small, self.large))


def number_at(table: pd.DataFrame, row: Hashable, column: str) -> float | None:
    """The number in ``table`` at ``row``, ``column``; None when the row, the column or the
    value is missing (NaN)."""
    if row not in table.index or column not in table.columns:
        return None
    value = table.at[row, column]
    # A cell's static type is any scalar; the tables passed here hold numbers.
    return None if pd.isna(value) else float(value)  # type: ignore[arg-type]


def _history(data: MarketData, ticker: str, as_of: pd.Timestamp) -> pd.Series:
    return rows_to(data.adj_close(ticker), as_of)


def returns_with_annualised(closes: pd.Series, as_of: pd.Timestamp) -> dict[str, float]:
    row = {}
    for period in TABLE_PERIODS:
        result = periods.period_return(closes, period, as_of)
        if result is None:
            row[period] = np.nan
        else:
            row[period] = result.annualised if period in ANNUALISED_IN_TABLE else result.total
    return row


def _value_on(series: pd.Series, day: pd.Timestamp) -> float | None:
    found = periods.close_on_or_before(series, day)
    return None if found is None else found[1]


def _change(series: pd.Series, period: str, as_of: pd.Timestamp) -> float | None:
    now = _value_on(series, as_of)
    then = _value_on(series, periods.period_start(period, as_of))
    return None if now is None or then is None else now - then


def monthly_spreads(small: pd.Series, large: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Small-minus-large return of each calendar month on shared trading days, from the last
    close of the month before to the month's last close (the as-of month runs to ``as_of``),
    indexed by that last close. The first month, with no close before it, is left out."""
    both = relative.aligned(small, large, as_of)
    month_ends = both.groupby(pd.DatetimeIndex(both.index).to_period("M")).tail(1)
    return (month_ends["small"].pct_change() - month_ends["large"].pct_change()).dropna()


def monthly_lead_streak(small: pd.Series, large: pd.Series, as_of: pd.Timestamp) -> int:
    signs = np.sign(monthly_spreads(small, large, as_of).to_numpy())[::-1]
    if not len(signs) or signs[0] == 0:
        return 0
    run = int(np.argmax(signs != signs[0])) if (signs != signs[0]).any() else len(signs)
    return run * int(signs[0])


def _last_as_wide_6m(small: pd.Series, large: pd.Series, as_of: pd.Timestamp
                     ) -> pd.Timestamp | None:
    spreads = relative.rolling_spread(small, large, 6, as_of)
    return relative.last_as_wide(spreads) if len(spreads) else None


def rate_sensitivity(small: pd.Series, large: pd.Series, ten_year: pd.Series,
                     as_of: pd.Timestamp) -> RateSensitivity | None:
    """Slope and correlation of monthly small-minus-large returns on monthly changes in the
    10-year yield (pp), over the three years to ``as_of``."""
    start = periods.period_start("3Y", as_of)
    frame = pd.concat({"small": small, "large": large, "yield": ten_year}, axis=1,
                      sort=True).ffill()
    frame = frame[(frame.index >= start) & (frame.index <= as_of)].dropna()
    monthly = frame.resample("ME").last()
    spread = monthly["small"].pct_change() - monthly["large"].pct_change()
    moves = monthly["yield"].diff()
    both = pd.concat([spread, moves], axis=1).dropna()
    if len(both) < 12:
        return None
    slope = float(both.iloc[:, 0].cov(both.iloc[:, 1]) / both.iloc[:, 1].var())
    return RateSensitivity(slope, float(both.iloc[:, 0].corr(both.iloc[:, 1])), len(both))


def rates_figures(data: MarketData, ins: Instruments, as_of: pd.Timestamp) -> RatesFigures:
    small, large = (_history(data, t, as_of) for t in ins.primary_pair)
    bills, ten_year = _history(data, ins.short_rate, as_of), _history(data, ins.long_rate, as_of)
    every_cut = fed.load_fomc_cuts()["date"]
    starts = fed.cycle_starts(every_cut)  # judged on the whole record, not the window
    inside = ((every_cut <= as_of) & (every_cut >= max(small.index[0], large.index[0]))
              if len(small) and len(large) else every_cut != every_cut)
    cuts = every_cut[inside]
    table = fed.event_returns(small, large, cuts, as_of)
    first_cuts = table[starts[inside].to_numpy()]
    sensitivity = rate_sensitivity(small, large, ten_year, as_of) if len(ten_year) else None
    return RatesFigures(
        bill_yield=_value_on(bills, as_of), ten_year_yield=_value_on(ten_year, as_of),
        ten_year_change_3m=_change(ten_year, "3M", as_of),
        bill_change_12m=_change(bills, "1Y", as_of),
        sensitivity=sensitivity,
        fed_study=fed.summarise_events(table), cuts_in_study=len(table),
        fed_study_cycle_starts=fed.summarise_events(first_cuts),
        cycle_starts_in_study=len(first_cuts),
        latest_cut=fed.place_in_cycle(every_cut, as_of),
        first_cut=cuts.iloc[0] if len(cuts) else None,
        last_cut=cuts.iloc[-1] if len(cuts) else None,
    )


def quality_figures(data: MarketData, ins: Instruments, as_of: pd.Timestamp,
                    closes: dict[str, pd.Series], ytd: pd.Series) -> QualityFigures:
    """The funds' fundamentals, and across the universe: the share unprofitable, the spread
    of year-to-date returns (``ytd``, from the stocks' ``closes`` to ``as_of``) and the
    share above the 200-day average."""
    columns = ["earnings_growth", "return_on_equity", "profit_margin"]
    funds = [*ins.small_caps, *ins.large_caps]
    table = data.fundamentals.reindex(index=funds, columns=columns).astype(float)
    table = table.dropna(how="all")
    margins = data.fundamentals.reindex(index=ins.universe)["profit_margin"].dropna() \
        if "profit_margin" in data.fundamentals else pd.Series(dtype=float)
    above = universe.share_above_moving_average(closes, as_of)
    return QualityFigures(
        fundamentals=table,
        universe=list(closes),
        share_unprofitable=float((margins < 0).mean()) if len(margins) >= MIN_UNIVERSE
        else None,
        dispersion_ytd=universe.dispersion(ytd) if len(ytd) >= MIN_UNIVERSE else None,
        share_above_200d=above if len(closes) >= MIN_UNIVERSE else None,
    )


def vehicle_table(data: MarketData, ins: Instruments, as_of: pd.Timestamp) -> pd.DataFrame:
    """Ways to play: 1Y and 3Y return, 3Y volatility, drawdown and Sharpe, costs and size."""
    bills = _history(data, ins.short_rate, as_of)
    start = periods.period_start("3Y", as_of)
    rows = {}
    for ticker in [*ins.small_caps, *ins.small_cap_styles]:
        closes = _history(data, ticker, as_of)
        if closes.empty:
            continue
        three = periods.period_return(closes, "3Y", as_of)
        one = periods.period_return(closes, "1Y", as_of)
        span = risk.window(closes, start, as_of) if three else None
        rows[ticker] = {
            "return_1y": one.total if one else np.nan,
            "return_3y_annualised": three.annualised if three else np.nan,
            "volatility_3y": risk.volatility(span) if span is not None else np.nan,
            "max_drawdown_3y": risk.max_drawdown(span).depth if span is not None else np.nan,
            "sharpe_3y": (risk.sharpe_ratio(closes, bills, start, as_of) or np.nan)
            if three else np.nan,
            "expense_ratio": _or_nan(data.fundamental(ticker, "expense_ratio")),
            "total_assets": _or_nan(data.fundamental(ticker, "total_assets")),
        }
    return pd.DataFrame.from_dict(rows, orient="index").astype(float)


def risk_figures(data: MarketData, ins: Instruments, as_of: pd.Timestamp) -> RiskFigures:
    pair = ins.primary_pair
    closes = {t: _history(data, t, as_of) for t in pair}
    year_start = periods.period_start("1Y", as_of)
    three_start = periods.period_start("3Y", as_of)
    vol_3m, vol_1y, now, worst = {}, {}, {}, {}
    for ticker, series in closes.items():
        rolling = risk.rolling_volatility(series, periods.TRADING_DAYS_3M)
        vol_3m[ticker] = float(rolling.iloc[-1]) if len(rolling) else None
        has_year = periods.close_on_or_before(series, year_start) is not None
        vol_1y[ticker] = risk.volatility(risk.window(series, year_start, as_of)) \
            if has_year else None
        has_three = periods.close_on_or_before(series, three_start) is not None
        span = risk.window(series, three_start, as_of)
        now[ticker] = float(risk.underwater(span).iloc[-1]) if has_three else None
        worst[ticker] = risk.max_drawdown(span) if has_three else None
    correlation = risk.correlation(risk.window(closes[pair[0]], year_start, as_of),
                                   risk.window(closes[pair[1]], year_start, as_of))
    return RiskFigures(vol_3m, vol_1y, correlation, now, worst)


def _or_nan(value: float | None) -> float:
    return np.nan if value is None else value


def compute_signals(data: MarketData, small: str, large: str,
                    valuation: list[ValuationRatio], pair: RelativeSummary | None,
                    rates: RatesFigures, quality: QualityFigures, risk_figures: RiskFigures
                    ) -> list[Signal]:
    by_multiple = {v.multiple: v.ratio for v in valuation}
    growth_small = data.fundamental(small, "earnings_growth")
    growth_large = data.fundamental(large, "earnings_growth")
    vol_small, vol_large = (risk_figures.volatility_3m.get(t) for t in (small, large))
    return [
        Signal("valuation", by_multiple.get("forward_pe", by_multiple.get("trailing_pe"))),
        Signal("momentum", pair.spread_6m if pair else None),
        Signal("rates", rates.ten_year_change_3m),
        Signal("earnings", None if growth_small is None or growth_large is None
               else growth_small - growth_large),
        Signal("breadth", quality.share_above_200d),
        Signal("risk", vol_small / vol_large if vol_small and vol_large else None),
    ]


def missing_notes(data: MarketData, ins: Instruments, as_of: pd.Timestamp,
                  valuation: list[ValuationRatio]) -> list[str]:
    notes = []
    large = len(ins.universe) >= MIN_UNIVERSE  # a note for the universe, not one per stock
    unpriced = [t for t in ins.universe if data.adj_close(t).empty]
    if large and unpriced:
        notes.append(f"{len(unpriced)} of the universe's {len(ins.universe)} stocks have no "
                     "prices from this source; figures across the universe use the others.")
    for ticker in (t for t in ins.all_tickers if not (large and t in ins.universe)):
        closes = data.adj_close(ticker)
        if closes.empty:
            notes.append(f"No price data for {ticker} from this source.")
        elif closes.index[0] > periods.period_start("5Y", as_of):
            notes.append(f"{ticker} history starts {closes.index[0]:%d %b %Y}: longer-period "
                         "figures are not available.")
        elif (last := closes[closes.index <= as_of].index[-1]) < as_of:
            notes.append(f"{ticker} last close is {last:%d %b %Y}, before the as-of date.")
    if not valuation:
        notes.append("No valuation multiples are available for the small- and large-cap funds.")
    month_end = as_of.to_period("M").end_time.normalize()
    if as_of < month_end - pd.offsets.BDay(1):
        notes.append(f"The data ends {as_of.day} {as_of:%b %Y}, before the end of "
                     f"{as_of:%B}: figures are to that date.")
    return notes


def sector_weights_table(data: MarketData, small: str, large: str) -> pd.DataFrame:
    """The two funds' sector weights side by side (columns ``small`` and ``large``), the
    small-cap fund's largest sector first; empty unless the source has both funds'."""
    weights = data.sector_weights.pivot_table(index="sector", columns="fund", values="weight",
                                              aggfunc="sum")
    if small not in weights or large not in weights:
        return pd.DataFrame(columns=["small", "large"], dtype=float)
    table = weights[[small, large]].set_axis(["small", "large"], axis=1)
    return table.sort_values("small", ascending=False)


def sector_breakdown(returns: pd.Series, sectors: dict[str, str]) -> pd.DataFrame:
    table = universe.by_sector(returns, sectors)
    return table if table["stocks"].sum() >= MIN_UNIVERSE else table.iloc[:0]


def compute_report_figures(data: MarketData, ins: Instruments, as_of: pd.Timestamp,
                           data_notes: Sequence[str] = ()) -> ReportFigures:
    """Every figure of the edition to ``as_of``; ``data_notes`` (e.g. withheld gaps) lead
    the report's notes on missing data."""
    present = [t for t in ins.all_tickers if not data.adj_close(t).empty]
    small, large = ins.primary_pair
    table_tickers = [t for t in [*ins.small_caps[:2], *ins.large_caps, *ins.world_ex_us]
                     if t in present]
    returns = pd.DataFrame.from_dict(
        {t: returns_with_annualised(_history(data, t, as_of), as_of) for t in table_tickers},
        orient="index", columns=TABLE_PERIODS)
    universe_closes = {t: _history(data, t, as_of) for t in ins.universe if t in present}
    watch_closes = {t: _history(data, t, as_of) for t in ins.large_cap_watch if t in present}
    pairs = {(s, lg): relative.summarise(data.adj_close(s), data.adj_close(lg), as_of)
             for s, lg in ins.relative_pairs}
    valuation = valuation_ratios(data, small, large)
    leaders_ytd = universe.universe_returns(universe_closes, "YTD", as_of)
    rates = rates_figures(data, ins, as_of)
    quality = quality_figures(data, ins, as_of, universe_closes, leaders_ytd)
    risk_now = risk_figures(data, ins, as_of)
    stocks = [*universe_closes, *watch_closes]
    sectors = {t: sector for t in stocks
               if (sector := data.fundamental_text(t, "sector")) is not None}
    leaders_month = universe.universe_returns(universe_closes, "MTD", as_of)
    return ReportFigures(
        as_of=as_of, month=as_of.to_period("M"), source=data.source, is_sample=data.is_sample,
        small=small, large=large, returns=returns,
        month_returns=returns["MTD"].dropna(),
        relative=pairs,
        valuation=valuation,
        fundamentals_as_of=data.fundamentals_as_of(small),
        rates=rates,
        quality=quality,
        sector_weights=sector_weights_table(data, small, large),
        leaders_month=leaders_month,
        leaders_ytd=leaders_ytd,
        sector_month=sector_breakdown(leaders_month, sectors),
        watch_month=universe.universe_returns(watch_closes, "MTD", as_of),
        watch_ytd=universe.universe_returns(watch_closes, "YTD", as_of),
        sectors=sectors,
        vehicles=vehicle_table(data, ins, as_of),
        risk=risk_now,
        macro=macro_figures(data, as_of),
        signals=compute_signals(data, small, large, valuation, pairs.get((small, large)),
                                rates, quality, risk_now),
        series_ends={t: (periods.close_on_or_before(data.adj_close(t), as_of) or (None,))[0]
                     for t in present},
        fetched_at={t: data.fetched_at[t] for t in present if t in data.fetched_at},
        month_lead_streak=monthly_lead_streak(data.adj_close(small), data.adj_close(large),
                                              as_of),
        month_gap=reading(monthly_spreads(data.adj_close(small), data.adj_close(large), as_of),
                          as_of),
        spread_6m_last_as_wide=_last_as_wide_6m(data.adj_close(small), data.adj_close(large),
                                                as_of),
        missing=[*data_notes, *missing_notes(data, ins, as_of, valuation)],
    )
