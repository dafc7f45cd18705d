"""Small-versus-large valuation ratios from whatever multiples the source provides."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.data.model import MarketData

MULTIPLES = {"trailing_pe": "Trailing P/E", "forward_pe": "Forward P/E",
             "price_to_book": "Price to book"}


@dataclass(frozen=True)
class ValuationRatio:
    multiple: str  # a key of MULTIPLES
    small: float
    large: float
    method_small: str | None  # how the source computed the small-cap figure
    method_large: str | None

    @property
    def ratio(self) -> float:
        """Small-cap multiple ÷ large-cap multiple; below 1 means small caps are cheaper."""
        return self.small / self.large


def valuation_ratios(data: MarketData, small: str, large: str) -> list[ValuationRatio]:
    """One ratio per multiple both funds have a positive figure for; none when they lack it."""
    ratios = []
    for multiple in MULTIPLES:
        small_value = data.fundamental(small, multiple)
        large_value = data.fundamental(large, multiple)
        if small_value is None or large_value is None or small_value <= 0 or large_value <= 0:
            continue
        ratios.append(ValuationRatio(multiple, small_value, large_value,
                                     data.fundamental_text(small, "pe_method"),
                                     data.fundamental_text(large, "pe_method")))
    return ratios
