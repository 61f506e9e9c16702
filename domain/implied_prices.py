"""The prices of an order known only through its fills (an imported history).

An exchange's trade export gives each fill's price but not the order's limit or
trigger price, which the order's type requires (:attr:`OrderType.has_limit_price`,
:attr:`OrderType.has_stop_price`). What the fills prove:

* the limit price is at least as permissive as every fill: the worst price the
  order was filled at in its direction (the highest for a BUY, the lowest for a
  SELL);
* the trigger was reached at the first fill: its price stands for the stop price.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from gal_friday.domain.enums import OrderType, Side
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.fill import Fill


def implied_limit_price(order_type: OrderType, side: Side, fills: Sequence[Fill]) -> Decimal | None:
    """The worst fill price in the order's direction, for types with a limit price; else None."""
    if not order_type.has_limit_price:
        return None
    if not fills:
        raise InvalidValueError("fills", "an order's limit price is implied by at least one fill")
    prices = [fill.fill_price for fill in fills]
    return max(prices) if side is Side.BUY else min(prices)


def implied_stop_price(order_type: OrderType, fills: Sequence[Fill]) -> Decimal | None:
    """The first fill's price (in time order), for types with a trigger price; else None."""
    if not order_type.has_stop_price:
        return None
    if not fills:
        raise InvalidValueError("fills", "an order's stop price is implied by at least one fill")
    return min(fills, key=lambda fill: fill.sort_key).fill_price
