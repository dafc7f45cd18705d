"""Figures as the report prints them: one sign convention."""

from reportgen.formatting import number, pct, points


def test_a_figure_that_rounds_to_zero_has_no_sign() -> None:
    assert [pct(-0.0004), pct(0.0), pct(0.0004), pct(-0.0004, signed=False)] == ["0.0%"] * 4
    assert points(-0.001) == "0.00 pp" and number(-0.04, 1, signed=True) == "0.0"
    assert pct(-0.0006) == "−0.1%" and pct(0.012) == "+1.2%" and points(0.25) == "+0.25 pp"
    assert number(-1234.5) == "−1,234.5"
