"""The unit of work on both backends: commit, rollback, error translation, optimistic locking."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from gal_friday.domain import (
    Configuration,
    DuplicateFillError,
    Order,
    OrderStatus,
)
from gal_friday.persistence.errors import ConcurrencyError
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import AsyncUnitOfWork, UnitOfWork
from tests.factories import at, make_fill, make_order


def _count(uow: UnitOfWork, table: object) -> int:
    return int(uow.session.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def test_commit_persists_an_order_with_its_fills(engine):
    order = make_order()
    order.apply_fill(make_fill("F1"))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    with UnitOfWork(engine) as uow:
        loaded = uow.orders.get_by_client_id(order.client_order_id)
        assert loaded is not None
        assert loaded is not order
        assert loaded.status is OrderStatus.PARTIALLY_FILLED
        assert loaded.filled_quantity == Decimal("0.4")
        assert [f.fill_id for f in loaded.fills] == ["F1"]
        assert loaded.fills[0].filled_at == at(1)


def test_leaving_without_commit_rolls_back(engine):
    with UnitOfWork(engine) as uow:
        uow.orders.add(make_order())
        uow.configurations.add(Configuration.from_content({"x": 1}))
        uow.flush()
    with UnitOfWork(engine) as uow:
        assert _count(uow, t.orders) == 0
        assert _count(uow, t.configurations) == 0


def test_a_duplicate_fill_id_is_a_domain_error_naming_the_id(engine):
    first, second = make_order(), make_order()
    first.apply_fill(make_fill("DUP-1"))
    second.apply_fill(make_fill("DUP-1"))
    with UnitOfWork(engine) as uow:
        uow.orders.add(first)
        uow.commit()
    with UnitOfWork(engine) as uow:
        uow.orders.add(second)
        with pytest.raises(DuplicateFillError, match="DUP-1"):
            uow.commit()
    with UnitOfWork(engine) as uow:
        assert _count(uow, t.orders) == 1


def test_the_version_column_stops_a_lost_update(engine):
    order = make_order(quantity_ordered=Decimal("2"))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    with UnitOfWork(engine) as reader:
        theirs = reader.orders.get(order.order_pk)  # read, then the transaction ends
    assert theirs is not None
    with UnitOfWork(engine) as first:
        mine = first.orders.get(order.order_pk)
        assert mine is not None
        mine.apply_fill(make_fill("A", quantity_filled=Decimal("1.5")))
        first.commit()
    with UnitOfWork(engine) as second:
        second.session.add(theirs)  # a change based on version 1, written after version 2
        theirs.apply_fill(make_fill("B", quantity_filled=Decimal("1.5")))
        with pytest.raises(ConcurrencyError):
            second.commit()
    with UnitOfWork(engine) as uow:
        stored = uow.orders.get(order.order_pk)
        assert stored is not None
        assert [f.fill_id for f in stored.fills] == ["A"]
        assert stored.filled_quantity == Decimal("1.5")
        assert stored.version == 2


def test_a_second_sqlite_writer_waits_for_the_lock_at_begin(tmp_path, sqlite_template):
    import shutil

    from gal_friday.persistence.database import create_engine

    target = tmp_path / "locked.db"
    shutil.copyfile(str(sqlite_template.database), target)
    engine = create_engine(f"sqlite:///{target}?busy_timeout=0.2")
    try:
        with UnitOfWork(engine) as first:
            first.orders.add(make_order())
            first.flush()
            with UnitOfWork(engine, read_only=True) as reader:  # readers never wait
                assert _count(reader, t.orders) == 0
            with UnitOfWork(engine) as second, pytest.raises(ConcurrencyError):
                second.orders.get(1)  # BEGIN IMMEDIATE waits for the lock, then gives up
            first.commit()
    finally:
        engine.dispose()


def test_a_partial_fill_that_keeps_the_status_still_moves_the_version(engine):
    order = make_order(quantity_ordered=Decimal("3"))
    order.apply_fill(make_fill("A", quantity_filled=Decimal("1")))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
        version = order.version
    with UnitOfWork(engine) as uow:
        loaded = uow.orders.get(order.order_pk)
        assert loaded is not None
        loaded.apply_fill(make_fill("B", quantity_filled=Decimal("1"), filled_at=at(2)))
        assert loaded.status is OrderStatus.PARTIALLY_FILLED
        uow.commit()
        assert loaded.version == version + 1


def test_a_loaded_order_obeys_the_same_rules(engine):
    from gal_friday.domain import OverfillError

    order = make_order()
    fill = make_fill("A", quantity_filled=Decimal("0.6"))
    order.apply_fill(fill)
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    with UnitOfWork(engine) as uow:
        loaded = uow.orders.get(order.order_pk)
        assert isinstance(loaded, Order)
        assert loaded.apply_fill(make_fill("A", quantity_filled=Decimal("0.6"))) is False
        with pytest.raises(OverfillError):
            loaded.apply_fill(make_fill("B", quantity_filled=Decimal("0.5"), filled_at=at(3)))
        assert loaded.filled_quantity == Decimal("0.6")


def test_async_unit_of_work_runs_the_same_repositories(database_url: URL):
    from gal_friday.persistence.database import create_async_engine

    order = make_order()

    async def scenario() -> Decimal:
        engine = create_async_engine(database_url)
        try:
            async with AsyncUnitOfWork(engine) as uow:
                await uow.run(lambda u: u.orders.add(order))
                await uow.commit()
            async with AsyncUnitOfWork(engine) as uow:
                loaded = await uow.run(lambda u: u.orders.get_by_client_id(order.client_order_id))
                assert loaded is not None
                return loaded.quantity_ordered
        finally:
            await engine.dispose()

    assert asyncio.run(scenario()) == Decimal("1")


def test_async_readers_on_aiosqlite_do_not_wait_for_a_writer(tmp_path, sqlite_template):
    import shutil
    import sqlite3

    from gal_friday.persistence.database import create_async_engine
    from gal_friday.persistence.errors import ConcurrencyError as Locked

    target = tmp_path / "async.db"
    shutil.copyfile(str(sqlite_template.database), target)
    writer = sqlite3.connect(target, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock

    async def scenario() -> int:
        engine = create_async_engine(f"sqlite+aiosqlite:///{target}?busy_timeout=0.2")
        try:
            async with AsyncUnitOfWork(engine, read_only=True) as reader:
                trades = await reader.run(lambda u: u.trades.all())
            async with AsyncUnitOfWork(engine) as blocked:
                with pytest.raises(Locked):
                    await blocked.run(lambda u: u.trades.all())  # a writer waits, then gives up
            return len(trades)
        finally:
            await engine.dispose()

    try:
        assert asyncio.run(scenario()) == 0
    finally:
        writer.rollback()
        writer.close()
