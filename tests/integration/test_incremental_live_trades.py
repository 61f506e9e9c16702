"""Live fills update their pair's trades incrementally, and the result equals a full rebuild.

On SQLite and PostgreSQL, in every grouping: random histories (partial exits, zero
crossings, base-asset fees and dust, rebates, third-asset fees valued with the caller's
rates) recorded through ``record_fill`` in an arrival order with late fills (which
rebuild from the pair's flat point) and replays; after each one the stored trades are
exactly ``build_trades`` of the stored fills (docs/live-fills.md).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from unittest.mock import patch

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from gal_friday.domain import TradeGrouping, build_trades
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.fastpath import live_trades
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import AsyncUnitOfWork, UnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill, record_fill_async
from gal_friday.services.trade_rebuild import rebuild_trades
from tests.factories import at, make_fill, make_order
from tests.property.strategies import RATES
from tests.support.live_histories import arrival_orders, live_fills

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _figures(trades) -> dict:
    return {
        tr.trade_id: {k: v for k, v in attrs.asdict(tr, recurse=False).items() if k != "trade_pk"}
        for tr in trades
    }


def _clear(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(t.metadata.sorted_tables):  # children first
            conn.execute(delete(table))


def _orders(engine):
    orders = {
        side: make_order(
            side=side, quantity_ordered=Decimal(10**6), order_type="MARKET", limit_price=None
        )
        for side in ("BUY", "SELL")
    }
    with UnitOfWork(engine) as uow:
        for order in orders.values():
            uow.orders.add(order)
        uow.commit()
    return orders


def _stored_and_rebuilt(engine, grouping):
    with UnitOfWork(engine) as uow:
        stored = uow.trades.all()
        fills = list(uow.fills.stream("kraken", "BTC/USD"))
    return _figures(stored), _figures(build_trades(fills, grouping, RATES))


def _cursors(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.trade_cursors)).scalar_one()


@SETTINGS
@given(
    fills=live_fills(),
    grouping=st.sampled_from(list(TradeGrouping)),
    data=st.data(),
)
def test_record_fill_keeps_trades_equal_to_a_full_rebuild(engine, fills, grouping, data):
    _clear(engine)
    orders = _orders(engine)
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    arrival = data.draw(arrival_orders(len(fills)))
    late = sum(1 for n, i in enumerate(arrival) if n and i < max(arrival[:n]))
    refresh = live_trades.refresh_from_flat_point
    with patch.object(live_trades, "refresh_from_flat_point", wraps=refresh) as refreshes:
        for n, index in enumerate(arrival):
            fill = fills[index]
            order = orders[fill.side]
            outcome = record_fill(
                factory, fill, client_order_id=order.client_order_id, conversion_rates=RATES
            )
            assert outcome is FillOutcome.RECORDED
            if n == 0 and grouping is not TradeGrouping.FLAT_TO_FLAT:
                rebuild_trades(unit_of_work_factory(engine), grouping, rates=RATES)  # its grouping
            stored, rebuilt = _stored_and_rebuilt(engine, grouping)
            assert stored == rebuilt, f"after {fill.fill_id} (arrival {n})"
    # only the first fill, the one after the regrouping and the late ones were rebuilt from
    # the flat point: every other fill was applied to the running figures
    regrouped = grouping is not TradeGrouping.FLAT_TO_FLAT and len(arrival) > 1
    assert refreshes.call_count <= 1 + regrouped + late
    # a replay changes nothing and answers so
    again = record_fill(
        factory,
        fills[arrival[-1]],
        client_order_id=orders[fills[arrival[-1]].side].client_order_id,
        conversion_rates=RATES,
    )
    assert again is FillOutcome.ALREADY_RECORDED
    stored, rebuilt = _stored_and_rebuilt(engine, grouping)
    assert stored == rebuilt
    assert _cursors(engine) == 1  # the pair goes on incrementally


def _attribution(engine) -> dict:
    with UnitOfWork(engine) as uow:
        return {
            t.trade_id: (t.strategy_id, t.signal_id, t.exit_reason, t.exit_timestamp)
            for t in uow.trades.all()
        }


def test_the_incremental_path_keeps_each_trades_attribution(engine):
    # the entry order's strategy, the closing order's reason; a rebuild gives the same
    entry = make_order(
        side="BUY",
        quantity_ordered=Decimal(10),
        order_type="MARKET",
        limit_price=None,
        strategy_id="scalper",
        reason="ENTRY",
    )
    stop = make_order(
        side="SELL",
        quantity_ordered=Decimal(10),
        order_type="MARKET",
        limit_price=None,
        strategy_id="scalper",
        reason="STOP_LOSS_HIT",
    )
    with UnitOfWork(engine) as uow:
        uow.orders.add(entry)
        uow.orders.add(stop)
        uow.commit()
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    moves = [("BUY", "2", 1), ("SELL", "1", 2), ("BUY", "1", 3), ("SELL", "3", 4), ("BUY", "1", 5)]
    with patch.object(
        live_trades, "refresh_from_flat_point", wraps=live_trades.refresh_from_flat_point
    ) as refreshes:
        for n, (side, quantity, minute) in enumerate(moves):
            fill = make_fill(
                f"A{n}",
                side=side,
                quantity_filled=Decimal(quantity),
                fill_price=Decimal(100 + n),
                filled_at=at(minute),
            )
            order = entry if side == "BUY" else stop
            record_fill(factory, fill, client_order_id=order.client_order_id)
    assert refreshes.call_count == 1  # the pair's first fill only: the rest went incrementally
    live = _attribution(engine)
    assert ("scalper", None, "STOP_LOSS_HIT") in {v[:3] for v in live.values() if v[3]}
    rebuild_trades(unit_of_work_factory(engine))
    assert _attribution(engine) == live


def test_record_fill_async_hands_the_rates_to_the_trade_step(engine):
    orders = _orders(engine)
    kfee = {"commission": Decimal("2"), "commission_asset": "KFEE"}
    fills = [
        make_fill("K0", side="BUY", quantity_filled=Decimal(2), filled_at=at(0), **kfee),
        make_fill("K1", side="SELL", quantity_filled=Decimal(1), filled_at=at(1), **kfee),
        make_fill("K2", side="BUY", quantity_filled=Decimal(1), filled_at=at(2), **kfee),
    ]
    url = engine.url

    async def scenario():
        factory = lambda: AsyncUnitOfWork(url)  # noqa: E731
        for fill in fills:
            await record_fill_async(
                factory,
                fill,
                client_order_id=orders[fill.side].client_order_id,
                conversion_rates=RATES,
            )
        await factory().engine.dispose()

    refresh = live_trades.refresh_from_flat_point
    with patch.object(live_trades, "refresh_from_flat_point", wraps=refresh) as refreshes:
        asyncio.run(scenario())
    assert refreshes.call_count == 1  # the first fill; the rates reached the others' steps
    stored, rebuilt = _stored_and_rebuilt(engine, TradeGrouping.FLAT_TO_FLAT)
    assert stored == rebuilt
