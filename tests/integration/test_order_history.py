"""Order lifecycle on both backends (docs/orders.md): the status history written with every
change (mapped path, live path sync and asyncio), CANCEL_REQUESTED, text client order ids."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from gal_friday.domain import OrderStatus, OverfillError, Signal
from gal_friday.domain.order_history import StatusChange
from gal_friday.persistence.bootstrap import async_unit_of_work_factory
from gal_friday.persistence.database import create_async_engine
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill, record_fill_async
from tests.factories import T0, at, make_fill, make_order

S = OrderStatus
D = Decimal
BOT_ID = "gf-1a2b3c4d-1733500000000000"


def _steps(changes: list[StatusChange]) -> list[tuple[S | None, S, str, Decimal]]:
    return [(c.from_status, c.to_status, c.reason, c.filled_quantity) for c in changes]


def _history_rows(engine) -> int:
    with UnitOfWork(engine) as uow:
        return uow.session.scalar(select(func.count()).select_from(t.order_status_history))


def _stored(engine, order):
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    return order.client_order_id


def test_every_change_of_the_mapped_and_live_paths_is_stored_in_order(engine):
    order = make_order(client_order_id=BOT_ID, quantity_ordered=D(2))
    _stored(engine, order)
    with UnitOfWork(engine) as uow:
        stored = uow.orders.get_by_client_id(BOT_ID)
        stored.mark_submitted("OABCDE-12345-FGHIJK", at(1))
        uow.commit()
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    first = make_fill("K1", quantity_filled=D("0.5"), filled_at=at(2))
    second = make_fill("K2", quantity_filled=D("0.5"), filled_at=at(3))
    last = make_fill("K3", quantity_filled=D(1), filled_at=at(4))
    for fill in (first, second, last):
        assert record_fill(factory, fill, client_order_id=BOT_ID) is FillOutcome.RECORDED
    assert record_fill(factory, last, client_order_id=BOT_ID) is FillOutcome.ALREADY_RECORDED
    with UnitOfWork(engine) as uow:
        changes = uow.orders.history_by_client_id(BOT_ID)
        assert uow.orders.history(uow.orders.get_by_client_id(BOT_ID)) == changes
    assert _steps(changes) == [
        (None, S.PENDING_SUBMIT, "created", D(0)),
        (S.PENDING_SUBMIT, S.OPEN, "acknowledged as OABCDE-12345-FGHIJK", D(0)),
        (S.OPEN, S.PARTIALLY_FILLED, "fill K1", D("0.5")),  # K2 changed no status: no row
        (S.PARTIALLY_FILLED, S.FILLED, "fill K3", D(2)),
    ]
    assert [c.changed_at for c in changes] == [T0, at(1), at(2), at(4)]
    assert {c.order_pk for c in changes} == {order.order_pk}


def test_the_asyncio_live_path_writes_the_same_history(database_url: URL):
    order = make_order(quantity_ordered=D(1))
    fills = [
        make_fill("A1", quantity_filled=D("0.4"), filled_at=at(1)),
        make_fill("A2", quantity_filled=D("0.6"), filled_at=at(2)),
    ]

    async def scenario() -> list[StatusChange]:
        engine = create_async_engine(database_url)
        try:
            factory = async_unit_of_work_factory(engine)
            async with factory() as uow:
                await uow.run(lambda repos: repos.orders.add(order))
                await uow.commit()
            for fill in fills:
                outcome = await record_fill_async(
                    factory, fill, client_order_id=uuid.UUID(order.client_order_id)
                )
                assert outcome is FillOutcome.RECORDED
            async with factory() as uow:
                return await uow.run(
                    lambda repos: repos.orders.history_by_client_id(order.client_order_id)
                )
        finally:
            await engine.dispose()

    changes = asyncio.run(scenario())
    assert _steps(changes) == [
        (None, S.PENDING_SUBMIT, "created", D(0)),
        (S.PENDING_SUBMIT, S.PARTIALLY_FILLED, "fill A1", D("0.4")),
        (S.PARTIALLY_FILLED, S.FILLED, "fill A2", D(1)),
    ]


def test_a_cancel_requested_order_takes_fills_and_is_listed_open(engine):
    order = make_order(quantity_ordered=D(2))
    order.mark_submitted("OX-1", at(1))
    _stored(engine, order)
    with UnitOfWork(engine) as uow:
        uow.orders.get_by_client_id(order.client_order_id).request_cancel(at(2))
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert [o.client_order_id for o in uow.orders.list_open()] == [order.client_order_id]
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    fill = make_fill("C1", quantity_filled=D("0.5"), filled_at=at(3))
    assert record_fill(factory, fill, client_order_id=order.client_order_id)
    with UnitOfWork(engine) as uow:
        stored = uow.orders.get_by_client_id(order.client_order_id)
        assert (stored.status, stored.filled_quantity) == (S.CANCEL_REQUESTED, D("0.5"))
        stored.cancel(at(4), reason="cancel confirmed by Kraken")
        uow.commit()
    late = make_fill("C2", quantity_filled=D("0.5"), filled_at=at(4))  # executed before it
    assert record_fill(factory, late, client_order_id=order.client_order_id)
    with UnitOfWork(engine) as uow:
        stored = uow.orders.get_by_client_id(order.client_order_id)
        assert (stored.status, stored.filled_quantity) == (S.CANCELLED, D(1))
        assert _steps(uow.orders.history(stored.order_pk)) == [
            (None, S.PENDING_SUBMIT, "created", D(0)),
            (S.PENDING_SUBMIT, S.OPEN, "acknowledged as OX-1", D(0)),  # before it was stored
            (S.OPEN, S.CANCEL_REQUESTED, "cancel requested", D(0)),
            (S.CANCEL_REQUESTED, S.CANCELLED, "cancel confirmed by Kraken", D("0.5")),
        ]


def test_a_refused_fill_or_a_rolled_back_change_leaves_no_history(engine):
    order = make_order(quantity_ordered=D(1))
    _stored(engine, order)
    assert _history_rows(engine) == 1
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    with pytest.raises(OverfillError):
        record_fill(
            factory, make_fill("BIG", quantity_filled=D(5)), client_order_id=order.client_order_id
        )
    with UnitOfWork(engine) as uow:  # left without commit
        uow.orders.get_by_client_id(order.client_order_id).reject("no funds", at(1))
        uow.session.flush()
    assert _history_rows(engine) == 1
    with UnitOfWork(engine) as uow:
        assert uow.orders.get_by_client_id(order.client_order_id).status is S.PENDING_SUBMIT


def test_the_history_read_in_the_transaction_includes_what_it_changed(engine):
    order = make_order()
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        order.reject("EOrder:Insufficient funds", at(1))
        assert _steps(uow.orders.history(order)) == [
            (None, S.PENDING_SUBMIT, "created", D(0)),
            (S.PENDING_SUBMIT, S.REJECTED, "EOrder:Insufficient funds", D(0)),
        ]
        uow.commit()
    assert _history_rows(engine) == 2


def test_string_and_uuid_client_order_ids_round_trip(engine):
    ident = uuid.uuid4()
    by_uuid, by_text = make_order(client_order_id=ident), make_order(client_order_id=BOT_ID)
    _stored(engine, by_uuid)
    _stored(engine, by_text)
    with UnitOfWork(engine) as uow:
        assert uow.orders.get_by_client_id(ident).order_pk == by_uuid.order_pk
        assert uow.orders.get_by_client_id(str(ident)).order_pk == by_uuid.order_pk
        assert uow.orders.get_by_client_id(BOT_ID).client_order_id == BOT_ID
        assert uow.orders.get_by_client_id(BOT_ID.upper()) is None  # ids are case-sensitive
        raw = uow.session.execute(
            select(t.orders.c.client_order_id).order_by(t.orders.c.order_pk)
        ).scalars()
        assert list(raw) == [str(ident), BOT_ID]
        assert len(uow.orders.history_by_client_id(ident)) == 1


def test_imported_orders_have_no_history_rows(engine):
    from gal_friday.domain import Order, OrderType

    imported = Order.filled_by(
        [make_fill("I1", exchange_order_id="OIMP-1")],
        order_type=OrderType.MARKET,
        exchange_order_id="OIMP-1",
    )
    with UnitOfWork(engine) as uow:
        uow.orders.add_imported([imported])
        uow.fills.add_bulk(imported.fills)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.orders.history(imported.order_pk) == []
        assert uow.orders.get_by_client_id(imported.client_order_id) is not None
    assert _history_rows(engine) == 0


def test_orders_are_read_by_signal(engine):
    signal = Signal(
        trading_pair="BTC/USD",
        exchange="kraken",
        strategy_id="mean-reversion",
        side="BUY",
        entry_type="MARKET",
        status="APPROVED",
        created_at=T0,
    )
    first = make_order(signal_id=signal.signal_id, created_at=at(1))
    second = make_order(signal_id=signal.signal_id, created_at=at(2))
    with UnitOfWork(engine) as uow:
        uow.signals.add(signal)
        uow.orders.add(make_order())
        uow.orders.add(second)
        uow.orders.add(first)
        uow.commit()
    with UnitOfWork(engine) as uow:
        found = uow.orders.by_signal(signal.signal_id)
        assert [o.client_order_id for o in found] == [first.client_order_id, second.client_order_id]
