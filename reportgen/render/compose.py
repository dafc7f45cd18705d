"""The template context (``render.context``) from the figures, the narrative and the charts.

Every number is formatted here, once, so the PDF and the tests that read it back agree on
how a figure is written.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pandas as pd
from markupsafe import Markup

import reportgen
from reportgen.charts.chart import Chart, ChartsByName, ChartShape
from reportgen.charts.palette import HOUSE
from reportgen.config import Branding, Config
from reportgen.formatting import (
    DASH,
    change,
    day,
    figure,
    money,
    month_name,
    number,
    pct,
    times,
)
from reportgen.metrics.changes import Comparison
from reportgen.metrics.fed import fomc_source_note
from reportgen.metrics.report import (
    ANNUALISED_IN_TABLE,
    MIN_UNIVERSE,
    TABLE_PERIODS,
    ReportFigures,
    number_at,
)
from reportgen.metrics.signals import RULES, VERDICT_RULE
from reportgen.metrics.triggers import weakening_triggers
from reportgen.metrics.valuation import MULTIPLES
from reportgen.render.chart_pages import stand_in_uri
from reportgen.render.commentary import AnalystText
from reportgen.render.context import (
    ChangeRow,
    ChangesSection,
    ChartContext,
    Condition,
    ContentsContext,
    CoverContext,
    CoverFigure,
    Definition,
    EditionContext,
    FedStudyRow,
    FundamentalsRow,
    HistoryTableRow,
    LeadersSection,
    PerformanceSection,
    QualitySection,
    RatesSection,
    ReportContext,
    ReturnsRow,
    ReturnsTable,
    RisksSection,
    ScorecardRow,
    SectionHeading,
    SectorReturnRow,
    SectorRow,
    SeriesRow,
    SourcesSection,
    TakeawaysSection,
    ValuationRow,
    ValuationSection,
    VehicleRow,
    VerdictSection,
    WatchRow,
    WaysToPlaySection,
)
from reportgen.render.narrative import LEADING_SECTIONS, Narrative
from reportgen.sections import FIRST_NUMBER, SECTIONS, TITLE
from reportgen.templating import TEMPLATES_DIR, data_uri

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
    ("Dispersion", "Standard deviation of year-to-date returns across the stock universe "
                   f"(shown from {MIN_UNIVERSE} stocks)."),
    ("Breadth", "Share of the universe whose last close is above its 200-day average."),
]
STYLES = {"IWM": "Russell 2000 index", "IJR": "S&P 600 (profitability screen)",
          "VTWO": "Russell 2000 index", "AVUV": "Active value and profitability tilt",
          "VBR": "CRSP small-cap value index", "IJS": "S&P 600 value index"}
NO_VALUATION_HISTORY = ("No history of these multiples is available for this edition, so they "
                        "are not compared with their own past.")
# A trigger that has fired says so: "Fired", not only its value.
TRIGGER_STATUS = {True: "Fired", False: "Not yet", None: DASH}
NO_EARLIER_EDITION = ("No earlier edition is archived yet, so there is nothing to compare with. "
                      "From next month this section lists the figures that moved most and the "
                      "signals that changed mark.")


def chart_context(chart: Chart | ChartShape | None, caption: str | None = None
                  ) -> ChartContext | None:
    """A chart's context: from its shape alone, all the PDF's layout needs; from the chart
    encoded, its inline SVG for the HTML edition too."""
    if chart is None:
        return None
    shape = chart.shape if isinstance(chart, Chart) else chart
    return ChartContext(uri=stand_in_uri(shape.name.encode(), shape.width, shape.height),
                        svg=inline_svg(chart.svg) if isinstance(chart, Chart) else None,
                        alt=shape.title, caption=caption)


def inline_svg(svg: bytes) -> Markup:
    """matplotlib's SVG file as markup to place in an HTML page: without its XML prolog and
    doctype. Safe: the charting stage drew it, and text in it is escaped as XML."""
    text = svg.decode("utf-8")
    return Markup(text[text.index("<svg"):])


def macro_caption(f: ReportFigures, *, prices: bool = False) -> str:
    """The source line of a chart drawn from macro series: their publishers, and the
    edition's source too where prices are drawn beside them."""
    sources = "; ".join(f.macro.sources) + (f"; prices: {f.source}" if prices else "")
    recessions = " Shaded: recessions as dated by the NBER." if f.macro.recessions else ""
    return f"Source: {sources}. Latest values as dated in the title.{recessions}"


@dataclasses.dataclass(frozen=True)
class EditionStatus:
    """What kind of edition is being built: a draft, and a revision's reason."""

    draft: bool = False
    revision_reason: str | None = None


def edition_context(figures: ReportFigures, branding: Branding, logo: str,
                    created: datetime, status: EditionStatus) -> EditionContext:
    return EditionContext(
        title=TITLE, month_name=month_name(figures.month), month_short=month_heading(figures.as_of),
        as_of=day(figures.as_of), firm=branding.firm_name, logo=logo,
        subject="US small caps against large caps: performance, valuation, rates and risk, "
                f"data to {day(figures.as_of)}",
        keywords=f"small caps, Russell 2000, S&P 600, market outlook, {figures.month:%Y-%m}",
        version=reportgen.__version__, created=created.isoformat(timespec="seconds"),
        paper=branding.paper, colour=branding.colour, colours=HOUSE, is_sample=figures.is_sample,
        source=figures.source, disclaimer=branding.disclaimer, draft=status.draft,
        revised=(f"Revised {day(pd.Timestamp(created))}: {status.revision_reason}"
                 if status.revision_reason else None))


def logo_url(config: Config, branding: Branding) -> str:
    """The logo from the firm's assets folder if it is there, else from templates/assets/."""
    if config.assets_dir is not None and (config.assets_dir / branding.logo).is_file():
        return (config.assets_dir / branding.logo).resolve().as_uri()
    return f"assets/{branding.logo}"


LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg"}


def logo_data_uri(config: Config, branding: Branding) -> str:
    """The logo as a data: URI, for a page that must load nothing (the HTML edition, the
    email). Its name is a plain file name (config), so it is read from an asset folder."""
    folder = (config.assets_dir if config.assets_dir is not None
              and (config.assets_dir / branding.logo).is_file() else TEMPLATES_DIR / "assets")
    path = folder / branding.logo
    kind = LOGO_TYPES[path.suffix.lower()]
    return data_uri(kind, path.read_bytes())


def for_screen(context: ReportContext, config: Config) -> ReportContext:
    """The edition as a self-contained web page: inline charts and logo, nothing to fetch."""
    return dataclasses.replace(context, medium="screen", edition=dataclasses.replace(
        context.edition, logo=logo_data_uri(config, config.branding)))


def month_heading(as_of: pd.Timestamp) -> str:
    """The month's column is named by the month ("Oct"), never "1M"."""
    return f"{as_of:%b}"


def performance(f: ReportFigures, config: Config, n: Narrative,
                charts: ChartsByName) -> PerformanceSection:
    ins = config.instruments
    groups = {**dict.fromkeys(ins.small_caps, "small"), **dict.fromkeys(ins.large_caps, "large")}
    rows = [ReturnsRow(ticker=str(t), name=ins.name(str(t)), group=groups.get(str(t), "world"),
                       cells=[pct(v) for v in row]) for t, row in f.returns.iterrows()]
    month = month_heading(f.as_of)
    return PerformanceSection(
        returns=ReturnsTable(periods=[month if p == "MTD" else p for p in TABLE_PERIODS],
                             annualised=ANNUALISED_IN_TABLE, rows=rows,
                             month_note=f"{month}: {month_name(f.month)} to {day(f.as_of)}, "
                                        "from the last close of the month before"),
        paragraphs=n.texts("performance")[1:], growth_chart=chart_context(charts.get("growth")),
        periods_chart=chart_context(charts.get("returns_by_period")),
        decades_chart=chart_context(charts.get("decades"), macro_caption(f, prices=True)))


def valuation(f: ReportFigures, n: Narrative, charts: ChartsByName
              ) -> ValuationSection:
    return ValuationSection(
        small=f.small, large=f.large,
        as_of=day(f.fundamentals_as_of) if f.fundamentals_as_of is not None else None,
        rows=[ValuationRow(name=MULTIPLES[v.multiple], small=number(v.small),
                           large=number(v.large), ratio=times(v.ratio)) for v in f.valuation],
        paragraphs=n.texts("valuation")[1:],
        chart=chart_context(charts.get("valuation")),
        against_history=[HistoryTableRow(
            measure=row.measure, now=number(row.now.value), as_of=day(row.now.as_of),
            mean=number(row.mean), z_score=number(row.z_score, 1, signed=True),
            rank=pct(row.now.percentile, 0, signed=False), since=f"{row.now.since:%Y}")
            for row in f.macro.valuation_history],
        history_sources=("Source: " + "; ".join(f.macro.sources) + "." if
                         f.macro.valuation_history else NO_VALUATION_HISTORY))


def rates(f: ReportFigures, n: Narrative, charts: ChartsByName) -> RatesSection:
    stats, starts = f.rates.fed_study, f.rates.fed_study_cycle_starts
    rows = [FedStudyRow(horizon=f"{months} month{'s' if months > 1 else ''}",
                        mean=pct(row["mean"]), median=pct(row["median"]),
                        share=pct(row["share_positive"], 0, signed=False) if row["count"]
                        else DASH, count=int(row["count"]),
                        cycle_median=pct(number_at(starts, months, "median")),
                        cycle_count=int(number_at(starts, months, "count") or 0))
            for months, row in zip(stats.index.tolist(), stats.to_dict("records"), strict=True)]
    return RatesSection(
        paragraphs=n.texts("rates")[1:], chart=chart_context(charts.get("rates")),
        pair=f"{f.small} minus {f.large}", study_rows=rows, first_cut=day(f.rates.first_cut),
        last_cut=day(f.rates.last_cut), cuts_source="Cut dates: " + fomc_source_note(),
        study_chart=chart_context(charts.get("fed_study")),
        policy_chart=chart_context(charts.get("policy_path"), macro_caption(f, prices=True)))


def quality(f: ReportFigures, n: Narrative) -> QualitySection:
    table = f.quality.fundamentals
    return QualitySection(
        small=f.small, large=f.large,
        as_of=day(f.fundamentals_as_of) if f.fundamentals_as_of is not None else None,
        rows=[FundamentalsRow(ticker=str(t), growth=pct(r["earnings_growth"], 0),
                              roe=pct(r["return_on_equity"], 0, signed=False))
              for t, r in table.iterrows()],
        paragraphs=n.texts("quality")[1:],
        sectors=[SectorRow(sector=str(sector).replace("_", " ")
                           .replace("realestate", "real estate").capitalize(),
                           small=pct(row["small"], 1, signed=False),
                           large=pct(row["large"], 1, signed=False),
                           gap=change(row["large"], row["small"], "%"))
                 for sector, row in f.sector_weights.iterrows()])


def leaders(f: ReportFigures, charts: ChartsByName) -> LeadersSection:
    return LeadersSection(
        month_chart=chart_context(charts.get("leaders_month")),
        ytd_chart=chart_context(charts.get("leaders_ytd")),
        watch=[WatchRow(ticker=str(t), sector=f.sectors.get(str(t), DASH),
                        month=pct(f.watch_month.get(t)), ytd=pct(f.watch_ytd.get(t)))
               for t in f.watch_ytd.index],
        sectors=[SectorReturnRow(sector=str(sector), stocks=int(row["stocks"]),
                                 median=pct(row["median"]),
                                 share_up=pct(row["share_up"], 0, signed=False))
                 for sector, row in f.sector_month.iterrows()])


def ways_to_play(f: ReportFigures, charts: ChartsByName) -> WaysToPlaySection:
    rows = [VehicleRow(ticker=str(t), style=STYLES.get(str(t), DASH),
                       cells=[pct(r["return_1y"]), pct(r["return_3y_annualised"]),
                              pct(r["volatility_3y"], signed=False), pct(r["max_drawdown_3y"]),
                              number(r["sharpe_3y"], 2),
                              pct(r["expense_ratio"], 2, signed=False),
                              money(r["total_assets"])])
            for t, r in f.vehicles.iterrows()]
    return WaysToPlaySection(rows=rows,
                             growth_chart=chart_context(charts.get("vehicles_growth")),
                             risk_return_chart=chart_context(charts.get("risk_return")))


def risks(f: ReportFigures, n: Narrative, charts: ChartsByName) -> RisksSection:
    vols = f.risk.volatility_3m
    vol_small, vol_large = vols.get(f.small), vols.get(f.large)
    triggers = weakening_triggers(
        f.small, f.large, f.pair, f.rates.ten_year_change_3m, f.risk.drawdown_now.get(f.small),
        vol_small / vol_large if vol_small and vol_large else None)
    conditions = [Condition(signal=t.name, now=figure(t.value, t.unit), trigger=t.condition,
                            status=TRIGGER_STATUS[t.fired]) for t in triggers]
    return RisksSection(paragraphs=n.texts("risks")[1:],
                        volatility_chart=chart_context(charts.get("rolling_volatility")),
                        drawdown_chart=chart_context(charts.get("drawdown")),
                        conditions=conditions,
                        credit_chart=chart_context(charts.get("credit"), macro_caption(f)))


def verdict(f: ReportFigures) -> VerdictSection:
    rows = [ScorecardRow(name=s.rule.name, measure=s.rule.measure,
                         value=figure(s.value, s.rule.unit),
                         mark=s.mark.value if s.mark else "no data",
                         mark_class=s.mark.value if s.mark else "none") for s in f.signals]
    return VerdictSection(scorecard=rows, rule=VERDICT_RULE)


def changes(comparison: Comparison | None) -> ChangesSection:
    if comparison is None:
        return ChangesSection(previous=None, previous_as_of=None, rows=[], flips=[],
                              note=NO_EARLIER_EDITION)
    return ChangesSection(
        previous=comparison.previous.edition,
        previous_as_of=day(comparison.previous.figures.as_of),
        rows=[ChangeRow(name=m.name, then=figure(m.then, m.unit), now=figure(m.now, m.unit),
                        change=change(m.then, m.now, m.unit)) for m in comparison.moves],
        flips=[f"{key} from {then or 'no data'} to {now or 'no data'}"
               for key, then, now in comparison.flips],
        note="")


def sources(f: ReportFigures) -> SourcesSection:
    groups: dict[tuple[str, str], list[str]] = {}
    for ticker, last in f.series_ends.items():
        fetched = (f"{f.fetched_at[ticker]:%d %b %Y %H:%M} UTC" if ticker in f.fetched_at
                   else DASH)
        groups.setdefault((day(last), fetched), []).append(ticker)
    series = [SeriesRow(tickers=", ".join(tickers), last=last, fetched=fetched)
              for (last, fetched), tickers in groups.items()]
    return SourcesSection(series=series, fomc=fomc_source_note(),
                          definitions=[Definition(term=term, text=text)
                                       for term, text in DEFINITIONS],
                          rules=[rule.describe() for rule in RULES.values()])


def compose_report(figures: ReportFigures, narrative: Narrative,
                   charts: ChartsByName, config: Config, created: datetime,
                   comparison: Comparison | None, commentary: AnalystText,
                   status: EditionStatus) -> ReportContext:
    """The context of the master edition (the config's branding, no client)."""
    f, n = figures, narrative
    return ReportContext(
        medium="print",
        edition=edition_context(f, config.branding, logo_url(config, config.branding), created,
                                status),
        cover=CoverContext(headline=commentary.headline or n.headline,
                           verdict=n.verdict_line.text, figures=cover_figures(f, config),
                           chart=chart_context(charts.get("relative_strength"))),
        contents=ContentsContext(
            sections=[SectionHeading(id=s.id, number=number, title=s.title)
                      for number, s in enumerate(SECTIONS, start=FIRST_NUMBER)],
            data_notes=f.missing),
        takeaways=TakeawaysSection(items=n.texts("takeaways"),
                                   scorecard_chart=chart_context(charts.get("scorecard")),
                                   verdict=n.verdict_line.text),
        performance=performance(f, config, n, charts),
        valuation=valuation(f, n, charts),
        rates=rates(f, n, charts),
        quality=quality(f, n),
        leaders=leaders(f, charts),
        ways_to_play=ways_to_play(f, charts),
        risks=risks(f, n, charts),
        verdict=verdict(f),
        changes=changes(comparison),
        sources=sources(f),
        findings={id_: texts[0] for id_ in LEADING_SECTIONS if (texts := n.texts(id_))},
        intro=commentary.intro,
        commentary=commentary.sections,
    )


def cover_figures(f: ReportFigures, config: Config) -> list[CoverFigure]:
    """The month's return of the small-cap fund, the six-month small-minus-large spread and
    the 10-year yield: each with its period, each as printed elsewhere in the edition."""
    ins, pair = config.instruments, f.pair
    figures = [CoverFigure(label=f"{ins.name(f.small)} ({f.small})",
                           period=month_name(f.month),
                           value=pct(f.month_returns.get(f.small)))]
    if pair is not None:
        figures.append(CoverFigure(label=f"{f.small} minus {f.large}",
                                   period=f"six months to {day(f.as_of)}",
                                   value=pct(pair.spread_6m)))
    figures.append(CoverFigure(label="10-year Treasury yield", period=day(f.as_of),
                               value=figure(f.rates.ten_year_yield, "yield")))
    return figures


def with_branding(context: ReportContext, config: Config, branding: Branding
                  ) -> ReportContext:
    """The same edition with another branding (a client's, or the clients file's)."""
    return dataclasses.replace(context, edition=dataclasses.replace(
        context.edition, firm=branding.firm_name, logo=logo_url(config, branding),
        paper=branding.paper, colour=branding.colour, disclaimer=branding.disclaimer))
