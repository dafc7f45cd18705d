"""The figures an analyst may cite in commentary, by name: ``{IWM.month}``, ``{10y.yield}``.

Each reference is the figure formatted exactly as the report prints it, with a description
for the commentary file's list. The analyst's text can reach these and nothing else: a
placeholder is looked up in this table, never evaluated.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from reportgen.formatting import day, figure, month_name, number, pct, times
from reportgen.metrics.report import ReportFigures, number_at
from reportgen.metrics.valuation import MULTIPLES

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9^][A-Za-z0-9_.^-]*)\}")
PERIOD_NAMES = {"MTD": "month", "3M": "3m", "6M": "6m", "YTD": "ytd", "1Y": "1y",
                "3Y": "3y", "5Y": "5y"}


@dataclass(frozen=True)
class Reference:
    text: str  # as printed
    description: str  # what it is, with its period


def figure_references(f: ReportFigures) -> dict[str, Reference]:
    """Every citable figure of the edition, by name."""
    refs: dict[str, Reference] = {
        "month": Reference(month_name(f.month), "the edition's month"),
        "as_of": Reference(day(f.as_of), "the date the data runs to"),
    }
    for ticker in f.returns.index:
        for period, name in PERIOD_NAMES.items():
            label = (month_name(f.month) if period == "MTD" else
                     f"{period}{' annualised' if period in ('3Y', '5Y') else ''}")
            refs[f"{ticker}.{name}"] = Reference(
                pct(number_at(f.returns, ticker, period)),
                f"{ticker} total return, {label}, to {day(f.as_of)}")
    pair, rates, macro = f.pair, f.rates, f.macro
    small, large = f.small, f.large
    entries: list[tuple[str, str, str]] = [
        ("10y.yield", figure(rates.ten_year_yield, "yield"), f"10-year Treasury yield, "
         f"{day(f.as_of)}"),
        ("10y.change_3m", figure(rates.ten_year_change_3m, "pp"), "10-year yield, change "
         "over three months"),
        ("bill.yield", figure(rates.bill_yield, "yield"), f"13-week T-bill yield, "
         f"{day(f.as_of)}"),
        (f"{small}-{large}.6m", pct(pair.spread_6m if pair else None),
         f"{small} minus {large}, six months"),
        (f"{small}-{large}.12m", pct(pair.spread_12m if pair else None),
         f"{small} minus {large}, twelve months"),
        ("relative_strength", number(pair.ratio if pair else None),
         f"{small} ÷ {large}, rebased to 100 a year ago"),
        (f"{small}.volatility_3m", pct(f.risk.volatility_3m.get(small), signed=False),
         f"{small} three-month volatility"),
        (f"{large}.volatility_3m", pct(f.risk.volatility_3m.get(large), signed=False),
         f"{large} three-month volatility"),
    ]
    if macro.high_yield_spread is not None:
        entries.append(("hy_spread", figure(macro.high_yield_spread.value, "yield"),
                        f"high-yield bond spread, {day(macro.high_yield_spread.as_of)}"))
    if macro.vix is not None:
        entries.append(("vix", number(macro.vix.value), f"VIX, {day(macro.vix.as_of)}"))
    for ratio in f.valuation:
        entries.append((f"{ratio.multiple}.ratio", times(ratio.ratio),
                        f"{small} ÷ {large}, {MULTIPLES[ratio.multiple]}"))
    refs.update({name: Reference(text, description) for name, text, description in entries})
    return refs


def resolve(text: str, refs: Mapping[str, Reference], where: str) -> str:
    """``text`` with each ``{name}`` replaced by the figure as printed; an unknown name is
    a ValueError naming it (and the nearest name) and ``where`` it is."""
    def figure_text(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in refs:
            near = difflib.get_close_matches(name, list(refs), n=1)
            raise ValueError(f"{where} refers to {{{name}}}, which is not a figure of this "
                             f"edition" + (f"; did you mean {{{near[0]}}}?" if near else
                                           "; the commentary file lists them"))
        return refs[name].text
    return PLACEHOLDER.sub(figure_text, text)
