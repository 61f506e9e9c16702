"""Order.correct_fill_fee: a fill's fee changes through its order, which keeps its aggregates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gal_friday.domain import FillMismatchError, InvalidValueError, Order, OrderType
from gal_friday.domain.order import fill_aggregates
from tests.factories import at, make_fill

D = Decimal


def _order() -> Order:
    fills = [
        make_fill("F1", filled_at=at(1)),
        make_fill("F2", fill_price=D("101"), commission=D("0.2"), filled_at=at(2)),
    ]
    return Order.filled_by(fills, order_type=OrderType.MARKET, exchange_order_id="O1")


def _agrees(order: Order) -> bool:
    totals = fill_aggregates(order.fills)
    return (
        order.filled_quantity,
        order.fill_notional,
        order.average_fill_price,
        order.commissions,
    ) == (
        totals.filled_quantity,
        totals.fill_notional,
        totals.average_fill_price,
        totals.commissions,
    )


def test_a_fee_in_another_asset_moves_the_orders_commissions():
    order = _order()
    assert order.commissions == {"USD": D("0.3")}
    assert order.correct_fill_fee("F2", D("0.0001"), "btc")
    fill = order.fill_by_id("F2")
    assert fill is not None and (fill.commission, fill.commission_asset) == (D("0.0001"), "BTC")
    assert order.commissions == {"USD": D("0.1"), "BTC": D("0.0001")}
    assert _agrees(order)


def test_the_fee_it_has_already_changes_nothing():
    order = _order()
    assert not order.correct_fill_fee("F1", D("0.10"), "USD")
    assert order.commissions == {"USD": D("0.3")}


def test_an_unknown_fill_or_a_refused_fee_changes_nothing():
    order = _order()
    with pytest.raises(FillMismatchError, match="has no fill 'F9'"):
        order.correct_fill_fee("F9", D("1"), "USD")
    with pytest.raises(InvalidValueError, match="the fee must be below the quantity"):
        order.correct_fill_fee("F1", D("0.4"), "BTC")  # a base fee of the whole buy
    assert order.commissions == {"USD": D("0.3")}
    assert [(f.commission, f.commission_asset) for f in order.fills] == [
        (D("0.1"), "USD"),
        (D("0.2"), "USD"),
    ]
    assert _agrees(order)


def test_a_rebate_is_a_fee_like_any_other():
    order = _order()
    assert order.correct_fill_fee("F1", D("-0.05"), "USD")
    assert order.commissions == {"USD": D("0.15")}
    assert _agrees(order)
