"""Chart helpers that decide layout, on toy data (and real FRED data where it is at hand)."""

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from reportgen.charts.figures import _label_offsets, downsample, step_corners


def test_labels_of_coinciding_dots_are_moved_apart() -> None:
    points = pd.DataFrame({"x": [0.19, 0.1901, 0.25], "y": [0.094, 0.093, 0.15]},
                          index=["IWM", "VTWO", "AVUV"])
    offsets = _label_offsets(points)
    assert offsets[0] == (4, 3) and offsets[2] == (4, 3)
    assert offsets[1] == (4, -6)  # VTWO sits on IWM: its label goes below


def test_long_series_are_downsampled_but_keep_their_last_close() -> None:
    days = pd.bdate_range("2016-01-01", "2026-10-30")
    series = pd.Series(range(len(days)), index=days, dtype=float)
    monthly = downsample(series)
    assert len(monthly) == len(pd.period_range("2016-01", "2026-10", freq="M"))
    assert monthly.index[-1] == days[-1] and monthly.iloc[-1] == series.iloc[-1]
    weekly = downsample(series[-700:])
    assert weekly.index[-1] == days[-1] and 130 < len(weekly) < 150
    assert downsample(series[-300:]).equals(series[-300:])  # two years or less: daily


def test_a_step_function_keeps_its_outline_with_only_its_corners(real_prices: Path) -> None:
    fred = real_prices.parent / "reference" / "fred_2026q1"
    band = pd.concat({bound: pd.read_csv(fred / f"DFEDTAR{bound[0].upper()}.csv",
                                         index_col="Date", parse_dates=True)["Value"]
                      for bound in ("upper", "lower")}, axis=1).dropna()
    corners = step_corners(band)
    assert len(corners) < len(band) / 20
    assert corners.index[[0, -1]].equals(band.index[[0, -1]])
    # Held from each corner to the next ("post" steps), the corners give every day's value.
    assert corners.reindex(band.index, method="ffill").equals(band)
    assert step_corners(band.iloc[:1]).equals(band.iloc[:1])


def test_small_and_large_caps_stay_apart_in_grey_scale_print(sample_data) -> None:
    """The palette's blues and reds print as similar greys, so groups differ by pattern."""
    from reportgen.charts import figures
    from reportgen.charts.palette import LineStyles
    from reportgen.config import Instruments

    closes = {t: sample_data.adj_close(t)[-300:] for t in ("IWM", "IJR", "SPY", "QQQ", "ACWX")}
    chart = figures.growth_chart(closes, "test", LineStyles.of(Instruments()))
    styles = {line.get_label(): line.get_linestyle() for line in chart.axes[0].get_lines()
              if line.get_label() in closes}
    assert styles == {"IWM": "-", "IJR": "-", "SPY": "--", "QQQ": "--", "ACWX": ":"}
    # The groups are the configured ones: a firm's own small-cap fund is drawn solid.
    own = Instruments(small_caps=["QQQ", "IWM"])
    chart = figures.growth_chart(closes, "test", LineStyles.of(own))
    assert {line.get_label(): line.get_linestyle() for line in chart.axes[0].get_lines()
            }["QQQ"] == "-"


def test_the_stylesheet_and_the_charts_share_one_table_of_colours() -> None:
    """report.css names colours only; their values come from the palette, which the charts
    draw with, so a loss is the same red in a table and in a bar."""
    import re

    from reportgen.charts.palette import CHART_COLOURS, HOUSE, LOSS, MARK_COLOURS
    from reportgen.templating import TEMPLATES_DIR

    css = (TEMPLATES_DIR / "report.css").read_text()
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b|rgba?\(", css)
    used = set(re.findall(r"var\(--([a-z-]+)\)", css)) - {"brand"}
    assert used <= set(HOUSE), used - set(HOUSE)
    assert HOUSE["loss"] == LOSS and MARK_COLOURS["against"] == HOUSE["against"]
    assert set(CHART_COLOURS.values()) <= set(HOUSE.values())


def _crop_and_anchor(svg: bytes) -> tuple[float, float, float, float]:
    """An SVG chart's size, and where the first thing after the figure's background (its
    first axes' patch, or the scorecard's first tile) starts: the crop around a fixed point."""
    import re

    text = svg.decode()
    width, height = (float(re.search(rf'{side}="([\d.]+)pt"', text)[1])  # type: ignore[index]
                     for side in ("width", "height"))
    x, y = (float(v) for v in re.findall(r'<path d="M ([\d.]+) ([\d.]+)', text)[1])
    return width, height, x, y


def assert_cropped_as_matplotlib_would(name: str, figure: Figure) -> None:
    """The chart's SVG leaves as much room on each side of a fixed point as matplotlib's own
    crop ("tight": drawn, then measured), and at most half a point more: nothing it draws
    loses an edge."""
    import io

    import matplotlib.style

    from reportgen.charts.figures import STYLE, drawn_box, svg_image

    theirs = io.BytesIO()
    with matplotlib.style.context(STYLE):
        figure.savefig(theirs, format="svg", bbox_inches="tight")
    width, height, x, y = _crop_and_anchor(theirs.getvalue())
    our_width, our_height, our_x, our_y = _crop_and_anchor(svg_image(figure, drawn_box(figure)))
    rooms = {"left": (our_x, x), "top": (our_y, y),
             "right": (our_width - our_x, width - x),
             "bottom": (our_height - our_y, height - y)}
    for side, (ours, matplotlibs) in rooms.items():
        assert -0.001 <= ours - matplotlibs <= 0.5, (name, side, ours, matplotlibs)


def test_every_chart_is_cropped_as_matplotlib_would_crop_it(sample_data, sample_figures
                                                            ) -> None:
    """Charts are cropped to what they draw, measured once (``figures.drawn_box``) rather
    than matplotlib's way (drawn, then measured)."""
    from reportgen.charts.report_charts import CHARTS
    from reportgen.config import Config

    drawn = {name: draw(sample_data, Config().instruments, sample_figures)
             for name, draw in CHARTS.items()}
    assert sum(figure is not None for figure in drawn.values()) >= 12
    for name, figure in drawn.items():
        if figure is not None:  # None: no data for it in the sample (the Fed's policy path)
            assert_cropped_as_matplotlib_would(name, figure)


# The charts the templates give the whole text column; the others share it with another.
FULL_WIDTH_CHARTS = {"relative_strength", "rates", "decades", "credit", "scorecard"}


def test_full_width_charts_print_their_text_at_the_size_half_width_ones_do(
        sample_data, sample_figures) -> None:
    """Each chart is cropped to what it draws and widened to its column (report.css: A4 less
    16 mm margins, 178 mm; a half column 86 mm), so its text prints at that scale. A
    full-width chart is drawn wide enough that its crop fills the column at about its own
    size: drawn as wide as the column, it printed its text a sixth larger than the
    half-width charts (1.16 to 1.29 against a median of 1.04)."""
    from statistics import median

    from reportgen.charts.report_charts import draw_charts
    from reportgen.charts.svg import svg_size
    from reportgen.config import Config

    column, half = (178 / 25.4 * 72, 86 / 25.4 * 72)  # in points
    charts = draw_charts(sample_data, Config().instruments, sample_figures)
    scale = {name: (column if name in FULL_WIDTH_CHARTS else half)
             / float(svg_size(chart.svg)[0].removesuffix("pt"))
             for name, chart in charts.items() if chart is not None}
    full = [scale[name] for name in FULL_WIDTH_CHARTS if name in scale]  # some lack data
    assert len(full) >= 3
    halves = [s for name, s in scale.items() if name not in FULL_WIDTH_CHARTS]
    assert abs(median(full) - median(halves)) < 0.05, scale
    assert all(0.95 < s < 1.15 for s in full), scale
