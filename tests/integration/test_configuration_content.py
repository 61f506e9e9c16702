"""Configuration content round-trips exactly and verifies against its hash on both databases:
floats as floats, a ``Decimal`` as the string of its exact digits (docs/payloads.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from gal_friday.domain import Configuration
from gal_friday.persistence.unit_of_work import UnitOfWork

CONTENTS = [
    {"fee": Decimal("0.0026"), "budget": Decimal("2500.00"), "tiny": Decimal("1E-30")},
    {"big": 2.5e300, "small": 1e-300, "half": 0.5, "one": 1.0, "negative_zero": -0.0},
    {"huge": 2**63 + 1, "negative": -(2**70), "plain": 7, "flag": True, "none": None},
    {
        "risk": {"pairs": ["XRP/USD", "BTC/USD"], "limits": [Decimal("1.10"), 3, 0.25]},
        "nested": {"deeper": {"deepest": [{"x": Decimal("-12345678901234567890.123456789")}]}},
        "text": "café 取引",
    },
]


@pytest.mark.parametrize("content", CONTENTS)
def test_content_read_back_verifies_and_keeps_decimals_exactly(engine, content):
    version = Configuration.from_content(content)
    with UnitOfWork(engine) as uow:
        uow.configurations.activate(version)
        uow.commit()
    with UnitOfWork(engine) as uow:
        stored = uow.configurations.get_by_hash(version.config_hash)
    assert stored is not None
    assert stored.matches_content()  # no false tamper alarm (2.5e300 raised one on PostgreSQL)
    assert stored.config_content == version.config_content
    for key, value in content.items():
        read = stored.config_content[key]
        if isinstance(value, Decimal):
            assert isinstance(read, str)
            assert Decimal(read).as_tuple() == value.as_tuple()  # same digits, same scale
        elif isinstance(value, float):
            assert isinstance(read, float)
            assert read == value


def test_decimals_keep_their_digits_and_scale(engine):
    version = Configuration.from_content({"fee": Decimal("2500.00"), "x": Decimal("0.10")})
    with UnitOfWork(engine) as uow:
        uow.configurations.activate(version)
        uow.commit()
    with UnitOfWork(engine) as uow:
        (stored,) = uow.configurations.all()
    assert [str(stored.config_content[k]) for k in ("fee", "x")] == ["2500.00", "0.10"]
    assert Decimal(stored.config_content["fee"]) == Decimal("2500")


def test_a_changed_row_is_still_caught(engine):
    version = Configuration.from_content({"fee": Decimal("0.0026")})
    with UnitOfWork(engine) as uow:
        uow.configurations.activate(version)
        uow.commit()
    with engine.begin() as conn:
        conn.execute(text("UPDATE configurations SET config_content = '{\"fee\": 0.0027}'"))
    with UnitOfWork(engine) as uow:
        (stored,) = uow.configurations.all()
    assert stored.config_content == {"fee": 0.0027}
    assert not stored.matches_content()
