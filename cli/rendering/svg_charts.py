"""Small inline SVG charts for the tearsheet: a line with its area, drawn from Decimals.

No script, no external file: each chart is an ``<svg>`` element whose coordinates are
computed with ``Decimal`` and written with one decimal place, so the same data always
gives the same bytes. The chart scales to its container (``viewBox`` and
``preserveAspectRatio="none"``); its labels are HTML around it, never stretched text.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

WIDTH = Decimal(1000)
HEIGHT = Decimal(260)
_TENTH = Decimal("0.1")


def _coordinate(value: Decimal) -> str:
    return format(value.quantize(_TENTH), "f")


def _scaled(values: Sequence[Decimal], with_zero: bool) -> tuple[list[str], str]:
    """Each value's ``x,y`` in the view box, and the y the area fills down (or up) to.

    ``with_zero`` keeps zero in the vertical range (a drawdown, a PnL); else the range
    is the values' own, so a curve near 10,000 is not drawn flat at the top of the box.
    """
    low, high = min(values), max(values)
    if with_zero:
        low, high = min(low, Decimal(0)), max(high, Decimal(0))
    span = high - low or Decimal(1)
    steps = max(len(values) - 1, 1)
    points = [
        f"{_coordinate(WIDTH * index / steps)},{_y(value, low, span)}"
        for index, value in enumerate(values)
    ]
    return points, _y(Decimal(0) if with_zero else low, low, span)


def _y(value: Decimal, low: Decimal, span: Decimal) -> str:
    return _coordinate(HEIGHT - (value - low) / span * HEIGHT)


def line_chart(
    values: Sequence[Decimal], *, label: str, css_class: str, with_zero: bool = True
) -> str:
    """A line over its filled area (to zero, or to the lowest value); "" for no values."""
    if not values:
        return ""
    points, zero = _scaled(values, with_zero)
    if len(points) == 1:
        points.append(f"{_coordinate(WIDTH)},{points[0].split(',')[1]}")
    first_x, last_x = points[0].split(",")[0], points[-1].split(",")[0]
    area = " ".join([f"{first_x},{zero}", *points, f"{last_x},{zero}"])
    return (
        f'<svg class="chart {css_class}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(label)}">'
        f'<line class="zero" x1="0" y1="{zero}" x2="{WIDTH}" y2="{zero}"/>'
        f'<polygon class="area" points="{area}"/>'
        f'<polyline class="line" points="{" ".join(points)}"/>'
        "</svg>"
    )
