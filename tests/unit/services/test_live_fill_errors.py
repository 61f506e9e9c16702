"""Errors of the live path (issue 26, items 6-7): a full disk is not an outage, an exhausted
pool is a retried storage error, and an error after the commit says the fill is stored.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import psycopg.errors
import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolCheckoutTimeout

from gal_friday.persistence.errors import (
    DatabaseUnavailableError,
    FillStoredTradesStaleError,
    PoolTimeoutError,
    StorageError,
    StorageFullError,
    translate_error,
)
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.services.live_fills import RETRYABLE, FillOutcome, record_fill
from tests.factories import make_fill, make_order


@pytest.mark.parametrize(
    "driver_error",
    [
        psycopg.errors.DiskFull('could not extend file "base/1/2": No space left on device'),
        sqlite3.OperationalError("database or disk is full"),
    ],
)
def test_a_full_disk_is_a_storage_full_error_never_retried_as_an_outage(driver_error):
    translated = translate_error(OperationalError("INSERT ...", {}, driver_error))
    assert isinstance(translated, StorageFullError)
    assert not isinstance(translated, RETRYABLE)
    assert "full" in str(translated)


def test_an_exhausted_pool_is_a_retried_storage_error():
    raw = PoolCheckoutTimeout("QueuePool limit of size 1 overflow 0 reached, connection timed out")
    translated = translate_error(raw)
    assert isinstance(translated, PoolTimeoutError)
    assert isinstance(translated, DatabaseUnavailableError) and isinstance(translated, RETRYABLE)
    assert "nothing was committed" in str(translated)


def test_a_storage_error_after_the_commit_says_the_fill_is_stored():
    factory = InMemoryUnitOfWork()
    order = make_order(quantity_ordered=Decimal(1))
    with factory() as uow:
        uow.orders.add(order)
        uow.commit()
    calls = {"n": 0}

    class Failing(InMemoryUnitOfWork):
        def commit(self) -> None:
            calls["n"] += 1
            if calls["n"] >= 2:  # the fill's transaction commits; the refresh's fails
                raise StorageError("could not write the trades (disk full)")
            super().commit()

    failing = Failing(factory.store)
    fill = make_fill("AFTER")
    with pytest.raises(FillStoredTradesStaleError, match=r"'AFTER' is stored \(committed\)"):
        record_fill(failing, fill, client_order_id=order.client_order_id, unavailable_for=0)
    assert record_fill(factory, fill, client_order_id=order.client_order_id) is (
        FillOutcome.ALREADY_RECORDED
    )
    with factory() as uow:  # the fill is there; re-sending refreshed the trades
        assert uow.orders.get_by_client_id(order.client_order_id).filled_quantity == Decimal("0.4")
        assert len(uow.trades.all()) == 1
