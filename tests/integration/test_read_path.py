"""The cheaper read path returns exactly what the old one did (docs/performance.md,
"What made the difference, and what is left").

Decimals are tidied by PostgreSQL (``trim_scale``) digit for digit as ``tidy`` does,
instants come back aware in UTC whatever the session's time zone, enum values as
members (a non-member fails with the enum's own error), and a list read pauses the
cyclic collector only while it loads. Both backends unless named.
"""

from __future__ import annotations

import gc
from datetime import UTC
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    event,
    literal_column,
    null,
    select,
    text,
    type_coerce,
)

from gal_friday.domain import Order, Side
from gal_friday.domain.values import tidy
from gal_friday.persistence.tables.types import EnumText, ExactDecimal, Money
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import at, make_fill, make_order

#: Any decimal the driver can hand over: trailing zeros, exponents, signs, zero.
decimals = st.builds(
    lambda sign, coefficient, exponent: Decimal(
        (sign, tuple(map(int, str(coefficient))), exponent)
    ),
    st.sampled_from([0, 1]),
    st.integers(min_value=0, max_value=10**20),
    st.integers(min_value=-18, max_value=2),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=decimals)
def test_decimal_columns_read_as_tidy_writes_them(engine, value):
    # SQL text, so that no bind processor of the column types sees the value first.
    raw = literal_column(
        f"'{value}'" if engine.dialect.name == "sqlite" else f"CAST('{value}' AS NUMERIC)"
    )
    with engine.connect() as conn:
        for column_type in (Money(), ExactDecimal()):
            read = conn.execute(select(type_coerce(raw, column_type))).scalar_one()
            assert read.as_tuple() == tidy(value).as_tuple(), column_type
        assert conn.execute(select(type_coerce(null(), Money()))).scalar_one() is None


def _stored_order(engine) -> Order:
    order = make_order(quantity_ordered=Decimal(3), limit_price=Decimal("100.5"))
    order.apply_fill(make_fill("F1", quantity_filled=Decimal("0.5"), commission=Decimal("0.10")))
    order.apply_fill(make_fill("F2", quantity_filled=Decimal(1), filled_at=at(2)))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    return order


def test_loaded_values_have_the_digits_the_domain_gave_them(engine):
    _stored_order(engine)
    with UnitOfWork(engine) as uow:
        (order,) = uow.orders.list_open()
    assert [str(order.quantity_ordered), str(order.limit_price)] == ["3", "100.5"]
    assert [str(order.filled_quantity), str(order.fill_notional)] == ["1.5", "150"]
    assert str(order.average_fill_price) == "100"
    assert order.commissions == {"USD": Decimal("0.2")}
    assert str(order.commissions["USD"]) == "0.2"
    assert [str(f.quantity_filled) for f in order.fills] == ["0.5", "1"]
    assert [str(f.commission) for f in order.fills] == ["0.1", "0.1"]
    assert order.side is Side.BUY and order.stop_price is None


def test_server_arithmetic_is_read_without_trailing_zeros(postgres_url):
    with UnitOfWork(postgres_url) as uow:
        uow.orders.add(make_order(quantity_ordered=Decimal(2)))
        uow.commit()
    with UnitOfWork(postgres_url) as uow:
        uow.session.execute(text("UPDATE orders SET fill_notional = 12.5000 * 2.00"))
        (order,) = uow.orders.list_open()
        assert str(order.fill_notional) == "25"


def test_instants_are_aware_utc_whatever_the_session_time_zone(postgres_url):
    stored = _stored_order(postgres_url)
    with UnitOfWork(postgres_url) as uow:
        uow.session.execute(text("SET TIME ZONE 'Asia/Tokyo'"))
        (order,) = uow.orders.list_open()
    assert order.created_at == stored.created_at
    assert order.created_at.tzinfo is UTC
    assert [f.filled_at.tzinfo for f in order.fills] == [UTC, UTC]
    assert order.closed_at is None


def test_a_value_that_is_no_member_fails_with_the_enums_own_error(engine):
    with pytest.raises(ValueError, match="SIDEWAYS") as expected:
        Side("SIDEWAYS")
    column = EnumText(Side)
    with engine.connect() as conn:

        def read(sql: str) -> object:
            return conn.execute(select(type_coerce(literal_column(sql), column))).scalar_one()

        assert read("NULL") is None
        assert read("'SELL'") is Side.SELL
        with pytest.raises(ValueError, match="SIDEWAYS") as got:
            read("'SIDEWAYS'")
    assert str(got.value) == str(expected.value)


def test_a_list_read_pauses_the_collector_only_while_it_loads(engine):
    _stored_order(engine)
    seen: list[bool] = []

    def on_load(target: object, context: object) -> None:
        seen.append(gc.isenabled())

    event.listen(Order, "load", on_load)
    try:
        with UnitOfWork(engine) as uow:
            assert len(uow.orders.list_open()) == 1
            assert gc.isenabled()
            gc.disable()
            try:
                uow.orders.list_open()
                assert not gc.isenabled()  # a caller that had it off keeps it off
            finally:
                gc.enable()
    finally:
        event.remove(Order, "load", on_load)
    assert seen == [False, False]  # off while each read loaded the order


def test_the_collector_comes_back_when_a_list_read_fails(engine):
    _stored_order(engine)

    def on_load(target: object, context: object) -> None:
        raise RuntimeError("refused")

    event.listen(Order, "load", on_load)
    try:
        with UnitOfWork(engine) as uow, pytest.raises(RuntimeError, match="refused"):
            uow.orders.list_open()
    finally:
        event.remove(Order, "load", on_load)
    assert gc.isenabled()


def _fields(obj: object) -> dict[str, object]:
    """Every field, decimals by their digits, lists of fills field by field."""

    def shape(value: object) -> object:
        if isinstance(value, Decimal):
            return value.as_tuple()
        if isinstance(value, list):
            return [_fields(item) for item in value]
        return (type(value), value)

    return {name: shape(getattr(obj, name)) for name in attrs.fields_dict(type(obj))}


def test_list_open_loads_the_same_orders_and_fills_as_one_by_one(engine):
    first = _stored_order(engine)
    other = make_order(trading_pair="ETH/USD", limit_price=Decimal("2000.25"), created_at=at(3))
    other.apply_fill(
        make_fill("E1", trading_pair="ETH/USD", filled_at=at(4), commission_asset="ETH")
    )
    closed = make_order(created_at=at(6))
    closed.cancel(at(7))
    unfilled = make_order(created_at=at(8))
    with UnitOfWork(engine) as uow:
        for order in (other, closed, unfilled):
            uow.orders.add(order)
        uow.commit()
    with UnitOfWork(engine) as uow:
        listed = [_fields(order) for order in uow.orders.list_open()]
    with UnitOfWork(engine) as uow:
        keys = [first.order_pk, other.order_pk, unfilled.order_pk]
        one_by_one = [_fields(uow.orders.get(key)) for key in keys]  # the mapping's selectin
    assert listed == one_by_one
    assert [len(order["fills"]) for order in listed] == [2, 1, 0]


def test_listed_orders_can_be_changed_and_stored(engine):
    _stored_order(engine)
    with UnitOfWork(engine) as uow:
        (order,) = uow.orders.list_open()
        order.cancel(at(10))
        order.apply_fill(make_fill("F3", quantity_filled=Decimal("0.25"), filled_at=at(5)))
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.orders.list_open() == []
        stored = uow.orders.get(order.order_pk)
        assert stored is not None
        assert [f.fill_id for f in stored.fills] == ["F1", "F2", "F3"]
        assert str(stored.filled_quantity) == "1.75"
        assert stored.status.value == "CANCELLED"
