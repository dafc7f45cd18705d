"""reportgen: the monthly US Small-Cap Outlook, from market data to client mail."""

# Raised with every change that makes the same inputs give other bytes (a layout, a chart,
# how the PDF is written): an archived edition rebuilds byte for byte with the versions it
# names in its manifest, so a rebuild that differs must be told by a version that differs.
# 0.2.0: the charts are drawn into the PDF after its layout (render/chart_pages.py).
# 0.3.0: clients of a batch with the same holdings share one laid-out portfolio page
# (copies.py), so a batch's document, and the fonts a copy carries from it, differ.
# 0.4.0: librsvg, not WeasyPrint, draws the charts' pages (render/chart_pages.py).
# 0.5.0: full-width charts are drawn wider, so that they print at about their own size.
# 0.6.0: a client's holdings table and contribution bars are drawn by librsvg, not laid out
# by WeasyPrint (render/drawn.py).
# 0.7.0: a chart's stand-in is marked by the chart's name, not its SVG (laid out before the
# chart is encoded: chart_drawing.py), and WeasyPrint names the image by its content, so the
# pages' resource names differ; their pictures and text do not.
# 0.8.0: a client's block and portfolio pages are drawn by librsvg over the shared cover and
# over a frame laid out once per branding (render/drawn.py, render/personalise.py), and the
# sample or draft watermark is on the portfolio pages too.
__version__ = "0.8.0"
