"""Live fills reach the report: each pair's trades refreshed from its last flat point."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from gal_friday.domain import TradeGrouping, build_trades
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.errors import ConcurrencyError
from gal_friday.persistence.unit_of_work import AsyncUnitOfWork, UnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill, record_fill_async
from gal_friday.services.reporting import build_report
from gal_friday.services.trade_rebuild import rebuild_trades, refresh_pair
from tests.factories import at, make_fill, make_order


def _orders(engine, count=8):
    orders = [
        make_order(side=side, quantity_ordered=Decimal(10), order_type="MARKET", limit_price=None)
        for side in ["BUY", "SELL"] * (count // 2)
    ]
    with UnitOfWork(engine) as uow:
        for order in orders:
            uow.orders.add(order)
        uow.commit()
    return orders


def _fill(fill_id, side, quantity, price, minute):
    return make_fill(
        fill_id,
        side=side,
        quantity_filled=Decimal(quantity),
        fill_price=Decimal(price),
        filled_at=at(minute),
    )


def _record(engine, order, fill, **options):
    return record_fill(
        lambda: UnitOfWork(engine), fill, client_order_id=order.client_order_id, **options
    )


def _trade_rows(engine):
    with UnitOfWork(engine) as uow:
        return [
            (t.trade_pk, t.trade_id, t.entry_timestamp, t.exit_timestamp, t.realized_pnl)
            for t in uow.trades.all()
        ]


def _rebuilt_from_scratch(engine, grouping=TradeGrouping.FLAT_TO_FLAT):
    with UnitOfWork(engine) as uow:
        fills = list(uow.fills.stream("kraken", "BTC/USD"))
    return [(t.trade_id, t.realized_pnl, t.exit_timestamp) for t in build_trades(fills, grouping)]


def test_after_record_fill_the_report_shows_the_closed_trade(engine):
    buy, sell = _orders(engine, 2)
    _record(engine, buy, _fill("B1", "BUY", "1", "100", 1))
    assert build_report(unit_of_work_factory(engine)).total_trades == 0
    with UnitOfWork(engine) as uow:
        assert len(uow.trades.open()) == 1
    _record(engine, sell, _fill("S1", "SELL", "1", "110", 2))
    report = build_report(unit_of_work_factory(engine))
    assert report.total_trades == 1
    assert {t.currency: t.realized_pnl for t in report.totals} == {
        "USD": Decimal("9.8")
    }  # 10 gained, 2 x 0.1 USD fees


def test_the_refresh_keeps_every_trade_before_the_last_flat_point(engine):
    orders = _orders(engine, 8)
    buys, sells = orders[0::2], orders[1::2]
    # two round trips, then a long closed by a sell that crosses zero into a short
    _record(engine, buys[0], _fill("B1", "BUY", "1", "100", 1))
    _record(engine, sells[0], _fill("S1", "SELL", "1", "105", 2))
    _record(engine, buys[1], _fill("B2", "BUY", "2", "100", 3))
    _record(engine, sells[1], _fill("S2", "SELL", "2", "101", 4))
    _record(engine, buys[2], _fill("B3", "BUY", "1", "100", 5))
    _record(engine, sells[2], _fill("S3", "SELL", "1.5", "99", 6))  # crosses: short 0.5
    before = _trade_rows(engine)
    assert len(before) == 4
    with UnitOfWork(engine) as uow:  # the next fill's refresh, by hand to see what it did
        fill = _fill("B4", "BUY", "0.5", "98", 7)
        assert uow.orders.store_live_fill(fill, buys[3].client_order_id)
        summary = refresh_pair(uow, "kraken", "BTC/USD", fill.filled_at)
        uow.commit()
    # the crossing ties the short to the long it came from: the flat point is before both
    assert summary.since == at(5)
    assert (summary.trades_deleted, summary.trades_written) == (2, 2)
    after = _trade_rows(engine)
    assert after[:2] == before[:2]  # the first two round trips: same rows, never rewritten
    assert [(r[1], r[4], r[3]) for r in after] == _rebuilt_from_scratch(engine)
    assert all(r[3] is not None for r in after)  # everything closed


def test_a_late_fill_rebuilds_from_the_flat_point_before_it(engine):
    orders = _orders(engine, 6)
    buys, sells = orders[0::2], orders[1::2]
    _record(engine, buys[0], _fill("B1", "BUY", "1", "100", 1))
    _record(engine, sells[0], _fill("S1", "SELL", "1", "105", 3))
    _record(engine, buys[1], _fill("B2", "BUY", "1", "100", 10))
    _record(engine, sells[1], _fill("S2", "SELL", "1", "110", 11))
    _record(engine, buys[2], _fill("LATE", "BUY", "1", "90", 2))  # inside the first trip
    assert [(r[1], r[4], r[3]) for r in _trade_rows(engine)] == _rebuilt_from_scratch(engine)


def test_live_fills_keep_the_pairs_grouping(engine):
    orders = _orders(engine, 4)
    _record(engine, orders[0], _fill("B1", "BUY", "1", "100", 1))
    _record(engine, orders[2], _fill("B2", "BUY", "1", "110", 2))
    rebuild_trades(unit_of_work_factory(engine), TradeGrouping.LIFO)
    _record(engine, orders[1], _fill("S1", "SELL", "1", "120", 3))
    with UnitOfWork(engine) as uow:
        trades = uow.trades.all()
        assert {t.grouping for t in trades} == {TradeGrouping.LIFO}
        (closed,) = [t for t in trades if t.exit_timestamp is not None]
    assert closed.average_entry_price == Decimal(110)  # LIFO: the last lot went first
    expected = _rebuilt_from_scratch(engine, TradeGrouping.LIFO)
    assert sorted((r[1], r[4], r[3]) for r in _trade_rows(engine)) == sorted(expected)


class _Conflicted(AsyncUnitOfWork):
    """A unit of work whose first attempts meet a write conflict."""

    failures = 0

    async def commit(self) -> None:
        if type(self).failures > 0:
            type(self).failures -= 1
            raise ConcurrencyError("another writer was first")
        await super().commit()


def test_record_fill_async_retries_without_blocking_the_event_loop(engine):
    buy, sell = _orders(engine, 2)
    url = engine.url

    async def scenario():
        ticks = 0
        stop = asyncio.Event()

        async def ticker():
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.001)

        counting = asyncio.create_task(ticker())
        _Conflicted.failures = 4  # about 5 + 10 + 20 + 40 ms of backoff, halved at most
        factory = lambda: _Conflicted(url)  # noqa: E731
        first = await record_fill_async(
            factory, _fill("A1", "BUY", "1", "100", 1), client_order_id=buy.client_order_id
        )
        ticks_during_retries = ticks
        second = await record_fill_async(
            factory, _fill("A2", "SELL", "1", "101", 2), client_order_id=sell.client_order_id
        )
        again = await record_fill_async(
            factory, _fill("A2", "SELL", "1", "101", 2), client_order_id=sell.client_order_id
        )
        stop.set()
        await counting
        await factory().engine.dispose()
        return first, second, again, ticks_during_retries

    first, second, again, ticks = asyncio.run(scenario())
    assert (first, second, again) == (
        FillOutcome.RECORDED,
        FillOutcome.RECORDED,
        FillOutcome.ALREADY_RECORDED,
    )
    assert ticks >= 10  # the loop kept running while the retries waited
    report = build_report(unit_of_work_factory(engine))
    assert report.total_trades == 1
    assert {t.currency: t.realized_pnl for t in report.totals} == {"USD": Decimal("0.8")}


def _dust_fill(fill_id, side, quantity, price, minute, fee="0"):
    return make_fill(
        fill_id,
        side=side,
        quantity_filled=Decimal(quantity),
        fill_price=Decimal(price),
        commission=Decimal(fee),
        commission_asset="BTC" if side == "BUY" else "USD",
        filled_at=at(minute),
    )


def test_an_exit_after_a_round_trip_closed_with_dust_continues_it(engine):
    orders = _orders(engine, 4)
    _record(engine, orders[0], _dust_fill("B1", "BUY", "1", "100", 1, fee="0.001"))
    _record(engine, orders[1], _dust_fill("S1", "SELL", "0.998", "110", 2))
    with UnitOfWork(engine) as uow:
        (trade,) = uow.trades.all()
    assert trade.is_closed and trade.open_quantity == Decimal("0.001")  # dust left behind
    _record(engine, orders[3], _dust_fill("S2", "SELL", "0.001", "111", 3))  # sold after all
    with UnitOfWork(engine) as uow:
        (trade,) = uow.trades.all()
    assert trade.is_closed and trade.open_quantity == 0
    assert [(r[1], r[4], r[3]) for r in _trade_rows(engine)] == _rebuilt_from_scratch(engine)
