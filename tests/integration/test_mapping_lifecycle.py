"""Mapping has one lifecycle: start_mappers() maps, clear_mappers() gives pure classes back.

An object built before mapping started can still be read, changed and stored; storing
while unmapped is refused with an error that says what to call.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from gal_friday.domain import (
    Configuration,
    EventLog,
    Fill,
    Log,
    Order,
    PortfolioSnapshot,
    Signal,
    SystemLog,
    Trade,
    construction,
)
from gal_friday.persistence.database import create_engine, session_factory
from gal_friday.persistence.tables.mapping import (
    MappingNotStartedError,
    clear_mappers,
    is_mapped,
    start_mappers,
)
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import at, make_fill, make_order

DOMAIN_CLASSES = [
    Configuration,
    EventLog,
    Fill,
    Log,
    Order,
    PortfolioSnapshot,
    Signal,
    SystemLog,
    Trade,
]


@pytest.fixture
def unmapped() -> Iterator[None]:
    """The domain unmapped for the test; mapped again afterwards for the others."""
    clear_mappers()
    try:
        yield
    finally:
        start_mappers()


@pytest.mark.usefixtures("unmapped")
def test_clear_mappers_gives_plain_classes_back():
    for cls in DOMAIN_CLASSES:
        assert not hasattr(cls, "_sa_class_manager"), cls
        assert "__getattr__" not in cls.__dict__, cls
    order = make_order()
    order.apply_fill(make_fill("P1"))
    assert "_sa_instance_state" not in order.__dict__
    assert "_sa_instance_state" not in order.fills[0].__dict__
    assert type(order.fills) is list
    assembled = construction.assemble(Fill, {**make_fill("P2").__dict__})
    assert "_sa_instance_state" not in assembled.__dict__


def test_mapping_can_start_again_after_clearing(engine):
    clear_mappers()
    start_mappers()
    assert hasattr(Order, "_sa_class_manager")
    order = make_order()
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.orders.get_by_client_id(order.client_order_id) is not None


def test_storing_while_unmapped_says_what_to_call(engine, unmapped):
    order = make_order()
    session = session_factory(engine)()
    with session, pytest.raises(MappingNotStartedError, match=r"bootstrap\.start\(\)"):
        session.add(order)


def test_making_an_engine_maps_nothing_and_a_unit_of_work_maps_the_domain(database_url, unmapped):
    engine = create_engine(database_url)
    try:
        assert not is_mapped(Order)
        with UnitOfWork(engine) as uow:
            assert is_mapped(Order)
            uow.orders.add(make_order())
            uow.commit()
    finally:
        engine.dispose()


def test_an_object_built_before_mapping_can_be_changed_and_stored(database_url, unmapped):
    signal = Signal(
        trading_pair="BTC/USD",
        exchange="kraken",
        strategy_id="s1",
        side="BUY",
        entry_type="LIMIT",
        proposed_entry_price=Decimal(100),
        created_at=at(0),
    )
    order = make_order(quantity_ordered=Decimal(2))
    order.apply_fill(make_fill("EARLY-1"))  # both built while the domain is unmapped
    engine = create_engine(database_url)  # mapping starts with the first unit of work
    try:
        order.apply_fill(make_fill("EARLY-2", filled_at=at(2)))  # changed after mapping
        with UnitOfWork(engine) as uow:
            uow.orders.add(order)
            uow.signals.add(signal)
            uow.commit()
        with UnitOfWork(engine) as uow:
            loaded = uow.orders.get_by_client_id(order.client_order_id)
            assert loaded is not None
            assert [fill.fill_id for fill in loaded.fills] == ["EARLY-1", "EARLY-2"]
            assert loaded.filled_quantity == Decimal("0.8")
            assert uow.signals.get(signal.signal_id) is not None
    finally:
        engine.dispose()
