"""Round trips of every entity, exact decimals and instants, every constraint: both backends."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from gal_friday.domain import (
    Configuration,
    EventLog,
    Log,
    Order,
    PortfolioSnapshot,
    Signal,
    SystemLog,
    Trade,
    TradeGrouping,
    build_trades,
)
from gal_friday.persistence import bootstrap
from gal_friday.persistence.database import session_factory
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import T0, at, make_fill, make_order

D = Decimal


def _fields(entity: object) -> dict:
    return {
        f.name: getattr(entity, f.name) for f in attrs.fields(type(entity)) if f.name != "fills"
    }


def _signal() -> Signal:
    return Signal(
        trading_pair="BTC/USD",
        exchange="kraken",
        strategy_id="s",
        side="BUY",
        entry_type="LIMIT",
        proposed_entry_price=D("100"),
        proposed_sl_price=D("95"),
        proposed_tp_price=D("110"),
        prediction_value={"p": 0.7},
        created_at=T0,
    )


def _entities() -> list[object]:
    signal = _signal()
    order = make_order(signal_id=signal.signal_id, exchange_order_id="EX-RT")
    order.apply_fill(make_fill("RT-1", liquidity_type="MAKER"))
    trades = build_trades([*order.fills], TradeGrouping.FIFO)
    import logging

    record = logging.LogRecord("gf", logging.WARNING, "/x.py", 3, "hi %s", ("there",), None)
    return [
        signal,
        order,
        *trades,
        PortfolioSnapshot.take(
            at=at(5),
            total_equity=D("1000.5"),
            available_balance={"USD": D("500.25")},
            positions={"BTC/USD": {"market_value": D("500.25")}},
            equity_history=[(T0, D("1001"))],
        ),
        Configuration.from_content({"a": [1, 2]}, loaded_at=T0),
        Log.from_record(record, ()),
        SystemLog.create(
            "risk",
            "info",
            "checked",
            context={"n": 1},
            order_pk=5,
            signal_id=uuid.uuid4(),
            trading_pair="XRP/USD",
            log_timestamp=T0,
        ),
        EventLog(event_type="E", payload={"k": "v"}, source="tests", occurred_at=T0),
    ]


def test_every_entity_round_trips(engine):
    entities = _entities()
    with UnitOfWork(engine) as uow:
        uow.session.add_all(entities)
        uow.commit()
    expected = [(type(e), _fields(e)) for e in entities]
    keys = [uow.session.identity_key(instance=e)[1] for e in entities]
    with UnitOfWork(engine) as uow:
        for (cls, fields), key in zip(expected, keys, strict=True):
            loaded = uow.session.get(cls, key)
            assert loaded is not None
            assert _fields(loaded) == fields, cls.__name__


amounts = st.decimals(
    min_value=D("0.000000000000000001"),
    max_value=D("99999999999999999999.999999999999999999"),
    places=18,
)
instants = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-7))]
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(quantity=amounts, price=amounts, when=instants)
def test_38_digit_decimals_and_instants_are_exact(engine, quantity, price, when):
    order = make_order(quantity_ordered=quantity, limit_price=price, created_at=when)
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    with UnitOfWork(engine) as uow:
        loaded = uow.orders.get(order.order_pk)
        assert loaded.quantity_ordered == quantity
        assert loaded.limit_price == price
        assert loaded.created_at == when
        assert loaded.created_at.utcoffset() == timedelta(0)


def _raw_insert(conn, table, row: dict) -> object:
    """Insert through untyped columns, so only the database's own constraints judge the row."""
    sqlite = conn.dialect.name == "sqlite"

    def raw(value: object) -> object:
        if not sqlite:
            return value
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, uuid.UUID):
            return value.hex
        if isinstance(value, datetime):
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(value, dict):
            import json

            return json.dumps(value)
        return value

    untyped = sa.table(table.name, *[sa.column(name) for name in row])
    return conn.execute(insert(untyped), {k: raw(v) for k, v in row.items()})


def _new_order(engine) -> int:
    with engine.begin() as conn:
        return conn.execute(insert(t.orders).returning(t.orders.c.order_pk), _order_row()).scalar()


def _order_row(**overrides) -> dict:
    row = {
        "client_order_id": uuid.uuid4(),
        "trading_pair": "BTC/USD",
        "exchange": "kraken",
        "side": "BUY",
        "order_type": "MARKET",
        "quantity_ordered": D(1),
        "status": "OPEN",
        "created_at": T0,
        "last_updated_at": T0,
        "filled_quantity": D(0),
        "version": 1,
    }
    row.update(overrides)
    return row


def _fill_row(order_pk: int, **overrides) -> dict:
    row = {
        "fill_id": uuid.uuid4().hex,
        "order_pk": order_pk,
        "trading_pair": "BTC/USD",
        "exchange": "kraken",
        "side": "BUY",
        "quantity_filled": D(1),
        "fill_price": D(10),
        "commission": D(0),
        "commission_asset": "USD",
        "filled_at": T0,
    }
    row.update(overrides)
    return row


BAD_ORDERS = {
    "side": {"side": "HOLD"},
    "status": {"status": "LOST"},
    "order_type": {"order_type": "ICEBERG"},
    "zero quantity": {"quantity_ordered": D(0)},
    "negative quantity": {"quantity_ordered": D(-1)},
    "negative limit": {"limit_price": D("-0.5")},
    "overfilled": {"filled_quantity": D(2)},
    "negative filled": {"filled_quantity": D("-0.1")},
    "unknown signal": {"signal_id": uuid.uuid4()},
    "version zero": {"version": 0},
}


@pytest.mark.parametrize("case", sorted(BAD_ORDERS))
def test_bad_orders_are_refused(engine, case):
    with engine.connect() as conn, pytest.raises(IntegrityError):
        _raw_insert(conn, t.orders, _order_row(**BAD_ORDERS[case]))


BAD_FILLS = {
    "side": {"side": "BOTH"},
    "zero price": {"fill_price": D(0)},
    "negative quantity": {"quantity_filled": D("-1")},
    "liquidity": {"liquidity_type": "SOMETIMES"},
    "missing fill id": {"fill_id": None},
}


@pytest.mark.parametrize("case", sorted(BAD_FILLS))
def test_bad_fills_are_refused(engine, case):
    order_pk = _new_order(engine)
    with engine.connect() as conn, pytest.raises(IntegrityError):
        _raw_insert(conn, t.fills, _fill_row(order_pk, **BAD_FILLS[case]))


def test_a_negative_commission_is_a_rebate_the_schema_stores(engine):
    order_pk = _new_order(engine)
    with engine.begin() as conn:
        _raw_insert(conn, t.fills, _fill_row(order_pk, commission=D("-0.01")))
    with engine.connect() as conn:
        assert D(str(conn.scalar(select(t.fills.c.commission)))) == D("-0.01")


def test_uniqueness_rules(engine):
    with engine.begin() as conn:
        pk = conn.execute(insert(t.orders).returning(t.orders.c.order_pk), _order_row()).scalar()
        conn.execute(insert(t.fills), _fill_row(pk, fill_id="SAME"))
    cases = [
        (t.fills, _fill_row(pk, fill_id="SAME")),
        (t.orders, _order_row(client_order_id=_client_id(engine, pk))),
        (t.fills, _fill_row(pk + 1000)),  # unknown order
    ]
    for table, row in cases:
        with engine.connect() as conn, pytest.raises(IntegrityError):
            conn.execute(insert(table), row)
    with engine.begin() as conn:  # same fill id on another exchange is fine
        conn.execute(insert(t.fills), _fill_row(pk, fill_id="SAME", exchange="binance"))


def _client_id(engine, pk: int) -> uuid.UUID:
    with engine.connect() as conn:
        return conn.execute(
            select(t.orders.c.client_order_id).where(t.orders.c.order_pk == pk)
        ).scalar()


def test_an_order_with_fills_cannot_be_deleted(engine):
    with engine.begin() as conn:
        pk = conn.execute(insert(t.orders).returning(t.orders.c.order_pk), _order_row()).scalar()
        conn.execute(insert(t.fills), _fill_row(pk))
    with engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(delete(t.orders).where(t.orders.c.order_pk == pk))


def test_at_most_one_active_configuration_in_the_database(engine):
    rows = [
        {"config_hash": h * 64, "config_content": {}, "loaded_at": T0, "is_active": True}
        for h in "ab"
    ]
    with engine.begin() as conn:
        conn.execute(insert(t.configurations), rows[0])
    with engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(insert(t.configurations), rows[1])
    with engine.begin() as conn:
        conn.execute(insert(t.configurations), {**rows[1], "is_active": False})
        with pytest.raises(IntegrityError):
            conn.execute(update(t.configurations).values(is_active=True))


def test_duplicate_hash_trade_id_and_event_id_are_refused(engine):
    bootstrap.start()
    sessions = session_factory(engine)
    trade = build_trades([make_fill("U1")])[0]
    event = EventLog(event_type="E", payload={}, source="s")
    for first, second in [
        (Configuration.from_content({"x": 1}), Configuration.from_content({"x": 1})),
        (trade, attrs.evolve(trade, trade_pk=None)),
        (event, attrs.evolve(event, event_pk=None)),
    ]:
        with sessions() as session:
            session.add(first)
            session.commit()
            session.add(second)
            with pytest.raises(IntegrityError):
                session.commit()


def test_activate_keeps_exactly_one_active(engine):
    versions = [Configuration.from_content({"v": n}) for n in range(3)]
    for version in [*versions, versions[1], versions[1]]:
        with UnitOfWork(engine) as uow:
            uow.configurations.activate(version)
            uow.commit()
        with UnitOfWork(engine) as uow:
            active = [c for c in uow.configurations.all() if c.is_active]
            assert [c.config_hash for c in active] == [version.config_hash]
    with UnitOfWork(engine) as uow:
        again = uow.configurations.add(Configuration.from_content({"v": 0}))
        assert again.config_pk == versions[0].config_pk
        assert len(uow.configurations.all()) == 3


def test_trades_with_orders_and_signals_keep_their_links(engine):
    signal = _signal()
    order = make_order(signal_id=signal.signal_id)
    order.apply_fill(make_fill("L1"))
    with UnitOfWork(engine) as uow:
        uow.signals.add(signal)
        uow.orders.add(order)
        uow.flush()
        trade = build_trades(order.fills)[0]
        trade.signal_id = signal.signal_id
        uow.trades.add_all([trade])
        uow.commit()
    with UnitOfWork(engine) as uow:
        stored: Trade = uow.trades.by_pair("BTC/USD")[0]
        assert stored.entry_order.client_order_id == order.client_order_id
        assert stored.signal.strategy_id == "s"
        assert [o.order_pk for o in uow.signals.get(signal.signal_id).orders] == [order.order_pk]
        assert isinstance(uow.orders.get(order.order_pk), Order)
