"""A client's "Your portfolio" page: its context from the portfolio's figures."""

from __future__ import annotations

from reportgen.config import Instruments
from reportgen.formatting import DASH, day, month_name, pct
from reportgen.metrics.portfolio import PORTFOLIO_PERIODS, PortfolioFigures
from reportgen.metrics.report import ReportFigures, number_at
from reportgen.render.compose import month_heading
from reportgen.render.context import ContributionBar, PortfolioContext, PortfolioRow

# How the page's figures are computed, for the way the client gave its holdings.
SOURCE = "Total returns on adjusted closes (dividends reinvested), to the as-of date."
BY_WEIGHTS = ("The portfolio is taken at your weights at the start of each period: its return "
              "is the weighted sum of the holdings' returns, and each holding contributes its "
              "weight times its return.")
BY_UNITS = ("Each period starts from the value of your units then: the portfolio's return is "
            "the change in that value, and each holding contributes its own change as a "
            "share of the starting value. Weights are by value on the as-of date.")


def portfolio_context(p: PortfolioFigures, f: ReportFigures, ins: Instruments
                      ) -> PortfolioContext:
    def cells(returns: dict[str, float | None]) -> list[str]:
        return [pct(returns.get(period)) for period in PORTFOLIO_PERIODS]

    rows = [PortfolioRow(ticker=h.ticker, name=ins.name(h.ticker) if h.ticker in ins.funds
                         else "", weight=pct(h.weight, 1, signed=False),
                         returns=cells(h.returns), contribution=pct(h.contributions["YTD"]))
            for h in p.holdings]
    benchmarks = [PortfolioRow(ticker=t, name=ins.name(t), weight="",
                               returns=[pct(number_at(f.returns, t, period))
                                        for period in PORTFOLIO_PERIODS], contribution="")
                  for t in (f.small, f.large)]
    return PortfolioContext(
        summary=_summary(p, f, ins), periods=[month_heading(f.as_of), "YTD", "1Y"],
        holdings=rows,
        total=PortfolioRow(ticker="Your portfolio", name="",
                           weight="100%" if all(h.weight for h in p.holdings) else DASH,
                           returns=cells(p.returns), contribution=pct(p.returns["YTD"])),
        benchmarks=benchmarks, bars=_bars(p),
        notes=[f"{t}: no prices from the data source, so it is not valued and the "
               "portfolio's returns are not shown." for t in p.unpriced],
        method=f"{SOURCE} {BY_UNITS if p.by_units else BY_WEIGHTS}")


def _summary(p: PortfolioFigures, f: ReportFigures, ins: Instruments) -> str:
    month = month_name(f.month)
    mine = p.returns["MTD"]
    if mine is None:
        missing = [h.ticker for h in p.holdings if h.returns["MTD"] is None]
        text = (f"Your portfolio's return for {month} is not shown: {', '.join(missing)} "
                f"{'has' if len(missing) == 1 else 'have'} no prices for the whole month.")
    else:
        text = (f"Your portfolio returned {pct(mine)} in {month} (to {day(f.as_of)}), "
                f"against {pct(f.month_returns.get(f.small))} for the "
                f"{ins.name(f.small)} ({f.small}) and {pct(f.month_returns.get(f.large))} for "
                f"the {ins.name(f.large)} ({f.large}).")
    if p.small_cap_share is not None:
        text += f" {pct(p.small_cap_share, 0, signed=False)} of it is in small caps."
    return text


def _bars(p: PortfolioFigures) -> list[ContributionBar]:
    """One bar per holding, as long as its contribution against the largest one; none when
    the year's contributions cannot be computed. A contribution printed as 0.0% gets no
    bar: a sliver in the colour of a gain or a loss would show a sign the figure lacks."""
    values = {h.ticker: h.contributions["YTD"] for h in p.holdings}
    if all(v is None for v in values.values()):
        return []
    largest = max((abs(v) for v in values.values() if v is not None), default=0.0)

    def width(v: float | None) -> float:
        if v is None or pct(v) == pct(0.0):
            return 0.0
        return round(100 * abs(v) / largest, 1)

    return [ContributionBar(ticker=t, value=pct(v) if v is not None else DASH, width=width(v),
                            side="loss" if v is not None and v < 0 else "gain")
            for t, v in values.items()]
