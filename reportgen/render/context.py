"""The template contract: everything the report templates can read, typed and documented.

``report.html.j2`` receives the fields of ``ReportContext`` as its top-level names; each
section's partial (``templates/sections/<id>.html.j2``) reads the dataclass of the same name,
e.g. ``valuation.rows``. Every field carries a one-line help text (``Annotated[type,
"help"]``, listed by ``field_help``), and a test checks that what the templates use and
what these classes declare agree, so a section can be changed by reading only its partial
and its class here.

Every value is ready to print: numbers are already formatted (``reportgen.formatting``),
charts are data URIs. Templates only lay things out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, get_type_hints

from markupsafe import Markup


def field_help(cls: type) -> dict[str, str]:
    """Each field of a context class and its help text (the ``Annotated`` metadata)."""
    return {name: hint.__metadata__[0]
            for name, hint in get_type_hints(cls, include_extras=True).items()}


# -- pieces used by several sections -----------------------------------------------------

@dataclass(frozen=True)
class ChartContext:
    uri: Annotated[str, "The chart's stand-in as a data: URI, for the PDF, where the chart "
                        "is placed over it once laid out (render/chart_pages.py)"]
    svg: Annotated[Markup | None, "The chart as inline SVG markup, for the HTML edition; "
                                  "None in the PDF's context, laid out before the chart is "
                                  "encoded"]
    alt: Annotated[str, "Text alternative: the finding the chart shows"]
    caption: Annotated[str | None, "Its own source line (macro series); None: the edition's"]


# -- the edition as a whole ---------------------------------------------------------------

@dataclass(frozen=True)
class EditionContext:
    title: Annotated[str, "The report's title, 'US Small-Cap Outlook'"]
    month_name: Annotated[str, "The edition's month, 'October 2026'"]
    month_short: Annotated[str, "The month's short name, 'Oct', for column headings"]
    as_of: Annotated[str, "The as-of date, '30 Oct 2026'"]
    firm: Annotated[str, "The firm's name, from the branding"]
    logo: Annotated[str, "URL of the firm's logo (a project asset)"]
    subject: Annotated[str, "PDF subject metadata"]
    keywords: Annotated[str, "PDF keywords metadata"]
    version: Annotated[str, "reportgen's version"]
    created: Annotated[str, "Build time, ISO 8601"]
    paper: Annotated[str, "Page size: A4 or Letter"]
    colour: Annotated[str, "The branding's accent colour, #rrggbb"]
    colours: Annotated[dict[str, str], "The house colours by name, as the charts use them: "
                                       "the stylesheet's custom properties"]
    is_sample: Annotated[bool, "True when built from the bundled sample data"]
    source: Annotated[str, "The data source's display label"]
    disclaimer: Annotated[str, "The firm's legal text"]
    draft: Annotated[bool, "A draft for review: every page says DRAFT; never sent"]
    revised: Annotated[str | None, "A revision's label, 'Revised 22 Nov 2026: reason'; None "
                                   "for a first edition"]


@dataclass(frozen=True)
class CoverFigure:
    label: Annotated[str, "What the figure is, e.g. 'Russell 2000 (IWM)'"]
    period: Annotated[str, "Its period or date, e.g. 'September 2026'"]
    value: Annotated[str, "The figure, formatted"]


@dataclass(frozen=True)
class CoverContext:
    headline: Annotated[str, "One-line headline: the analyst's, else generated from the data"]
    verdict: Annotated[str, "The verdict in one sentence, without figures"]
    figures: Annotated[list[CoverFigure], "Three key figures, each with its period"]
    chart: Annotated[ChartContext | None, "Relative strength over 52 weeks"]


@dataclass(frozen=True)
class SectionHeading:
    id: Annotated[str, "The section id: its partial's name and its link target"]
    number: Annotated[int, "The section number, from 2 (the cover is 1)"]
    title: Annotated[str, "The section heading"]


@dataclass(frozen=True)
class ContentsContext:
    sections: Annotated[list[SectionHeading], "Every section after the cover, in order"]
    data_notes: Annotated[list[str], "Plain statements of missing or stale data"]


# -- one class per section ----------------------------------------------------------------

@dataclass(frozen=True)
class TakeawaysSection:
    items: Annotated[list[str], "Three to five claims, each with its number"]
    scorecard_chart: Annotated[ChartContext | None, "Signal tiles"]
    verdict: Annotated[str, "The verdict in one sentence, as on the cover"]


@dataclass(frozen=True)
class ReturnsRow:
    ticker: Annotated[str, "Fund ticker"]
    name: Annotated[str, "What the fund tracks"]
    group: Annotated[str, "'small', 'large' or 'world': the row's shading"]
    cells: Annotated[list[str], "Returns in the order of ReturnsTable.periods"]


@dataclass(frozen=True)
class ReturnsTable:
    periods: Annotated[list[str], "Column headings: the month (e.g. Oct), 3M, 6M, YTD, 1Y, 3Y, 5Y"]
    annualised: Annotated[list[str], "The headings of the periods shown annualised"]
    month_note: Annotated[str, "What the month's column measures, e.g. 'Oct: 30 Sep to 30 Oct'"]
    rows: Annotated[list[ReturnsRow], "One row per fund"]


@dataclass(frozen=True)
class PerformanceSection:
    returns: Annotated[ReturnsTable, "The returns table"]
    paragraphs: Annotated[list[str], "Generated text after the finding: relative strength, "
                                     "streak, spread, the decades"]
    growth_chart: Annotated[ChartContext | None, "Growth of 100 over five years"]
    periods_chart: Annotated[ChartContext | None, "Returns by period, grouped bars"]
    decades_chart: Annotated[ChartContext | None, "Small minus large since the 1930s"]


@dataclass(frozen=True)
class ValuationRow:
    name: Annotated[str, "The multiple, e.g. 'Forward P/E'"]
    small: Annotated[str, "The small-cap fund's multiple"]
    large: Annotated[str, "The large-cap fund's multiple"]
    ratio: Annotated[str, "Small ÷ large"]


@dataclass(frozen=True)
class HistoryTableRow:
    measure: Annotated[str, "The multiple, e.g. 'S&P 500 CAPE (Shiller)'"]
    now: Annotated[str, "Its latest value"]
    as_of: Annotated[str, "The date of that value"]
    mean: Annotated[str, "Its long-run average"]
    z_score: Annotated[str, "Standard deviations from that average"]
    rank: Annotated[str, "Share of its history at or below the latest value"]
    since: Annotated[str, "Where the history starts"]


@dataclass(frozen=True)
class ValuationSection:
    small: Annotated[str, "Small-cap fund ticker"]
    large: Annotated[str, "Large-cap fund ticker"]
    as_of: Annotated[str | None, "The date the source's multiples are as of"]
    rows: Annotated[list[ValuationRow], "One row per multiple both funds have"]
    paragraphs: Annotated[list[str], "Generated text after the finding: method, archive, "
                                     "long-run history"]
    chart: Annotated[ChartContext | None, "Paired bars of the multiples"]
    against_history: Annotated[list[HistoryTableRow], "Each multiple against its own history"]
    history_sources: Annotated[str, "Where those histories come from; or why there are none"]


@dataclass(frozen=True)
class FedStudyRow:
    horizon: Annotated[str, "'1 month', '3 months', ..."]
    mean: Annotated[str, "Mean small-minus-large return"]
    median: Annotated[str, "Median small-minus-large return"]
    share: Annotated[str, "Share of cuts after which small caps led"]
    count: Annotated[int, "Cuts with a result at this horizon"]
    cycle_median: Annotated[str, "Median after the first cut of each easing cycle only"]
    cycle_count: Annotated[int, "Cycle starts with a result at this horizon"]


@dataclass(frozen=True)
class RatesSection:
    paragraphs: Annotated[list[str], "Generated text after the finding: yields, "
                                     "sensitivity, the study's span"]
    chart: Annotated[ChartContext | None, "Yields over three years with the rolling spread"]
    pair: Annotated[str, "'IWM minus SPY': what the study measures"]
    study_rows: Annotated[list[FedStudyRow], "The Fed-cut study, one row per horizon"]
    first_cut: Annotated[str, "Date of the first cut in the study"]
    last_cut: Annotated[str, "Date of the last cut in the study"]
    cuts_source: Annotated[str, "Where the list of cut dates comes from"]
    study_chart: Annotated[ChartContext | None, "Mean and median by horizon"]
    policy_chart: Annotated[ChartContext | None, "Target range and 10-year, recessions shaded"]


@dataclass(frozen=True)
class FundamentalsRow:
    ticker: Annotated[str, "Fund ticker"]
    growth: Annotated[str, "Earnings growth"]
    roe: Annotated[str, "Return on equity"]


@dataclass(frozen=True)
class SectorRow:
    sector: Annotated[str, "Sector name"]
    small: Annotated[str, "Weight in the small-cap fund"]
    large: Annotated[str, "Weight in the large-cap fund"]
    gap: Annotated[str, "Difference, in percentage points"]


@dataclass(frozen=True)
class QualitySection:
    small: Annotated[str, "Small-cap fund ticker"]
    large: Annotated[str, "Large-cap fund ticker"]
    as_of: Annotated[str | None, "The date the fund figures are as of"]
    rows: Annotated[list[FundamentalsRow], "Fund-level fundamentals"]
    paragraphs: Annotated[list[str], "Generated text after the finding: unprofitable "
                                     "share, dispersion, breadth"]
    sectors: Annotated[list[SectorRow], "Sector weights side by side; empty when not given"]


@dataclass(frozen=True)
class WatchRow:
    ticker: Annotated[str, "Stock ticker"]
    sector: Annotated[str, "Sector, or a dash"]
    month: Annotated[str, "Return over the month"]
    ytd: Annotated[str, "Return year to date"]


@dataclass(frozen=True)
class SectorReturnRow:
    sector: Annotated[str, "The sector"]
    stocks: Annotated[int, "Stocks with a return this month"]
    median: Annotated[str, "Their median return"]
    share_up: Annotated[str, "The share of them that rose"]


@dataclass(frozen=True)
class LeadersSection:
    month_chart: Annotated[ChartContext | None, "The universe ranked by the month's return"]
    ytd_chart: Annotated[ChartContext | None, "The universe ranked by year-to-date return"]
    watch: Annotated[list[WatchRow], "Large-cap names under watch"]
    sectors: Annotated[list[SectorReturnRow], "The month's returns by sector (large universes)"]


@dataclass(frozen=True)
class VehicleRow:
    ticker: Annotated[str, "Fund ticker"]
    style: Annotated[str, "Index or tilt"]
    cells: Annotated[list[str], "1Y, 3Y a.a., Vol 3Y, Max DD 3Y, Sharpe 3Y, Expense, Assets"]


@dataclass(frozen=True)
class WaysToPlaySection:
    rows: Annotated[list[VehicleRow], "One row per small-cap vehicle"]
    growth_chart: Annotated[ChartContext | None, "Growth of 100 over three years"]
    risk_return_chart: Annotated[ChartContext | None, "Return against volatility"]


@dataclass(frozen=True)
class Condition:
    signal: Annotated[str, "What would weaken the case"]
    now: Annotated[str, "Its value now"]
    trigger: Annotated[str, "The measurable condition"]
    status: Annotated[str, "Whether it has fired: 'Fired', 'Not yet' or '–' without data"]


@dataclass(frozen=True)
class RisksSection:
    paragraphs: Annotated[list[str], "Generated text after the finding: drawdown, credit "
                                     "and volatility against their history"]
    volatility_chart: Annotated[ChartContext | None, "Rolling three-month volatility"]
    drawdown_chart: Annotated[ChartContext | None, "Fall below the previous high"]
    conditions: Annotated[list[Condition], "Conditions that would weaken the case"]
    credit_chart: Annotated[ChartContext | None, "High-yield spread and VIX over their history"]


@dataclass(frozen=True)
class ScorecardRow:
    name: Annotated[str, "Signal name"]
    measure: Annotated[str, "What is measured"]
    value: Annotated[str, "The measure now"]
    mark: Annotated[str, "'supportive', 'neutral', 'against' or 'no data'"]
    mark_class: Annotated[str, "CSS class of the mark"]


@dataclass(frozen=True)
class VerdictSection:
    scorecard: Annotated[list[ScorecardRow], "One row per signal"]
    rule: Annotated[str, "How the verdict follows from the marks"]


@dataclass(frozen=True)
class ChangeRow:
    name: Annotated[str, "The figure"]
    then: Annotated[str, "In the previous edition"]
    now: Annotated[str, "In this edition"]
    change: Annotated[str, "The move, from the printed figures"]


@dataclass(frozen=True)
class ChangesSection:
    previous: Annotated[str | None, "The previous edition's name; None when there is none"]
    previous_as_of: Annotated[str | None, "The previous edition's as-of date"]
    rows: Annotated[list[ChangeRow], "The figures that moved most"]
    flips: Annotated[list[str], "Signals that changed mark, in words"]
    note: Annotated[str, "What is said when there is no earlier edition"]


@dataclass(frozen=True)
class SeriesRow:
    tickers: Annotated[str, "The series that share this last close and fetch time"]
    last: Annotated[str, "Last close used"]
    fetched: Annotated[str, "When they were fetched from the source"]


@dataclass(frozen=True)
class Definition:
    term: Annotated[str, "A metric's name"]
    text: Annotated[str, "How it is computed"]


@dataclass(frozen=True)
class SourcesSection:
    series: Annotated[list[SeriesRow], "Every series with its dates"]
    fomc: Annotated[str, "Source of the Fed-cut dates"]
    definitions: Annotated[list[Definition], "Each metric and how it is computed"]
    rules: Annotated[list[str], "Each scorecard rule in words"]


@dataclass(frozen=True)
class ReportContext:
    """What ``report.html.j2`` (and ``portfolio_frame.html.j2``, the frame of a client's
    portfolio pages) receives."""

    medium: Annotated[str, "'print' (the PDF) or 'screen' (the HTML edition, self-contained)"]
    edition: Annotated[EditionContext, "The edition and its branding"]
    cover: Annotated[CoverContext, "The cover: headline, verdict and key figures; it leaves "
                                   "room for a client's name, drawn over it in their copy"]
    contents: Annotated[ContentsContext, "The contents page and the data notes"]
    takeaways: Annotated[TakeawaysSection, "Section 2"]
    performance: Annotated[PerformanceSection, "Section 3"]
    valuation: Annotated[ValuationSection, "Section 4"]
    rates: Annotated[RatesSection, "Section 5"]
    quality: Annotated[QualitySection, "Section 6"]
    leaders: Annotated[LeadersSection, "Section 7"]
    ways_to_play: Annotated[WaysToPlaySection, "Section 8"]
    risks: Annotated[RisksSection, "Section 9"]
    verdict: Annotated[VerdictSection, "Section 10"]
    changes: Annotated[ChangesSection, "Section 11"]
    sources: Annotated[SourcesSection, "Section 12"]
    findings: Annotated[dict[str, str], "Each section's finding, printed under its heading "
                                        "(generated, or the analyst's replacement)"]
    intro: Annotated[Markup | None, "The analyst's opening, above the key takeaways (safe "
                                    "Markdown)"]
    commentary: Annotated[dict[str, Markup], "The analyst's text per section id (safe Markdown)"]
