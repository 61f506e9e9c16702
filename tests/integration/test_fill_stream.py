"""FillRepository.stream reads through psycopg on PostgreSQL: the very records SQLAlchemy's
path makes (same values, same Decimal digits, same types and time zone), in the same order."""

from __future__ import annotations

from datetime import timedelta, timezone
from decimal import Decimal

from gal_friday.domain import Order, OrderType
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import at, make_fill


def _shown(records: list[tuple[object, ...]]) -> list[tuple[str, ...]]:
    return [tuple(f"{type(value).__name__} {value!r}" for value in record) for record in records]


def test_the_stream_gives_what_the_orm_path_gives(engine):
    fills = [
        make_fill(
            f"F{n}",
            quantity_filled=Decimal("0.0100") * (n + 1),
            fill_price=Decimal("42000.50") + n,
            commission=Decimal("-0.000000000000000001") if n == 3 else Decimal("1.10"),
            filled_at=(at(n % 3) + timedelta(microseconds=n)).astimezone(
                timezone(timedelta(hours=5))
            ),
        )
        for n in range(7)
    ]
    order = Order.filled_by(fills, order_type=OrderType.MARKET, exchange_order_id="O1")
    with UnitOfWork(engine) as uow:
        uow.orders.add_imported([order])
        uow.fills.add_bulk(order.fills)
        streamed = list(uow.fills.stream("kraken", "BTC/USD", batch_size=2))
        reference = list(uow.fills._stream_rows("kraken", "BTC/USD", 2, None))
        since = list(uow.fills.stream("kraken", "BTC/USD", since=at(1)))
        reference_since = list(uow.fills._stream_rows("kraken", "BTC/USD", 5000, at(1)))
    assert len(streamed) == 7 and _shown(streamed) == _shown(reference)
    assert len(since) == 4 and _shown(since) == _shown(reference_since)
    assert streamed[0].quantity_filled.as_tuple() == Decimal("0.01").as_tuple()
