"""Live fills after a commit (issue 26, items 5-7): a cancelled call leaves the trades current,
an error never says "nothing was committed" when the fill was, a full disk is not retried
as an outage, and a pool with no connection free is a retried storage error.
"""

from __future__ import annotations

import asyncio
import sqlite3
from decimal import Decimal
from unittest.mock import patch

import pytest
from sqlalchemy.exc import OperationalError

from gal_friday.domain import build_trades
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.errors import StorageError, StorageFullError
from gal_friday.persistence.fastpath import live_trades
from gal_friday.persistence.unit_of_work import AsyncUnitOfWork, UnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill, record_fill_async
from tests.factories import at, make_fill, make_order


def _orders(engine):
    orders = {
        side: make_order(
            side=side, quantity_ordered=Decimal(100), order_type="MARKET", limit_price=None
        )
        for side in ("BUY", "SELL")
    }
    with UnitOfWork(engine) as uow:
        for order in orders.values():
            uow.orders.add(order)
        uow.commit()
    return orders


def _fills(count):
    """A position scaled into and out of: buys, then partial sells."""
    return [
        make_fill(
            f"L{i}",
            side="BUY" if i % 3 != 2 else "SELL",
            quantity_filled=Decimal("0.5"),
            fill_price=Decimal(100 + i),
            filled_at=at(i),
        )
        for i in range(count)
    ]


def _current(engine) -> bool:
    """Whether the stored trades are exactly a full rebuild of the stored fills."""
    with UnitOfWork(engine) as uow:
        stored = {
            (t.trade_id, t.realized_pnl, t.open_quantity, t.exit_timestamp)
            for t in uow.trades.all()
        }
        fills = list(uow.fills.stream("kraken", "BTC/USD"))
    rebuilt = {
        (t.trade_id, t.realized_pnl, t.open_quantity, t.exit_timestamp) for t in build_trades(fills)
    }
    return stored == rebuilt


class _CancelledAfterCommit(AsyncUnitOfWork):
    """A unit of work whose commit succeeds and then the caller's task is cancelled."""

    cancel_next = False

    async def commit(self) -> None:
        await super().commit()
        if type(self).cancel_next:
            type(self).cancel_next = False
            raise asyncio.CancelledError


def test_a_fill_resent_after_a_cancelled_call_leaves_the_trades_current(engine):
    orders = _orders(engine)
    url = engine.url
    fills = _fills(10)

    async def scenario():
        factory = lambda: _CancelledAfterCommit(url)  # noqa: E731
        stale = 0
        for fill in fills:
            _CancelledAfterCommit.cancel_next = True
            with pytest.raises(asyncio.CancelledError):
                await record_fill_async(
                    factory, fill, client_order_id=orders[fill.side].client_order_id
                )
            again = await record_fill_async(
                factory, fill, client_order_id=orders[fill.side].client_order_id
            )
            assert again is FillOutcome.ALREADY_RECORDED
            stale += not _current(engine)
        await factory().engine.dispose()
        return stale

    assert asyncio.run(scenario()) == 0  # stale 0 of 10


def test_a_replay_brings_up_to_date_trades_a_first_call_left_behind(engine):
    orders = _orders(engine)
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    fills = _fills(4)
    for fill in fills:
        record_fill(
            factory, fill, client_order_id=orders[fill.side].client_order_id, refresh_trades=False
        )
    assert not _current(engine)
    again = record_fill(factory, fills[-1], client_order_id=orders[fills[-1].side].client_order_id)
    assert again is FillOutcome.ALREADY_RECORDED
    assert _current(engine)


def _disk_full() -> OperationalError:
    """What SQLite raises on a full disk (an OperationalError, which was taken for an outage)."""
    return OperationalError(
        "UPDATE trades ...", {}, sqlite3.OperationalError("database or disk is full")
    )


def test_a_full_disk_in_the_trade_step_is_not_retried_and_stores_nothing(engine):
    orders = _orders(engine)
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    first, second = _fills(2)
    record_fill(factory, first, client_order_id=orders["BUY"].client_order_id)
    with (
        patch.object(live_trades, "_write_trades", side_effect=_disk_full()) as step,
        pytest.raises(StorageFullError, match="nothing was committed"),
    ):
        record_fill(
            factory, second, client_order_id=orders["BUY"].client_order_id, unavailable_for=60
        )
    assert step.call_count == 1  # not retried for a minute as an outage
    with UnitOfWork(engine) as uow:  # one transaction: neither the fill nor the trades moved
        assert uow.orders.get_by_client_id(orders["BUY"].client_order_id).filled_quantity == (
            Decimal("0.5")
        )
    assert _current(engine)
    assert record_fill(factory, second, client_order_id=orders["BUY"].client_order_id) is (
        FillOutcome.RECORDED
    )
    assert _current(engine)


def test_pool_exhaustion_is_a_storage_error_that_is_retried(engine):
    orders = _orders(engine)
    pooled = create_engine(engine.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        held = pooled.connect()  # the only connection, busy elsewhere
        attempts: list[int] = []

        def factory() -> UnitOfWork:
            attempts.append(1)
            if len(attempts) == 2:  # the first attempt timed out: the connection comes free
                held.close()
            return UnitOfWork(pooled)

        fill = _fills(1)[0]
        outcome = record_fill(
            factory, fill, client_order_id=orders["BUY"].client_order_id, unavailable_for=60
        )
        assert outcome is FillOutcome.RECORDED
        assert len(attempts) >= 2  # the first one met the exhausted pool and was retried
        assert _current(engine)
    finally:
        pooled.dispose()


def test_pool_exhaustion_past_the_deadline_is_a_storage_error(engine):
    orders = _orders(engine)
    pooled = create_engine(engine.url, pool_size=1, max_overflow=0, pool_timeout=0.05)
    held = pooled.connect()
    try:
        with pytest.raises(StorageError, match="no database connection came free"):
            record_fill(
                lambda: UnitOfWork(pooled),
                _fills(1)[0],
                client_order_id=orders["BUY"].client_order_id,
                unavailable_for=0,
            )
    finally:
        held.close()
        pooled.dispose()
