"""Record one fill reported live by the exchange, safely under concurrent writers.

The order is re-read with a row lock (``SELECT ... FOR UPDATE`` on PostgreSQL;
SQLite serialises writers itself), the fill applied by the domain, stored with
the order's new aggregates and version (``OrderRepository.apply_fill``, Core
statements: the latency-critical write), and committed. A write conflict
(another writer got there first) is retried with a fresh unit of work, a bounded
number of times with capped exponential backoff; so is a lost connection or a
server that is restarting (nothing was committed). Replaying a fill already
stored with the same data is a no-op; the same id with different data, a fill
for an unknown order, or an overfill is refused with a domain error and nothing
is stored.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from enum import StrEnum

import attrs

from gal_friday.domain import DuplicateFillError, Fill
from gal_friday.persistence.errors import ConcurrencyError, DatabaseUnavailableError
from gal_friday.persistence.interfaces import UnitOfWorkProtocol

MAX_ATTEMPTS = 12
BASE_BACKOFF_S = 0.005
MAX_BACKOFF_S = 1.0
UNAVAILABLE_FOR_S = 60.0


class FillOutcome(StrEnum):
    """What recording a fill did."""

    RECORDED = "RECORDED"
    ALREADY_RECORDED = "ALREADY_RECORDED"


def record_fill(
    uow_factory: Callable[[], UnitOfWorkProtocol],
    fill: Fill,
    *,
    client_order_id: uuid.UUID | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    unavailable_for: float = UNAVAILABLE_FOR_S,
) -> FillOutcome:
    """Apply and store ``fill`` on its order (found by client id, else by exchange order id).

    Write conflicts are retried up to ``max_attempts`` times; an unreachable or restarting
    database for up to ``unavailable_for`` seconds.
    """
    deadline = time.monotonic() + unavailable_for
    attempt = 0
    while True:
        attempt += 1
        try:
            with uow_factory() as uow:
                # A fresh copy each attempt: a failed attempt may have attached the last one.
                copy = attrs.evolve(fill, fill_pk=None, order_pk=None)
                if not uow.orders.apply_fill(copy, client_order_id):
                    return FillOutcome.ALREADY_RECORDED
                uow.commit()
                return FillOutcome.RECORDED
        except DuplicateFillError:
            # Another order (or a writer racing us) stored this fill id: same data is a replay.
            with uow_factory() as uow:
                stored = uow.fills.get(fill.exchange, fill.fill_id)
            if stored is not None and stored.same_execution(fill):
                return FillOutcome.ALREADY_RECORDED
            raise
        except ConcurrencyError:
            if attempt >= max_attempts:
                raise
        except DatabaseUnavailableError:
            # A connection lost mid-transaction or a server that is restarting: nothing was
            # committed, so the same fill is tried again on a fresh unit of work.
            if time.monotonic() >= deadline:
                raise
        delay = min(MAX_BACKOFF_S, BASE_BACKOFF_S * 2 ** min(attempt, 10))
        time.sleep(delay * (0.5 + random.random() / 2))
