"""The live path on PostgreSQL: its driver statements store and fail as the Core ones did, and
``record_fill`` skips the pool's pre-ping without ever losing or doubling a fill.

The Core statements are what SQLite and the asyncio path still run; ``_core_only`` makes
the synchronous path take them too, so both can be compared on one database.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import attrs
import pytest
from sqlalchemy import func, select, text

from gal_friday.domain import LiquidityType, Order
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.errors import DatabaseTimeoutError, DatabaseUnavailableError
from gal_friday.persistence.fastpath import fill_statements
from gal_friday.persistence.fastpath.prepared import driver_of
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill
from tests.factories import at, make_fill, make_order
from tests.support import databases
from tests.support.tcp_proxy import TcpProxy

PATHS = ["driver", "core"]


def _core_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fill_statements, "driver_of", lambda conn: None)


def _path(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    if path == "core":
        _core_only(monkeypatch)


def _fills(prefix: str, exchange_order_id: str = "EX-1"):  # type: ignore[no-untyped-def]
    """Fills in the base and the quote asset, with and without an exchange order id."""
    return [
        make_fill(f"{prefix}1", quantity_filled=Decimal("0.25"), fill_price=Decimal("100.5")),
        make_fill(
            f"{prefix}2",
            quantity_filled=Decimal("0.125"),
            fill_price=Decimal("99.123456789"),
            commission=Decimal("0.0001"),
            commission_asset="BTC",
            liquidity_type=LiquidityType.MAKER,
            exchange_order_id=exchange_order_id,
            filled_at=at(2),
        ),
        make_fill(
            f"{prefix}3",
            quantity_filled=Decimal("0.625"),
            fill_price=Decimal("101"),
            commission=Decimal("-0.02"),
            filled_at=at(3),
        ),
    ]


def _record(engine, order: Order, prefix: str) -> None:  # type: ignore[no-untyped-def]
    for fill in _fills(prefix, order.exchange_order_id or "EX-1"):
        assert record_fill(
            lambda: UnitOfWork(engine),
            fill,
            client_order_id=order.client_order_id,
            refresh_trades=False,
        )


def _rows(engine, table, skip):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        return [{k: v for k, v in row.items() if k not in skip} for row in rows]


def test_the_driver_statements_store_the_rows_core_stored(postgres_url, monkeypatch):
    engine = create_engine(postgres_url)
    by_driver = make_order(exchange_order_id="EX-1")
    by_core = make_order(exchange_order_id="EX-2")
    with UnitOfWork(engine) as uow:
        uow.orders.add(by_driver)
        uow.orders.add(by_core)
        uow.commit()
    _record(engine, by_driver, "D")
    with monkeypatch.context() as patched:
        _core_only(patched)
        _record(engine, by_core, "C")
    orders = _rows(engine, t.orders, {"order_pk", "client_order_id", "exchange_order_id"})
    assert orders[0] == orders[1]
    assert orders[0]["commissions"] == {"USD": Decimal("0.08"), "BTC": Decimal("0.0001")}
    assert orders[0]["version"] == 4
    fills = _rows(engine, t.fills, {"fill_pk", "fill_id", "order_pk", "exchange_order_id"})
    assert fills[:3] == fills[3:]
    engine.dispose()


def test_the_driver_reads_the_order_core_reads(postgres_url):
    engine = create_engine(postgres_url)
    order = make_order(exchange_order_id="EX-1", stop_price=Decimal("90.5"))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    _record(engine, order, "D")
    fill = make_fill("NEXT")
    with engine.begin() as conn:
        assert driver_of(conn) is not None
        read = [
            fill_statements._load(conn, driver, fill, order.client_order_id)
            for driver in (driver_of(conn), None)
        ]
    (ours, our_version), (cores, core_version) = read
    assert our_version == core_version == 4
    for field in attrs.fields(Order):
        mine, theirs = getattr(ours, field.name), getattr(cores, field.name)
        assert (mine, type(mine)) == (theirs, type(theirs)), field.name
    engine.dispose()


def _with_query(url, **query: str) -> str:  # type: ignore[no-untyped-def]
    return url.update_query_dict(query).render_as_string(hide_password=False)


@pytest.mark.parametrize("path", PATHS)
def test_a_lock_wait_past_the_statement_timeout_is_the_same_error(postgres_url, monkeypatch, path):
    engine = create_engine(_with_query(postgres_url, statement_timeout="0.3"))
    order = make_order()
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    _path(monkeypatch, path)
    with engine.connect() as holder:
        holder.execute(select(t.orders).with_for_update())  # another writer holds the row
        with pytest.raises(DatabaseTimeoutError) as caught, UnitOfWork(engine) as uow:
            uow.orders.store_live_fill(make_fill("T1"), order.client_order_id)
    assert str(caught.value) == (
        "a statement ran past the statement timeout; nothing was committed"
        " (canceling statement due to statement timeout)"
    )
    engine.dispose()


def _terminate(pid: int) -> None:
    with databases.admin_connection() as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.mark.parametrize("path", PATHS)
def test_a_connection_lost_in_the_transaction_is_the_same_error(postgres_url, monkeypatch, path):
    engine = create_engine(postgres_url)
    order = make_order()
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    _path(monkeypatch, path)

    def lost() -> None:
        with UnitOfWork(engine) as uow:
            _terminate(uow.session.scalar(text("SELECT pg_backend_pid()")))
            uow.orders.store_live_fill(make_fill("K1"), order.client_order_id)

    with pytest.raises(DatabaseUnavailableError) as caught:
        lost()
    assert str(caught.value).startswith(
        "the database connection was lost during the transaction; nothing was committed ("
    )
    with UnitOfWork(engine) as uow:  # the dead connection was not handed out again
        assert uow.orders.store_live_fill(make_fill("K1"), order.client_order_id) is True
        uow.commit()
    engine.dispose()


def _count_pings(engine, monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    pings = [0]
    ping = engine.dialect.do_ping

    def counted(dbapi_connection):  # type: ignore[no-untyped-def]
        pings[0] += 1
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_record_fill_skips_the_pre_ping_that_other_units_of_work_keep(postgres_url, monkeypatch):
    engine = create_engine(postgres_url)
    order = make_order(quantity_ordered=Decimal(10))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    engine.dispose()  # the next checkout makes a new connection: inside record_fill
    pings = _count_pings(engine, monkeypatch)
    names = (f"P{n}" for n in itertools.count())
    seen = []
    for _ in range(2):
        record_fill(
            lambda: UnitOfWork(engine),
            make_fill(next(names)),
            client_order_id=order.client_order_id,
            refresh_trades=False,
        )
        seen.append(pings[0])
        with UnitOfWork(engine) as uow:  # the connection record_fill opened is pinged here
            uow.orders.get_by_client_id(order.client_order_id)
        seen.append(pings[0])
    assert engine.pool.checkedin() == 1
    assert seen == [0, 1, 1, 2]
    engine.dispose()


def test_dead_pooled_connections_cost_record_fill_one_retry(postgres_url):
    engine = create_engine(postgres_url)
    order = make_order(quantity_ordered=Decimal(10))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    with engine.connect() as first, engine.connect() as second:  # two pooled connections
        pids = [c.scalar(text("SELECT pg_backend_pid()")) for c in (first, second)]
    for pid in pids:
        _terminate(pid)
    attempts = [0]

    def factory() -> UnitOfWork:
        attempts[0] += 1
        return UnitOfWork(engine)

    fill = make_fill("DEAD-1")
    outcome = record_fill(
        factory, fill, client_order_id=order.client_order_id, refresh_trades=False
    )
    assert outcome is FillOutcome.RECORDED
    assert attempts[0] == 2  # the first lost connection invalidated the whole pool
    with UnitOfWork(engine) as uow:
        stored = uow.orders.get_by_client_id(order.client_order_id)
        assert [f.fill_id for f in stored.fills] == ["DEAD-1"]
        assert stored.version == 2
    engine.dispose()


def test_a_server_gone_for_good_is_a_database_unavailable_error(postgres_url):
    proxy = TcpProxy(postgres_url.host or "127.0.0.1", postgres_url.port or 5432)
    try:
        engine = create_engine(postgres_url.set(host="127.0.0.1", port=proxy.port))
        order = make_order(quantity_ordered=Decimal(10))
        with UnitOfWork(engine) as uow:
            uow.orders.add(order)
            uow.commit()
        factory = lambda: UnitOfWork(engine)  # noqa: E731
        assert record_fill(factory, make_fill("G1"), client_order_id=order.client_order_id)
        proxy.cut()  # the pooled connection dies, and new ones are refused
        with pytest.raises(DatabaseUnavailableError, match="cannot use the database"):
            record_fill(
                factory, make_fill("G2"), client_order_id=order.client_order_id, unavailable_for=0.5
            )
        proxy.restore()
        with UnitOfWork(engine) as uow:
            assert uow.session.scalar(select(func.count()).select_from(t.fills)) == 1
        engine.dispose()
    finally:
        proxy.stop()
