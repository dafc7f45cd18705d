"""One colour per instrument, used by every chart, and the scorecard's colours."""

from __future__ import annotations

INK = "#1d2b3a"
MUTED = "#8a94a0"
ACCENT = "#0b5394"

INSTRUMENT_COLOURS = {
    # small caps: blues
    "IWM": "#0b5394", "IJR": "#3d85c6", "VTWO": "#6fa8dc",
    # large caps: warm
    "SPY": "#cc4125", "QQQ": "#e69138", "IWB": "#a64d79",
    # world ex-US: green
    "ACWX": "#38761d",
    # small-cap styles: teals and slate
    "AVUV": "#13877a", "VBR": "#76a5af", "IJS": "#45526e",
    # rates
    "^IRX": "#7f7f7f", "^TNX": "#1d2b3a",
}
FALLBACK = ["#674ea7", "#b45f06", "#3c78d8", "#6aa84f", "#c27ba0", "#999999"]

MARK_COLOURS = {"supportive": "#2e7d32", "neutral": "#9e9e9e", "against": "#c62828",
                None: "#e0e0e0"}
GAIN, LOSS = "#2e7d32", "#c62828"
RECESSION = "#e6e6e6"  # NBER recessions: a light grey band, legible in grey-scale print


# Line patterns by group, so that lines stay apart in grey-scale print, where the blues and
# reds of the palette come out as similar greys: small caps solid, large caps dashed,
# everything else dotted.
SMALL_CAPS = {"IWM", "IJR", "VTWO", "AVUV", "VBR", "IJS"}
LARGE_CAPS = {"SPY", "QQQ", "IWB", "^TNX"}


def line_style(ticker: str) -> str:
    if ticker in SMALL_CAPS:
        return "-"
    return "--" if ticker in LARGE_CAPS else ":"


def colour(ticker: str) -> str:
    if ticker in INSTRUMENT_COLOURS:
        return INSTRUMENT_COLOURS[ticker]
    return FALLBACK[sum(map(ord, ticker)) % len(FALLBACK)]
