"""The house colours, by name, for the stylesheet and the charts alike; one colour per
instrument, used by every chart; and the line patterns that tell groups apart in grey."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.config import Instruments

# The stylesheet's custom properties (--ink, --rule, ...) are set from this table by
# base.html.j2, and the charts draw with it, so a page and its charts agree.
HOUSE = {
    "ink": "#1d2b3a", "secondary": "#5b6773", "muted": "#8a94a0", "rule": "#e3e6ea",
    "panel": "#f4f6f8", "verdict-panel": "#eef4fa", "notes-panel": "#fdf3e7",
    "notes-rule": "#e69138", "large-cap-row": "#fbf7f5", "commentary-panel": "#f7f7f2",
    "supportive": "#2e7d32", "neutral": "#9e9e9e", "against": "#c62828", "no-data": "#e0e0e0",
    "gain": "#2e7d32", "loss": "#b3261e", "accent": "#0b5394",
    "recession": "#e6e6e6",  # NBER recessions: a light band, legible in grey-scale print
    "watermark": "rgba(198, 40, 40, 0.07)",
}
INK, MUTED, ACCENT = HOUSE["ink"], HOUSE["muted"], HOUSE["accent"]
GAIN, LOSS, RECESSION = HOUSE["gain"], HOUSE["loss"], HOUSE["recession"]
MARK_COLOURS = {"supportive": HOUSE["supportive"], "neutral": HOUSE["neutral"],
                "against": HOUSE["against"], None: HOUSE["no-data"]}
# matplotlib's own colours (labels, ticks, grid, frame), from the same table.
CHART_COLOURS = {"text.color": HOUSE["ink"], "axes.labelcolor": HOUSE["secondary"],
                 "xtick.color": HOUSE["secondary"], "ytick.color": HOUSE["secondary"],
                 "axes.edgecolor": HOUSE["muted"], "grid.color": HOUSE["rule"]}

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



@dataclass(frozen=True)
class LineStyles:
    """Line patterns by group, so that lines stay apart in grey-scale print, where the blues
    and reds of the palette come out as similar greys: small caps solid, large caps dashed,
    everything else dotted. The groups are the configured instruments'."""

    small_caps: frozenset[str]
    large_caps: frozenset[str]

    @classmethod
    def of(cls, ins: Instruments) -> LineStyles:
        return cls(frozenset([*ins.small_caps, *ins.small_cap_styles]),
                   frozenset(ins.large_caps))

    def __call__(self, ticker: str) -> str:
        if ticker in self.small_caps:
            return "-"
        return "--" if ticker in self.large_caps else ":"


def colour(ticker: str) -> str:
    if ticker in INSTRUMENT_COLOURS:
        return INSTRUMENT_COLOURS[ticker]
    return FALLBACK[sum(map(ord, ticker)) % len(FALLBACK)]
