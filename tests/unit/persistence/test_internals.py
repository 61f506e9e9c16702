"""gal_friday.persistence.internals, the ORM half: each SQLAlchemy behaviour relied on, pinned
on a throwaway class and registry (no database, the domain's mapping untouched). The pool
and connection half is in tests/integration/test_internals.py (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, inspect
from sqlalchemy.orm import Session, registry, relationship
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.base import DEFAULT_STATE_ATTR

from gal_friday.persistence import internals


class Box:
    """A plain class, mapped by the fixture only."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[Item] = []


class Item:
    def __init__(self, name: str) -> None:
        self.name = name


class Unmapped:
    """Never mapped."""


def _plain(cls: type, **values: Any) -> Any:
    """What ``construction.plain_assemble`` makes: ``__dict__`` set, no ``__init__``."""
    instance = object.__new__(cls)
    instance.__dict__.update(values)
    return instance


@pytest.fixture
def mapped() -> Iterator[registry]:
    metadata = MetaData()
    boxes = Table(
        "boxes", metadata, Column("pk", Integer, primary_key=True), Column("label", String)
    )
    items = Table(
        "items",
        metadata,
        Column("pk", Integer, primary_key=True),
        Column("box_pk", ForeignKey("boxes.pk")),
        Column("name", String),
    )
    reg = registry(metadata=metadata)
    reg.map_imperatively(Item, items)
    reg.map_imperatively(Box, boxes, properties={"items": relationship(Item)})
    reg.configure()
    try:
        yield reg
    finally:
        internals.state_on_demand(Box, None)
        internals.state_on_demand(Item, None)
        reg.dispose()


def test_the_state_attribute_is_sqlalchemys(mapped):
    assert internals.STATE_ATTR == DEFAULT_STATE_ATTR
    box = Box("a")  # made by the instrumented __init__
    assert internals.has_orm_state(box)
    assert box.__dict__[internals.STATE_ATTR] is instance_state(box)


def test_class_manager_answers_none_unless_mapped(mapped):
    for cls in (Box, Item):
        manager = internals.class_manager(cls)
        assert manager is not None and manager.is_mapped
        assert manager.mapper.class_ is cls
        made = manager.new_instance()
        assert type(made) is cls and internals.has_orm_state(made)
    assert internals.class_manager(Unmapped) is None
    mapped.dispose()
    assert internals.class_manager(Box) is None


def test_give_orm_state_keeps_the_values_and_makes_a_transient_instance(mapped):
    box = _plain(Box, label="b", items=[])
    assert not internals.has_orm_state(box)
    manager = internals.class_manager(Box)
    assert manager is not None
    state = internals.give_orm_state(box, manager)
    assert state is instance_state(box) and inspect(box).transient
    assert box.label == "b"
    box.label = "c"  # instrumented assignment works on it
    assert box.label == "c" and inspect(box).attrs.label.history.added == ["c"]


def test_state_on_demand_is_asked_only_when_sqlalchemy_needs_the_state(mapped):
    asked: list[object] = []

    def give(instance: Any) -> Any:
        asked.append(instance)
        manager = internals.class_manager(type(instance))
        assert manager is not None
        return internals.give_orm_state(instance, manager)

    for cls in (Box, Item):
        internals.state_on_demand(cls, give)
    item = _plain(Item, name="i")
    box = _plain(Box, label="b")
    box.__dict__["items"] = [item]
    assert box.label == "b" and box.items == [item]  # reading a value in __dict__: no state
    assert not internals.has_orm_state(box) and asked == []
    with pytest.raises(AttributeError, match="missing"):
        box.missing  # noqa: B018 - other names still fail as usual
    box.label = "c"  # an instrumented assignment asks for the state
    assert asked == [box] and internals.has_orm_state(box)
    session = Session()
    session.add(item)  # so does a session
    assert asked == [box, item] and item in session
    inspect(box)  # asked once: the state is in __dict__ now
    assert asked == [box, item]


def test_state_on_demand_is_removed_and_leaves_a_class_own_getattr(mapped):
    internals.state_on_demand(Box, lambda instance: None)
    assert "__getattr__" in Box.__dict__
    internals.state_on_demand(Box, None)
    assert "__getattr__" not in Box.__dict__

    def own(self: object, name: str) -> str:
        return name

    Item.__getattr__ = own  # type: ignore[attr-defined]
    try:
        internals.state_on_demand(Item, None)
        assert Item.__dict__["__getattr__"] is own
    finally:
        del Item.__getattr__  # type: ignore[attr-defined]


def test_has_orm_state_does_not_make_the_state(mapped):
    internals.state_on_demand(Box, lambda instance: pytest.fail("state made"))
    assert not internals.has_orm_state(_plain(Box, label="b"))
