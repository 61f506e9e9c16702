"""Revision 0006_order_aggregates_repair gives every order the aggregates of its fills again."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from gal_friday.domain import Order, OrderType
from gal_friday.persistence import schema
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.importing import import_history
from tests.factories import at, make_fill
from tests.migrations.test_migrations import empty_engine  # noqa: F401  (fixture)
from tests.support.order_aggregates import orders_disagreeing

TRADES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
TRADES = TRADES / "kraken-ledgers-account-trades.csv"
BEFORE = "0005_candles"


def _orders(engine: sa.Engine) -> dict[str, dict[str, str]]:
    """Each order row as stored (text), by exchange order id, read with the columns the
    database has at its revision (the models are those of the newest one)."""
    orders = sa.Table("orders", sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(orders)).mappings().all()
    return {row["exchange_order_id"]: {k: str(v) for k, v in row.items()} for row in rows}


def _changed(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> set[str]:
    """The orders whose columns of the older revision changed."""
    return {
        ref
        for ref, row in before.items()
        if any(after[ref][k] != v for k, v in row.items() if k not in _WRITTEN_ANEW)
    }


#: Columns a later revision writes in another form: 0013 stores a client order id (a UUID
#: at 0005) as its canonical text (tests/migrations/test_order_history_migration.py).
_WRITTEN_ANEW = {"client_order_id"}


def _stored_before_the_repair(engine: sa.Engine) -> None:
    """Data written by today's code, then the schema taken back to the revision before 0006."""
    schema.downgrade(engine, BEFORE)


def test_an_order_whose_fill_the_ledger_corrected_behind_its_back_is_repaired(
    empty_engine,  # noqa: F811
):
    schema.upgrade(empty_engine)
    import_history(unit_of_work_factory(empty_engine), TRADES, "kraken-trades")
    _stored_before_the_repair(empty_engine)
    # what reconciling did before the Order owned its fills: the fill alone changed
    with empty_engine.begin() as conn:
        conn.execute(
            sa.update(t.fills)
            .where(t.fills.c.fill_id == "TAAAA3-BBBBB-CCCC3")
            .values(commission=Decimal("15.559"), commission_asset="DOGE")
        )
    before = _orders(empty_engine)
    schema.upgrade(empty_engine)
    assert orders_disagreeing(empty_engine) == []
    with UnitOfWork(empty_engine) as uow:
        order = uow.orders.get_by_exchange_id("kraken", "OAAAA3-BBBBB-CCCC3")
    assert order is not None
    assert order.commissions == {"DOGE": Decimal("15.559")}
    assert _changed(before, _orders(empty_engine)) == {"OAAAA3-BBBBB-CCCC3"}


def test_orders_that_agree_with_their_fills_are_not_rewritten(empty_engine):  # noqa: F811
    schema.upgrade(empty_engine)
    # an exact notional with 37 decimals and a VWAP rounded half-even to 18 places
    fills = [
        make_fill(
            f"M{n}",
            exchange="binance",  # not a pair the import rebuilds (its BNB fee has no rate)
            quantity_filled=quantity,
            fill_price=price,
            commission=Decimal(fee),
            commission_asset=asset,
            filled_at=at(n),
        )
        for n, (quantity, price, fee, asset) in enumerate(
            [
                (Decimal("0.333333333333333333"), Decimal("100.000000000000000001"), "0.1", "USD"),
                (Decimal("0.333333333333333333"), Decimal("99.999999999999999999"), "0.2", "USD"),
                (Decimal("0.333333333333333334"), Decimal("100.0000000000000001"), "-0.3", "BNB"),
            ]
        )
    ]
    made = Order.filled_by(fills, order_type=OrderType.MARKET, exchange_order_id="EX-1")
    with UnitOfWork(empty_engine) as uow:
        uow.orders.add(made)
        uow.commit()
    import_history(unit_of_work_factory(empty_engine), TRADES, "kraken-trades")
    assert orders_disagreeing(empty_engine) == []
    _stored_before_the_repair(empty_engine)
    before = _orders(empty_engine)
    schema.upgrade(empty_engine)
    assert _changed(before, _orders(empty_engine)) == set()
