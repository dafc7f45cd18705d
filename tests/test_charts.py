"""Chart helpers that decide layout, on toy data (and real FRED data where it is at hand)."""

from pathlib import Path

import pandas as pd
import pytest

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
    first axes' patch, or the scorecard's first tile) starts: a fixed point of the chart."""
    import re

    text = svg.decode()
    width, height = (float(re.search(rf'{side}="([\d.]+)pt"', text)[1])  # type: ignore[index]
                     for side in ("width", "height"))
    x, y = (float(v) for v in re.findall(r'<path d="M ([\d.]+) ([\d.]+)', text)[1])
    return width, height, x, y


def _assert_fitted(drawn: dict) -> None:
    """Each chart keeps its figure's size (so every chart prints at one scale), and what it
    draws, as matplotlib itself crops it ("tight": measured after drawing, with the style's
    pad around it), lies inside it and fills it: to within half a point of its edges on the
    left, at the top and at the bottom (the right may end short where a last tick label
    moves as the plot stretches)."""
    import io

    import matplotlib.style

    from reportgen.charts.figures import STYLE, to_image
    from reportgen.charts.report_charts import _encoded

    for name, figure in drawn.items():
        if figure is None:  # no data for it here (the Fed's policy path in the sample)
            continue
        width, height, x, y = _crop_and_anchor(to_image(figure, "svg"))
        assert (width, height) == pytest.approx(tuple(72 * figure.get_size_inches())), name
        tight = io.BytesIO()
        with matplotlib.style.context(STYLE):
            figure.savefig(tight, format="svg", bbox_inches="tight")
        tight_width, tight_height, tight_x, tight_y = _crop_and_anchor(tight.getvalue())
        left, top = x - tight_x, y - tight_y  # the tight crop's corner, in our chart
        sides = {"left": left, "top": top, "right": width - (left + tight_width),
                 "bottom": height - (top + tight_height)}
        # A title may run into the pad on the right (it is wrapped only past the edge).
        pad = 72 * matplotlib.rcParams["savefig.pad_inches"]
        for side, room in sides.items():
            assert room >= (-pad if side == "right" else -0.01), (name, side, room)
            assert room <= (18 if side == "right" else 0.5), (name, side, room)
        assert "\n" not in _encoded(name, figure).title  # type: ignore[union-attr]


def test_every_chart_keeps_its_size_and_fits_what_it_draws(sample_data, sample_figures
                                                           ) -> None:
    from reportgen.charts.report_charts import CHARTS
    from reportgen.config import Config

    drawn = {name: draw(sample_data, Config().instruments, sample_figures)
             for name, draw in CHARTS.items()}
    assert sum(figure is not None for figure in drawn.values()) >= 12
    _assert_fitted(drawn)


def test_every_chart_of_real_data_keeps_its_size_and_fits_what_it_draws(
        real_prices: Path, tmp_path: Path) -> None:
    """The real September 2026 edition's charts, with the real FRED, French and Shiller
    series when the reference folder is there (longer histories, other labels)."""
    from reportgen.charts.report_charts import CHARTS
    from reportgen.config import load_config
    from reportgen.data.sources import open_source
    from reportgen.data.store import Store
    from reportgen.edition import load_market_data
    from reportgen.metrics.dates import edition_dates
    from reportgen.metrics.report import compute_report_figures
    from tests.conftest import macro_folders

    config = load_config(macro_folders(tmp_path / "macro"))
    data = load_market_data(open_source(f"csv:{real_prices}"), config, Store(tmp_path / "store"))
    ins = config.instruments
    calendar = data.calendar([ins.primary_pair[0]])
    _, as_of = edition_dates(calendar, pd.Period("2026-09"), None)
    figures = compute_report_figures(data, ins, as_of)
    drawn = {name: draw(data, ins, figures) for name, draw in CHARTS.items()}
    assert sum(figure is not None for figure in drawn.values()) >= 12
    _assert_fitted(drawn)


def test_a_title_too_long_for_its_chart_is_wrapped_into_even_lines() -> None:
    import matplotlib.style

    from reportgen.charts.figures import HALF_WIDTH, STYLE, drawn_box, lines_chart
    from reportgen.charts.palette import LineStyles
    from reportgen.config import Instruments

    days = pd.bdate_range("2026-01-01", periods=60)
    title = "After the Fed's cuts the best median return for small caps came at six months"
    figure = lines_chart({"IWM": pd.Series(range(60), index=days, dtype=float)}, title,
                         "Level", LineStyles.of(Instruments()), percent=False)
    lines = figure.axes[0].get_title(loc="left").split("\n")
    assert " ".join(lines) == title and len(lines) == 2
    assert abs(len(lines[0]) - len(lines[1])) < 12
    with matplotlib.style.context(STYLE):
        assert drawn_box(figure).x1 <= HALF_WIDTH + 0.001
