"""The live path at constant cost: aggregates on the order row, replays by the fill-id constraint."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from gal_friday.domain import (
    DuplicateFillError,
    FillConflictError,
    MissingConversionRateError,
    OverfillError,
)
from gal_friday.domain.order import fill_aggregates
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import FillOutcome, TradesNotRefreshedError, record_fill
from tests.factories import at, make_fill, make_order


def _stored_orders(engine, *orders):
    with UnitOfWork(engine) as uow:
        for order in orders:
            uow.orders.add(order)
        uow.commit()


def _load(engine, order):
    with UnitOfWork(engine) as uow:
        return uow.orders.get_by_client_id(order.client_order_id)


def test_the_same_fill_sent_to_another_order_is_a_conflict_naming_both(engine):
    first = make_order(exchange_order_id="EX-A")
    second = make_order(exchange_order_id="EX-B")
    _stored_orders(engine, first, second)
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    fill = make_fill("SHARED")
    assert record_fill(factory, fill, client_order_id=first.client_order_id) is FillOutcome.RECORDED
    with pytest.raises(FillConflictError) as caught:
        record_fill(factory, fill, client_order_id=second.client_order_id)
    message = str(caught.value)
    assert "'SHARED'" in message
    assert f"stored on order {first.client_order_id} (exchange order EX-A)" in message
    assert f"sent to order {second.client_order_id} (exchange order EX-B)" in message
    assert _load(engine, second).fills == []
    assert _load(engine, second).version == 1
    # the same fill to its own order is still a replay
    assert record_fill(factory, fill, client_order_id=first.client_order_id) is (
        FillOutcome.ALREADY_RECORDED
    )


def test_a_replay_of_the_fill_that_completed_the_order_is_already_recorded(engine):
    order = make_order(quantity_ordered=Decimal("0.4"))
    _stored_orders(engine, order)
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    fill = make_fill("LAST")
    assert record_fill(factory, fill, client_order_id=order.client_order_id) is FillOutcome.RECORDED
    replay = make_fill("LAST")
    outcome = record_fill(factory, replay, client_order_id=order.client_order_id)
    assert outcome is FillOutcome.ALREADY_RECORDED  # not an overfill
    with pytest.raises(DuplicateFillError, match="different data"):
        record_fill(
            factory,
            make_fill("LAST", fill_price=Decimal(101)),
            client_order_id=order.client_order_id,
        )
    with pytest.raises(OverfillError):
        record_fill(factory, make_fill("NEXT"), client_order_id=order.client_order_id)


def test_applying_a_fill_never_reads_the_orders_fills(engine):
    order = make_order(quantity_ordered=Decimal(1000))
    _stored_orders(engine, order)
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    sizes = []
    for n in range(30):
        statements.clear()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            with UnitOfWork(engine) as uow:
                fill = make_fill(f"C{n}", filled_at=at(n))
                assert uow.orders.store_live_fill(fill, order.client_order_id)
                uow.commit()
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        if n == 0:
            continue  # the pair's first fill: its trades are built from the pair's fills
        sizes.append(len(statements))
        # the order's fills are never read; the pair's only by the trade step's bounded
        # check that no other fill came after its cursor (docs/live-fills.md)
        reads = [s for s in statements if s.startswith("SELECT") and "FROM fills" in s]
        assert len(reads) == 1 and "EXISTS" in reads[0]
    assert len(set(sizes)) == 1  # the same statements at 1 and at 29 fills on the order
    stored = _load(engine, order)
    expected = fill_aggregates(stored.fills)
    assert (stored.filled_quantity, stored.fill_notional, stored.average_fill_price) == (
        expected.filled_quantity,
        expected.fill_notional,
        expected.average_fill_price,
    )
    assert stored.commissions == expected.commissions == {"USD": Decimal("3.0")}
    assert stored.version == 31


def test_a_third_asset_fee_without_a_rate_is_refused_and_never_stored(engine):
    order = make_order(trading_pair="ETH/USDT", quantity_ordered=Decimal(2))
    _stored_orders(engine, order)
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    bnb = {"trading_pair": "ETH/USDT", "commission": Decimal("0.001"), "commission_asset": "BNB"}
    with pytest.raises(MissingConversionRateError, match=r"'BNB-1'.*BNB.*BNB/USDT"):
        record_fill(factory, make_fill("BNB-1", **bnb), client_order_id=order.client_order_id)
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(t.fills)) == 0
    outcome = record_fill(
        factory,
        make_fill("BNB-1", **bnb),
        client_order_id=order.client_order_id,
        conversion_rates={"BNB/USDT": Decimal("600")},
    )
    assert outcome is FillOutcome.RECORDED
    with UnitOfWork(engine) as uow:
        (trade,) = uow.trades.all("ETH/USDT")
    assert trade.total_commission == Decimal("0.6")  # 0.001 BNB at 600 USDT


def test_a_refresh_that_cannot_value_an_earlier_fee_says_the_fill_was_recorded(engine):
    order = make_order(trading_pair="ETH/USDT", quantity_ordered=Decimal(2))
    _stored_orders(engine, order)
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    bnb = {"trading_pair": "ETH/USDT", "commission": Decimal("0.001"), "commission_asset": "BNB"}
    record_fill(
        factory,
        make_fill("BNB-1", **bnb),
        client_order_id=order.client_order_id,
        conversion_rates={"BNB/USDT": Decimal("600")},
    )
    # a late fill: the pair is rebuilt from before BNB-1, whose fee needs the rate again
    # (a fill after it needs none: the running figures hold the fee as it was valued)
    usdt = make_fill("USDT-1", trading_pair="ETH/USDT", commission_asset="USDT", filled_at=at(0))
    with pytest.raises(TradesNotRefreshedError, match=r"'USDT-1' was recorded.*BNB/USDT"):
        record_fill(factory, usdt, client_order_id=order.client_order_id)
    assert _load(engine, order).filled_quantity == Decimal("0.8")  # stored all the same
