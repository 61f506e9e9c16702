"""The flat point: the repository's SQL answers what the domain rule says, on both backends.

``TradeRepository.flat_point`` computes it with a few indexed queries for speed;
``gal_friday.domain.flat_point.flat_point`` is the rule (the in-memory fakes use it). Both
are asked at every instant around a varied set of fill histories (round trips, dust left
behind or sold, an open position, a zero crossing, simultaneous fills).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from gal_friday.domain.flat_point import flat_point
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.trade_rebuild import rebuild_trades
from tests.factories import at, make_fill, make_order

#: Each history: (minute, side, quantity, fee in BTC) per fill, one order each.
HISTORIES = {
    "round trips": [
        (1, "BUY", "1", "0"),
        (2, "SELL", "1", "0"),
        (3, "BUY", "2", "0"),
        (4, "SELL", "2", "0"),
    ],
    "dust, then a new entry": [
        (1, "BUY", "1", "0.001"),
        (2, "SELL", "0.998", "0"),
        (3, "BUY", "1", "0.001"),
        (4, "SELL", "0.998", "0"),
    ],
    "dust at the end": [(1, "BUY", "1", "0.001"), (2, "SELL", "0.998", "0")],
    "dust sold later": [
        (1, "BUY", "1", "0.001"),
        (2, "SELL", "0.998", "0"),
        (3, "SELL", "0.001", "0"),
        (4, "BUY", "1", "0"),
    ],
    "open at the end": [(1, "BUY", "1", "0"), (2, "SELL", "0.5", "0"), (3, "BUY", "1", "0")],
    "zero crossing": [(1, "BUY", "1", "0"), (2, "SELL", "2", "0"), (3, "BUY", "1", "0")],
    "simultaneous fills": [
        (1, "BUY", "1", "0"),
        (2, "SELL", "1", "0"),
        (2, "BUY", "1", "0"),
        (3, "SELL", "1", "0"),
        (3, "BUY", "0.5", "0.0005"),
        (4, "SELL", "0.499", "0"),
    ],
}


def _orders(history):
    orders = []
    for n, (minute, side, quantity, fee) in enumerate(history):
        order = make_order(
            side=side,
            order_type="MARKET",
            limit_price=None,
            quantity_ordered=Decimal(quantity),
            created_at=at(minute),
        )
        paid = Decimal(fee)
        order.apply_fill(
            make_fill(
                f"F{n}",
                side=side,
                quantity_filled=Decimal(quantity),
                commission=paid if paid else Decimal("0.1"),
                commission_asset="BTC" if paid else "USD",
                filled_at=at(minute),
            )
        )
        orders.append(order)
    return orders


def _instants(history):
    last = max(minute for minute, *_ in history)
    return [at(quarter / 4) for quarter in range(0, 4 * last + 6)]


@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_the_sql_flat_point_is_the_domain_rule(engine, name):
    history = HISTORIES[name]
    with UnitOfWork(engine) as uow:
        for order in _orders(history):
            uow.orders.add(order)
        uow.commit()
    rebuild_trades(unit_of_work_factory(engine))
    fakes = InMemoryUnitOfWork()
    with UnitOfWork(engine, read_only=True) as uow, fakes as fake:
        trades = uow.trades.all("BTC/USD")  # in the order they were stored, per entry time
        assert trades
        fake.trades.add_all(trades)
        assert any(flat_point(trades, i) != i for i in _instants(history))  # it does move
        for instant in _instants(history):
            expected = flat_point(trades, instant)
            assert uow.trades.flat_point("kraken", "BTC/USD", instant) == expected, instant
            assert fake.trades.flat_point("kraken", "BTC/USD", instant) == expected, instant
