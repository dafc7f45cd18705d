"""The data every template reads: figures, narrative and charts turned into plain rows of text.

Templates only lay these out; every number is formatted here, once, so the PDF and the tests
that read it back agree on how a figure is written.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

import reportgen
from reportgen.charts.figures import to_image
from reportgen.clients import Client
from reportgen.config import Config
from reportgen.data.model import MarketData
from reportgen.metrics.fed import fomc_source_note
from reportgen.metrics.report import ANNUALISED_IN_TABLE, TABLE_PERIODS, ReportFigures
from reportgen.metrics.signals import RULES
from reportgen.metrics.valuation import MULTIPLES
from reportgen.render import changes
from reportgen.render.formatting import day, money, month_name, number, pct, points, times
from reportgen.render.narrative import Narrative

SECTIONS = [
    ("takeaways", "Key takeaways"),
    ("performance", "Performance and rotation"),
    ("valuation", "The valuation disconnect"),
    ("rates", "The Fed and rates factor"),
    ("quality", "Earnings and quality"),
    ("leaders", "Leaders and laggards"),
    ("ways_to_play", "Ways to play"),
    ("risks", "Risks"),
    ("verdict", "What the evidence suggests"),
    ("changes", "What changed since last month"),
    ("sources", "Sources, methodology and disclaimer"),
]
TITLE = "US Small-Cap Outlook"
CHART_FORMAT = "svg"  # vector, 4× smaller and no slower than PNG in WeasyPrint (README)
DEFINITIONS = [
    ("Total return", "Change in the adjusted close (dividends reinvested) from the last close "
     "on or before the period's start to the as-of date. 1M, 3M, 6M, 1Y, 3Y and 5Y start on the "
     "same calendar day that many months or years earlier; YTD at the previous year's last "
     "close."),
    ("Annualised (a.a.)", "(1 + total return)^(365.25 ÷ calendar days) − 1."),
    ("Volatility", "Standard deviation of daily log returns × √252; 3-month figures use the "
     "last 63 trading days."),
    ("Maximum drawdown", "The deepest fall of the adjusted close from its running peak."),
    ("Sharpe ratio", "(Annualised return − mean 13-week T-bill yield) ÷ annualised volatility, "
     "over the same window."),
    ("Relative strength", "Small-cap fund ÷ large-cap fund on shared trading days, rebased to "
     "100 fifty-two weeks before the as-of date. A winning day is one on which the small-cap "
     "daily return beat the large-cap one."),
    ("Rate sensitivity", "Slope of monthly small-minus-large returns on monthly changes in the "
     "10-year yield, over three years."),
    ("Fed-cut study", "Small-minus-large total return from the last close on or before each "
     "FOMC cut to 1, 3, 6 and 12 months later; horizons ending after the as-of date are left "
     "out."),
    ("Dispersion", "Standard deviation of year-to-date returns across the configured universe."),
    ("Breadth", "Share of the universe whose last close is above its 200-day average."),
]
STYLES = {"IWM": "Russell 2000 index", "IJR": "S&P 600 (profitability screen)",
          "VTWO": "Russell 2000 index", "AVUV": "Active value and profitability tilt",
          "VBR": "CRSP small-cap value index", "IJS": "S&P 600 value index"}


def data_uri(figure: Figure | None, fmt: str = CHART_FORMAT) -> str | None:
    if figure is None:
        return None
    mime = {"png": "image/png", "svg": "image/svg+xml"}[fmt]
    return f"data:{mime};base64,{base64.b64encode(to_image(figure, fmt)).decode()}"


def logo_url(config: Config) -> str:
    """The logo from the firm's assets folder if it is there, else from templates/assets/."""
    logo = config.branding.logo
    if config.assets_dir is not None and (config.assets_dir / logo).is_file():
        return (config.assets_dir / logo).resolve().as_uri()
    return f"assets/{logo}"


def edition_context(figures: ReportFigures, config: Config, created: datetime) -> dict[str, Any]:
    brand = config.branding
    return {
        "title": TITLE, "month_name": month_name(figures.month),
        "month_short": f"{figures.as_of:%b}", "as_of": day(figures.as_of),
        "firm": brand.firm_name, "logo": logo_url(config),
        "subject": f"US small caps against large caps: performance, valuation, rates and risk, "
                   f"data to {day(figures.as_of)}",
        "keywords": "small caps, Russell 2000, S&P 600, market outlook, "
                    f"{figures.month:%Y-%m}",
        "version": reportgen.__version__, "created": created.isoformat(timespec="seconds"),
        "paper": brand.paper, "colour": brand.colour, "is_sample": figures.is_sample,
        "source": figures.source,
        "disclaimer": brand.disclaimer,
    }


def returns_rows(figures: ReportFigures, config: Config) -> dict[str, Any]:
    ins = config.instruments
    groups = {**dict.fromkeys(ins.small_caps, "small"), **dict.fromkeys(ins.large_caps, "large")}
    rows = [{"ticker": t, "name": ins.name(t), "group": groups.get(t, "world"),
             "cells": [pct(v) for v in row]} for t, row in figures.returns.iterrows()]
    return {"periods": TABLE_PERIODS, "annualised": ANNUALISED_IN_TABLE, "rows": rows}


def valuation_history(figures: ReportFigures, history: pd.Series) -> str:
    """Where this month's ratio sits among the archived editions' ratios."""
    by_multiple = {v.multiple: v.ratio for v in figures.valuation}
    now = by_multiple.get("forward_pe")
    if now is None or len(history) < 2:
        return ("Where this ratio sits against its own history builds month by month from the "
                f"archive of past editions; {len(history)} earlier edition"
                f"{'' if len(history) == 1 else 's'} with a forward P/E ratio so far.")
    below = float((history < now).mean())
    return (f"Against the {len(history)} archived editions since {day(history.index[0])}, the "
            f"forward P/E ratio ranged from {history.min():.2f} to {history.max():.2f}; at "
            f"{now:.2f} it is above {pct(below, 0, signed=False)} of them.")


def valuation_rows(figures: ReportFigures, data: MarketData, history: pd.Series
                   ) -> dict[str, Any]:
    as_of = data.fundamental(figures.small, "as_of")
    return {
        "small": figures.small, "large": figures.large,
        "as_of": day(pd.Timestamp(as_of)) if as_of is not None else None,
        "rows": [{"name": MULTIPLES[v.multiple], "small": number(v.small),
                  "large": number(v.large), "ratio": times(v.ratio)} for v in figures.valuation],
        "history": valuation_history(figures, history) if figures.valuation else "",
    }


def fed_rows(figures: ReportFigures) -> dict[str, Any]:
    stats = figures.rates.fed_study
    return {
        "rows": [{"horizon": f"{months} month{'s' if months > 1 else ''}",
                  "mean": pct(row["mean"]), "median": pct(row["median"]),
                  "share": pct(row["share_positive"], 0, signed=False)
                  if row["count"] else "–", "count": int(row["count"])}
                 for months, row in stats.iterrows()],
        "first": day(figures.rates.first_cut), "last": day(figures.rates.last_cut),
        "source": "Cut dates: " + fomc_source_note(),
    }


def sector_rows(data: MarketData, small: str, large: str) -> list[dict[str, str]]:
    """Sector weights of the two funds side by side, the small-cap fund's largest first."""
    weights = data.sector_weights.pivot_table(index="sector", columns="fund", values="weight",
                                              aggfunc="sum")
    if small not in weights or large not in weights:
        return []
    weights = weights.sort_values(small, ascending=False)
    return [{"sector": str(sector).replace("_", " ").replace("realestate", "real estate")
             .capitalize(), "small": pct(row[small], 1, signed=False),
             "large": pct(row[large], 1, signed=False),
             "gap": f"{100 * (row[small] - row[large]):+.1f} pts".replace("-", "−")}
            for sector, row in weights.iterrows()]


def quality_rows(figures: ReportFigures, data: MarketData) -> dict[str, Any]:
    table = figures.quality.fundamentals
    as_of = data.fundamental(figures.small, "as_of")
    return {"as_of": day(pd.Timestamp(as_of)) if as_of is not None else None,
            "rows": [{"ticker": t, "growth": pct(r["earnings_growth"], 0),
                      "roe": pct(r["return_on_equity"], 0, signed=False)}
                     for t, r in table.iterrows()],
            "small": figures.small, "large": figures.large,
            "sectors": sector_rows(data, figures.small, figures.large)}


def watch_rows(figures: ReportFigures, data: MarketData) -> dict[str, Any]:
    return {"rows": [{"ticker": t, "sector": data.fundamental(t, "sector") or "–",
                      "month": pct(figures.watch_month.get(t)),
                      "ytd": pct(figures.watch_ytd.get(t))} for t in figures.watch_ytd.index]}


def vehicle_rows(figures: ReportFigures) -> dict[str, Any]:
    table = figures.vehicles
    rows = [{"ticker": t, "style": STYLES.get(str(t), "–"),
             "cells": [pct(r["return_1y"]), pct(r["return_3y_annualised"]),
                       pct(r["volatility_3y"], signed=False), pct(r["max_drawdown_3y"]),
                       number(r["sharpe_3y"], 2), pct(r["expense_ratio"], 2, signed=False),
                       money(r["total_assets"])]}
            for t, r in table.iterrows()]
    sharpe = table["sharpe_3y"].dropna()
    comment = ("" if sharpe.empty else
               f"Over three years the best risk-adjusted vehicle was {sharpe.idxmax()} (Sharpe "
               f"{sharpe.max():.2f}); index funds differ mainly in cost and in how they treat "
               "unprofitable companies, while value and quality tilts change what you own.")
    return {"rows": rows, "comment": comment}


def risk_rows(figures: ReportFigures) -> dict[str, Any]:
    small, large = figures.small, figures.large
    risk = figures.risk
    worst = risk.max_drawdown_3y.get(small)
    summary = (f"Over one year {small}'s volatility was "
               f"{pct(risk.volatility_1y.get(small), signed=False)} against "
               f"{pct(risk.volatility_1y.get(large), signed=False)} for {large}, and their "
               f"daily returns had a correlation of {number(risk.correlation_1y, 2)}.")
    if worst is not None:
        summary += (f" {small}'s deepest fall in three years was {pct(worst.depth)}, from "
                    f"{day(worst.peak)} to {day(worst.trough)}; it is now "
                    f"{pct(risk.drawdown_now.get(small))} from its three-year high.")
    pair = figures.relative.get(f"{small}/{large}")
    conditions = [
        {"signal": "Relative strength breaks down",
         "now": number(pair.ratio) if pair else "–",
         "trigger": f"{small} ÷ {large} falls below its 52-week low of "
                    f"{number(pair.low_52w) if pair else '–'}"},
        {"signal": "Rates rise again", "now": f"{number(figures.rates.ten_year_yield, 2)}%",
         "trigger": "the 10-year yield rises more than 0.25 pp in three months"},
        {"signal": "Small-cap drawdown deepens",
         "now": pct(risk.drawdown_now.get(small)),
         "trigger": f"{small} falls more than 20% below its three-year high"},
        {"signal": "Volatility gap widens",
         "now": times(risk.volatility_3m[small] / risk.volatility_3m[large])
         if risk.volatility_3m.get(small) and risk.volatility_3m.get(large) else "–",
         "trigger": f"{small}'s 3-month volatility exceeds 1.5× {large}'s"},
    ]
    return {"summary": summary, "conditions": conditions}


def signal_value(key: str, value: float | None) -> str:
    unit = RULES[key].unit
    if unit == "ratio":
        return times(value)
    if unit == "pp":
        return points(value)
    return pct(value, signed=unit == "±%")


def scorecard_rows(figures: ReportFigures) -> list[dict[str, str]]:
    return [{"name": s.rule.name, "measure": s.rule.measure, "value": signal_value(s.key, s.value),
             "mark": s.mark.value if s.mark else "no data",
             "mark_class": s.mark.value if s.mark else "none"} for s in figures.signals]


def sources_context(figures: ReportFigures, data: MarketData) -> dict[str, Any]:
    series = [{"ticker": t, "last": day(last),
               "fetched": f"{data.fetched_at[t]:%d %b %Y %H:%M} UTC" if t in data.fetched_at
               else "–"} for t, last in figures.series_ends.items()]
    return {"series": series, "fomc": fomc_source_note(), "definitions": DEFINITIONS,
            "rules": [rule.describe() for rule in RULES.values()]}


def chart_uris(charts: dict[str, Figure | None]) -> dict[str, str | None]:
    """Each chart encoded once, for every PDF of the edition."""
    return {name: data_uri(figure) for name, figure in charts.items()}


def for_client(context: dict[str, Any], figures: ReportFigures, config: Config,
               created: datetime, client: Client | None) -> dict[str, Any]:
    """The same edition with another branding and, on the cover, a client."""
    return {**context, "edition": edition_context(figures, config, created), "client": client}


def build_context(figures: ReportFigures, data: MarketData, config: Config,
                  charts: dict[str, str | None], created: datetime,
                  previous: changes.PreviousEdition | None = None,
                  commentary: dict[str, Any] | None = None,
                  valuation_history: pd.Series | None = None) -> dict[str, Any]:
    """Everything the templates read; ``charts`` are data URIs (see ``chart_uris``);
    ``valuation_history`` holds the forward P/E ratio of archived editions."""
    narrative = Narrative(figures, config.instruments)
    commentary = commentary or {}
    return {
        "edition": edition_context(figures, config, created),
        "sections": [{"id": sid, "number": n, "title": title}
                     for n, (sid, title) in enumerate(SECTIONS, start=2)],
        "headline": commentary.get("headline") or narrative.headline(),
        "takeaways": narrative.takeaways(),
        "narrative": {"performance": narrative.performance(), "valuation": narrative.valuation(),
                      "rates": narrative.rates(), "quality": narrative.quality(),
                      "leaders": narrative.leaders(), "verdict": narrative.verdict()},
        "returns": returns_rows(figures, config),
        "valuation": valuation_rows(figures, data, valuation_history
                                    if valuation_history is not None else pd.Series(dtype=float)),
        "pair": f"{figures.small} minus {figures.large}",
        "fed": fed_rows(figures),
        "quality": quality_rows(figures, data),
        "watch": watch_rows(figures, data),
        "vehicles": vehicle_rows(figures),
        "risks": risk_rows(figures),
        "scorecard": scorecard_rows(figures),
        "changes": changes.compare(previous, changes.key_figures(figures)),
        "sources": sources_context(figures, data),
        "charts": charts,
        "commentary": commentary.get("sections", {}),
        "missing": figures.missing,
        "client": None,
    }
