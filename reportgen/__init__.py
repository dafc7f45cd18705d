"""reportgen: the monthly US Small-Cap Outlook, from market data to client mail."""

# Raised with every change that makes the same inputs give other bytes (a layout, a chart,
# how the PDF is written): an archived edition rebuilds byte for byte with the versions it
# names in its manifest, so a rebuild that differs must be told by a version that differs.
# 0.2.0: the charts are drawn into the PDF after its layout (render/chart_pages.py).
# 0.3.0: each chart keeps its size, its plots fitted to it, instead of being cropped
# (charts/figures.py: fit), so every chart prints at one scale.
__version__ = "0.3.0"
