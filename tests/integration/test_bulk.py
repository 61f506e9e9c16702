"""The bulk path stores exactly what the mapped path stores, with the same constraint errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from gal_friday.domain import DuplicateFillError, EventLog, Log, Order
from gal_friday.persistence.errors import ConstraintViolationError
from gal_friday.persistence.fastpath import bulk
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import at, make_fill, make_order

IGNORED = {
    "order_pk",
    "fill_pk",
    "client_order_id",
    "fill_id",
    "id",
    "record_id",
    "event_pk",
    "event_id",
    "trade_pk",
    "trade_id",
}


def _row(uow: UnitOfWork, table, where) -> dict:
    row = uow.session.execute(select(table).where(where)).mappings().one()
    return {k: v for k, v in row.items() if k not in IGNORED}


def _order_with_fill(tag: str) -> Order:
    order = make_order(
        quantity_ordered=Decimal("1.000000000000000001"), exchange_order_id=f"EX-{tag}"
    )
    order.apply_fill(
        make_fill(
            f"F-{tag}",
            quantity_filled=Decimal("0.123456789012345678"),
            exchange_order_id=f"EX-{tag}",
        )
    )
    return order


def test_bulk_rows_equal_mapped_rows(engine):
    mapped, copied = _order_with_fill("orm"), _order_with_fill("bulk")
    with UnitOfWork(engine) as uow:
        uow.orders.add(mapped)
        uow.commit()
    with UnitOfWork(engine) as uow:
        bulk.insert_orders(uow.connection, [copied])
        for fill in copied.fills:
            fill.order_pk = copied.order_pk
        assert bulk.insert_fills(uow.connection, copied.fills) == 1
        uow.commit()
    with UnitOfWork(engine) as uow:
        orm_order = _row(uow, t.orders, t.orders.c.order_pk == mapped.order_pk)
        bulk_order = _row(uow, t.orders, t.orders.c.order_pk == copied.order_pk)
        orm_order.pop("exchange_order_id"), bulk_order.pop("exchange_order_id")
        assert orm_order == bulk_order
        orm_fill = _row(uow, t.fills, t.fills.c.fill_id == "F-orm")
        bulk_fill = _row(uow, t.fills, t.fills.c.fill_id == "F-bulk")
        for row in (orm_fill, bulk_fill):
            row.pop("order_pk", None), row.pop("exchange_order_id")
        assert orm_fill == bulk_fill
        loaded = uow.orders.get(copied.order_pk)
        assert loaded is not None and loaded.version == 1
        assert loaded.fills[0].quantity_filled == Decimal("0.123456789012345678")


def test_bulk_orders_keep_each_time_shared_or_not(engine):
    # the COPY path writes an order's times as text, once per time object (bulk._time_text)
    one = Order.filled_by(
        [make_fill("T1", filled_at=at(1).replace(microsecond=123456))],
        order_type="MARKET",
        exchange_order_id="EX-1",
    )
    two = Order.filled_by(
        [make_fill("T2", filled_at=at(2)), make_fill("T3", filled_at=at(3.5), side="BUY")],
        order_type="MARKET",
        exchange_order_id="EX-2",
    )
    three = Order.filled_by(
        [make_fill("T4", filled_at=at(3.5), side="SELL", commission=Decimal("0.25"))],
        order_type="MARKET",
        exchange_order_id="EX-3",
    )
    orders = [one, two, three]
    with UnitOfWork(engine) as uow:
        bulk.insert_orders(uow.connection, orders)
        uow.commit()
    with UnitOfWork(engine) as uow:
        for order in orders:
            row = _row(uow, t.orders, t.orders.c.order_pk == order.order_pk)
            assert row.pop("version") == 1
            expected = {name: getattr(order, name) for name in row}
            assert row == expected
    assert two.created_at == at(2) and two.closed_at == at(3.5)


def test_a_duplicate_fill_in_bulk_is_the_same_domain_error(engine):
    order = _order_with_fill("a")
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    again = make_fill("F-a", exchange_order_id="EX-a")
    again.order_pk = order.order_pk
    with UnitOfWork(engine) as uow, pytest.raises(DuplicateFillError, match="F-a"):
        bulk.insert_fills(uow.connection, [again])


def test_skip_duplicates_inserts_only_new_fills(engine):
    order = make_order(quantity_ordered=Decimal("5"))
    with UnitOfWork(engine) as uow:
        bulk.insert_orders(uow.connection, [order])
        fills = [make_fill(f"S{i}", filled_at=at(i)) for i in range(3)]
        for fill in fills:
            fill.order_pk = order.order_pk
        assert bulk.insert_fills(uow.connection, fills[:2]) == 2
        assert bulk.insert_fills(uow.connection, fills, skip_duplicates=True) == 1
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.fills.existing_ids("kraken", ["S0", "S1", "S2", "S3"]) == {"S0", "S1", "S2"}


def test_a_check_violation_in_bulk_is_a_constraint_error(engine):
    order = make_order()
    with UnitOfWork(engine) as uow:
        bulk.insert_orders(uow.connection, [order])
        row = bulk._rows(t.fills, [make_fill("BAD")], skip=("fill_pk",))[0]
        row.update(order_pk=order.order_pk, quantity_filled=Decimal("-1"))
        with pytest.raises(ConstraintViolationError, match="quantity_filled_positive"):
            bulk.insert_rows(uow.connection, t.fills, [row])


def test_logs_and_events_skip_replayed_ids(engine):
    import logging

    record = logging.LogRecord("gf.test", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    log = Log.from_record(record)
    event = EventLog(event_type="ORDER_FILLED", payload={"qty": Decimal("1.5")}, source="test")
    with UnitOfWork(engine) as uow:
        assert bulk.insert_logs(uow.connection, [log]) == 1
        assert bulk.insert_logs(uow.connection, [log], skip_duplicates=True) == 0
        assert bulk.insert_events(uow.connection, [event], skip_duplicates=True) == 1
        assert bulk.insert_events(uow.connection, [event], skip_duplicates=True) == 0
        uow.commit()
    with UnitOfWork(engine) as uow:
        stored = uow.logs.between()
        assert [entry.message for entry in stored] == ["hello world"]
        assert uow.events.by_type("ORDER_FILLED")[0].payload == {"qty": "1.5"}


def test_the_repositories_write_through_the_bulk_path_in_the_unit_of_work(engine):
    """``uow.orders.add_imported`` / ``uow.fills.add_bulk`` / ``uow.trades.add_bulk`` /
    ``uow.events.append_new``: the bulk path without taking ``uow.connection``."""
    from gal_friday.domain import TradeGrouping, build_trades

    order = _order_with_fill("repo")
    with UnitOfWork(engine) as uow:
        assert uow.fills.last_key() == 0
        uow.orders.add_imported([order])
        assert order.order_pk is not None
        for fill in order.fills:
            fill.order_pk = order.order_pk
        assert uow.fills.add_bulk(order.fills) == 1
        assert uow.fills.add_bulk(order.fills, skip_duplicates=True) == 0
        (stored,) = uow.fills.stored_among("kraken", ["F-repo", "missing"]).values()
        assert (stored.fill_id, stored.quantity_filled, stored.exchange_order_id) == (
            "F-repo",
            Decimal("0.123456789012345678"),
            "EX-repo",
        )
        assert stored.fill_pk == uow.fills.last_key() > 0
        trades = build_trades(order.fills, TradeGrouping.FLAT_TO_FLAT)
        assert uow.trades.add_bulk(trades) == 1
        event = EventLog(event_type="import", payload={}, source="test", occurred_at=at(1))
        assert uow.events.append_new([event]) == 1
        assert uow.events.append_new([event]) == 0
        uow.rollback()  # and all of it goes with the transaction
    with UnitOfWork(engine) as uow:
        assert uow.fills.last_key() == 0
        assert uow.fills.stored_among("kraken", ["F-repo"]) == {}


def test_services_never_take_the_connection_of_a_unit_of_work():
    """Services get their transaction one way (the unit of work) and write in bulk through
    repository methods; ``uow.connection`` and ``persistence.bulk`` stay in persistence."""
    from pathlib import Path

    services = Path(__file__).resolve().parents[2] / "services"
    offenders = [
        path.name
        for path in services.glob("*.py")
        if ".connection" in path.read_text() or "persistence import bulk" in path.read_text()
    ]
    assert offenders == []


@pytest.mark.parametrize("skip_duplicates", [False, True])
def test_bulk_fills_without_an_order_are_refused_by_id(engine, skip_duplicates):
    fills = [make_fill("F-ORPHAN-1"), make_fill("F-ORPHAN-2")]
    with UnitOfWork(engine) as uow, pytest.raises(ConstraintViolationError) as raised:
        bulk.insert_fills(uow.connection, fills, skip_duplicates=skip_duplicates)
    assert "fills without an order cannot be stored: ['F-ORPHAN-1', 'F-ORPHAN-2']" in str(
        raised.value
    )
