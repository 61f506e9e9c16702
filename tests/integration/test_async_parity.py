"""Every repository operation through ``AsyncUnitOfWork``, awaited, on both backends, gives what
the synchronous unit of work gives (docs/asyncio.md)."""

from __future__ import annotations

import asyncio
import inspect
import logging
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import URL

from gal_friday.domain import Configuration, Log, Signal, SignalStatus, SystemLog
from gal_friday.persistence.bootstrap import async_unit_of_work_factory
from gal_friday.persistence.database import create_async_engine
from gal_friday.persistence.unit_of_work import (
    AsyncRepository,
    AsyncUnitOfWork,
    Repositories,
    UnitOfWork,
    _repository_names,
)
from gal_friday.services.snapshots import take_snapshot_async
from tests.factories import T0, at, make_fill, make_order


def test_the_async_unit_of_work_has_every_repository_and_method():
    async def scenario(url: str) -> None:
        async with AsyncUnitOfWork(url) as uow:
            for name in _repository_names():
                proxy = getattr(uow, name)
                assert isinstance(proxy, AsyncRepository), name
                real = type(getattr(Repositories(uow.session.sync_session), name))
                for method, _ in inspect.getmembers(real, inspect.isfunction):
                    if not method.startswith("_"):
                        assert inspect.iscoroutinefunction(getattr(proxy, method)), method

    asyncio.run(scenario("sqlite+aiosqlite://"))


def _signal() -> Signal:
    return Signal(
        trading_pair="BTC/USD",
        exchange="kraken",
        strategy_id="s1",
        side="BUY",
        entry_type="MARKET",
        risk_check_details={"max": Decimal("0.02")},
    )


def test_repository_operations_awaited_on_both_backends(database_url: URL):
    signal = _signal()
    order = make_order(signal_id=signal.signal_id)
    record = logging.LogRecord("bot", logging.INFO, "f.py", 1, "hello", None, None)

    async def scenario() -> dict[str, Any]:
        engine = create_async_engine(database_url)
        try:
            factory = async_unit_of_work_factory(engine)
            async with factory() as uow:
                await uow.signals.add(signal)
                await uow.orders.add(order)
                order.apply_fill(make_fill("A", filled_at=at(1)))
                await uow.logs.add(Log.from_record(record))
                await uow.system_logs.add(SystemLog.create("risk", "info", "ok"))
                await uow.configurations.activate(Configuration.from_content({"a": 1.5}))
                await uow.commit()
            await take_snapshot_async(
                factory,
                at=T0,
                total_equity=Decimal("100"),
                available_balance={"USD": Decimal("100")},
                positions={},
            )
            async with factory() as uow:
                streamed = await uow.fills.stream("kraken", "BTC/USD")
                return {
                    "proposed": await uow.signals.by_status(SignalStatus.PROPOSED),
                    "order": await uow.orders.get_by_client_id(order.client_order_id),
                    "streamed": streamed,
                    "logs": await uow.logs.between(),
                    "system": await uow.system_logs.between(),
                    "active": await uow.configurations.active(),
                    "latest": await uow.snapshots.latest(),
                    "trades": await uow.trades.all(),
                }
        finally:
            await engine.dispose()

    got = asyncio.run(scenario())
    assert [s.signal_id for s in got["proposed"]] == [signal.signal_id]
    assert got["order"].filled_quantity == Decimal("0.4")
    assert isinstance(got["streamed"], list)
    assert [f.fill_id for f in got["streamed"]] == ["A"]
    assert [log.message for log in got["logs"]] == ["hello"]
    assert [entry.message for entry in got["system"]] == ["ok"]
    assert got["active"].config_content == {"a": 1.5}
    assert got["latest"].total_equity == Decimal("100")
    with UnitOfWork(database_url) as uow:  # the synchronous view of the same rows
        assert uow.signals.get(signal.signal_id).risk_check_details == {"max": "0.02"}
        assert [f.fill_id for f in uow.fills.stream("kraken", "BTC/USD")] == ["A"]
        assert uow.snapshots.latest().snapshot_pk == got["latest"].snapshot_pk


def test_leaving_the_async_block_without_commit_rolls_back(database_url: URL):
    signal = _signal()

    async def scenario() -> None:
        engine = create_async_engine(database_url)
        try:
            async with AsyncUnitOfWork(engine) as uow:
                await uow.signals.add(signal)
                await uow.flush()
            async with AsyncUnitOfWork(engine) as uow:
                assert await uow.signals.get(signal.signal_id) is None
        finally:
            await engine.dispose()

    asyncio.run(scenario())
