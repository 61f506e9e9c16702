"""Objects made by gal_friday.domain.construction are plain; mapped, they are given SQLAlchemy's
state when it is first asked for: they are stored, changed, reloaded."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from sqlalchemy import inspect

from gal_friday.domain import Fill, Order, Trade, build_trades
from gal_friday.domain.construction import assemble, checked
from gal_friday.persistence import bootstrap
from gal_friday.persistence.internals import has_orm_state
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import at, make_fill, make_order


@pytest.fixture(autouse=True)
def _mapped() -> None:
    """The domain mapped, as the composition root leaves it."""
    bootstrap.start()


def test_trades_from_the_builder_are_stored_changed_and_reloaded(engine):
    fills = [
        make_fill("F1", side="BUY", filled_at=at(1)),
        make_fill("F2", side="SELL", fill_price=Decimal(110), filled_at=at(2)),
    ]
    (trade,) = build_trades(fills)
    assert inspect(trade).transient
    with UnitOfWork(engine) as uow:
        uow.trades.add_all([trade])
        uow.commit()
    with UnitOfWork(engine) as uow:
        (stored,) = uow.trades.all("BTC/USD")
        assert attrs.asdict(stored, recurse=False) == {
            **attrs.asdict(trade, recurse=False),
            "trade_pk": stored.trade_pk,
        }
        stored.exit_reason = "target reached"
        uow.commit()
    with UnitOfWork(engine) as uow:
        (again,) = uow.trades.all("BTC/USD")
        assert again.exit_reason == "target reached"


def test_an_assembled_order_saves_its_fills_through_the_relationship(engine):
    template = make_order()
    fill = checked(Fill, attrs.asdict(make_fill("F1"), recurse=False))
    order = assemble(Order, {**attrs.asdict(template, recurse=False), "fills": [fill]})
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
        assert order.order_pk is not None and fill.order_pk == order.order_pk
    with UnitOfWork(engine) as uow:
        loaded = uow.orders.get_by_client_id(template.client_order_id)
        assert loaded is not None and [f.fill_id for f in loaded.fills] == ["F1"]


def test_an_assembled_trade_is_a_complete_instance_before_any_session():
    values = attrs.asdict(build_trades([make_fill("F1")])[0], recurse=False)
    trade = assemble(Trade, values)
    trade.realized_pnl = Decimal("-1")  # instrumented assignment works on it
    assert inspect(trade).transient and trade.realized_pnl == Decimal(-1)


def test_an_assembled_order_has_no_state_until_a_session_meets_it(engine):
    """construction.assemble makes plain objects (bulk writes and the live path only read
    them); one that is added to a session is given its state then, and stored with its
    fills."""
    template = make_order()
    fill = checked(Fill, attrs.asdict(make_fill("F1"), recurse=False))
    order = assemble(Order, {**attrs.asdict(template, recurse=False), "fills": [fill]})
    assert not has_orm_state(order) and not has_orm_state(fill)
    assert order.fills == [fill] and fill.fill_id == "F1"  # readable as they are
    assert not has_orm_state(order) and not has_orm_state(fill)  # reading made no state
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        assert has_orm_state(order) and has_orm_state(fill)
        uow.commit()
        assert order.order_pk is not None and fill.order_pk == order.order_pk
    with UnitOfWork(engine) as uow:
        loaded = uow.orders.get_by_client_id(template.client_order_id)
        assert loaded is not None and [f.fill_id for f in loaded.fills] == ["F1"]
