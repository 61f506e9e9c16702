"""Migrations: one head, upgrade from empty, no drift, stairway down/up with data, base is empty."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.tables.definitions import metadata
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import make_fill, make_order
from tests.support import databases


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with no schema at all."""
    url: URL
    if request.param == "postgresql":
        url = databases.create_postgres_database()
    else:
        url = sa.make_url(f"sqlite:///{tmp_path / 'empty.db'}")
    engine = create_engine(url)
    yield engine
    engine.dispose()
    if request.param == "postgresql":
        databases.drop_postgres_database(url)


def test_there_is_exactly_one_head():
    assert len(schema.heads()) == 1


def test_upgrade_from_empty_matches_the_models(empty_engine):
    assert schema.current(empty_engine) is None
    schema.upgrade(empty_engine)
    assert schema.current(empty_engine) == schema.head()
    assert schema.check(empty_engine) == []
    tables = set(sa.inspect(empty_engine).get_table_names())
    assert set(metadata.tables) <= tables


def _store_something(engine: Engine, fill_id: str = "STAIR-1") -> None:
    order = make_order(quantity_ordered=Decimal("2"))
    order.apply_fill(make_fill(fill_id))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()


def test_stairway_every_revision_down_and_up_again(empty_engine):
    for revision in schema.revisions():
        schema.upgrade(empty_engine, revision)
        if revision == schema.head():
            _store_something(empty_engine)
        schema.downgrade(empty_engine, "-1")
        schema.upgrade(empty_engine, revision)
        assert schema.current(empty_engine) == revision
    assert schema.check(empty_engine) == []
    _store_something(empty_engine, "STAIR-2")  # STAIR-1 may have survived the last step down
    with UnitOfWork(empty_engine) as uow:
        assert uow.fills.existing_ids("kraken", ["STAIR-2"]) == {"STAIR-2"}


def test_downgrade_to_base_leaves_only_the_version_table(empty_engine):
    schema.upgrade(empty_engine)
    schema.downgrade(empty_engine, "base")
    assert set(sa.inspect(empty_engine).get_table_names()) == {"alembic_version"}
    assert schema.current(empty_engine) is None


def test_the_partial_unique_index_exists_on_both_backends(empty_engine):
    schema.upgrade(empty_engine)
    indexes = {ix["name"]: ix for ix in sa.inspect(empty_engine).get_indexes("configurations")}
    assert indexes["uq_configurations_single_active"]["unique"]


def test_0002_lets_a_fill_and_a_trade_carry_a_rebate(empty_engine):
    def insert_rebate() -> None:
        with empty_engine.begin() as conn:
            pk = conn.execute(
                sa.text(
                    "INSERT INTO orders (client_order_id, trading_pair, exchange, side, order_type,"
                    " quantity_ordered, status, created_at, last_updated_at, filled_quantity,"
                    " version) VALUES (:id, 'BTC/USD', 'kraken', 'BUY', 'MARKET', '1', 'FILLED',"
                    " :t, :t, '1', 1) RETURNING order_pk"
                ),
                {"id": uuid.uuid4().hex, "t": "2024-01-01 00:00:00"},
            ).scalar()
            conn.execute(
                sa.text(
                    "INSERT INTO fills (fill_id, order_pk, trading_pair, exchange, side,"
                    " quantity_filled, fill_price, commission, commission_asset, filled_at)"
                    " VALUES (:f, :pk, 'BTC/USD', 'kraken', 'BUY', '1', '100', '-0.5', 'USD', :t)"
                ),
                {"f": uuid.uuid4().hex, "pk": pk, "t": "2024-01-01 00:00:00"},
            )

    schema.upgrade(empty_engine, "0001")
    with pytest.raises(sa.exc.IntegrityError):
        insert_rebate()
    schema.upgrade(empty_engine, "0002_rebates")
    insert_rebate()
    with pytest.raises(sa.exc.IntegrityError):  # the checks come back: the rebate is in the way
        schema.downgrade(empty_engine, "0001")
