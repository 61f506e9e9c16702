"""Record one fill reported live by the exchange, safely under concurrent writers.

The order is re-read with a row lock (``SELECT ... FOR UPDATE`` on PostgreSQL;
SQLite serialises writers itself), the fill applied by the domain to the order's
aggregates, stored with the order's new aggregates and version
(``OrderRepository.store_live_fill``, Core statements, constant cost whatever the
order's history), and committed. A write conflict (another writer got there
first) is retried with a fresh unit of work, a bounded number of times with
capped exponential backoff; so is a lost connection or a server that is
restarting (nothing was committed). Replaying a fill already stored on the same
order with the same data is a no-op; the same id with different data, or stored
on another order, a fill for an unknown order, an overfill, or a commission in a
third asset with no rate to value it is refused with a domain error and nothing
is stored.

The pair's trades follow in the fill's own transaction (the store's live step: the
fill applied to the running trades in constant time, or a refresh from the pair's last
flat point for a late fill), so a committed fill never leaves them stale; the caller's
rates reach that step through :data:`~gal_friday.domain.incremental_trades.live_step`.
A store without that step (the in-memory fakes) is refreshed after the commit, in a
second short transaction; a storage failure there raises
:class:`FillStoredTradesStaleError`, which says the fill is stored (docs/live-fills.md).
:func:`record_fill_async` does the same for asyncio services without blocking the
event loop.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

import attrs

from gal_friday.domain import DomainError, Fill
from gal_friday.domain.fees import check_fee_valued
from gal_friday.domain.incremental_trades import LiveStep, live_step
from gal_friday.persistence.errors import (
    ConcurrencyError,
    DatabaseUnavailableError,
    FillStoredTradesStaleError,
    StorageError,
)
from gal_friday.services.ports import (
    AsyncUnitOfWorkFactory,
    RepositoriesProtocol,
    UnitOfWorkFactory,
)
from gal_friday.services.trade_rebuild import refresh_pair

MAX_ATTEMPTS = 12
BASE_BACKOFF_S = 0.005
MAX_BACKOFF_S = 1.0
UNAVAILABLE_FOR_S = 60.0

T = TypeVar("T")


class TradesNotRefreshedError(DomainError):
    """The fill was recorded, but its pair's trades could not be refreshed (they are stale
    until the next refresh or ``gal-friday trades rebuild``).
    """

    def __init__(self, fill: Fill, reason: DomainError) -> None:
        self.fill_id = fill.fill_id
        self.reason = reason
        super().__init__(
            f"fill {fill.fill_id!r} was recorded, but the trades of {fill.trading_pair} "
            f"({fill.exchange}) were not refreshed: {reason}"
        )


class FillOutcome(StrEnum):
    """What recording a fill did."""

    RECORDED = "RECORDED"
    ALREADY_RECORDED = "ALREADY_RECORDED"


@attrs.define
class _Retry:
    """When to try again: write conflicts a bounded number of times, an unreachable
    database until a deadline; the delay grows exponentially, capped, with jitter.
    """

    max_attempts: int
    deadline: float
    attempt: int = 0

    def delay_after(self, exc: Exception) -> float:
        """The pause before the next attempt; re-raises ``exc`` when no attempt is left."""
        self.attempt += 1
        if isinstance(exc, ConcurrencyError):
            if self.attempt >= self.max_attempts:
                raise exc
        elif time.monotonic() >= self.deadline:
            raise exc
        delay: float = min(MAX_BACKOFF_S, BASE_BACKOFF_S * 2 ** min(self.attempt, 10))
        return delay * (0.5 + random.random() / 2)


#: A lost connection, a restarting server, a pool with no connection free (nothing was
#: committed) or a write conflict. A full disk (StorageFullError) is not among them.
RETRYABLE = (ConcurrencyError, DatabaseUnavailableError)

__all__ = [
    "FillOutcome",
    "FillStoredTradesStaleError",
    "TradesNotRefreshedError",
    "record_fill",
    "record_fill_async",
]


def _retrying(action: Callable[[], T], retry: _Retry) -> T:
    while True:
        try:
            return action()
        except RETRYABLE as exc:
            time.sleep(retry.delay_after(exc))


async def _retrying_async(action: Callable[[], Awaitable[T]], retry: _Retry) -> T:
    while True:
        try:
            return await action()
        except RETRYABLE as exc:
            await asyncio.sleep(retry.delay_after(exc))


def _apply(
    repositories: RepositoriesProtocol, fill: Fill, client_order_id: str | uuid.UUID | None
) -> bool:
    # A fresh copy each attempt: a failed attempt may have set keys on the last one.
    copy = attrs.evolve(fill, fill_pk=None, order_pk=None)
    return repositories.orders.store_live_fill(copy, client_order_id)


def _refresh(
    repositories: RepositoriesProtocol, fill: Fill, conversion_rates: Mapping[str, Decimal] | None
) -> None:
    refresh_pair(repositories, fill.exchange, fill.trading_pair, fill.filled_at, conversion_rates)


def _after_write(step: LiveStep, fill: Fill) -> bool:
    """Raise when the store's step was refused by a rule; whether to refresh after the
    commit (a store that has no step of its own, asked to keep the trades current).
    """
    if step.refused is not None:
        raise TradesNotRefreshedError(fill, step.refused)
    return step.refresh and not step.handled


def _begin(step: LiveStep) -> None:
    step.handled = False  # each attempt starts afresh (a failed one rolled back)
    step.refused = None


def _stale(fill: Fill, exc: StorageError) -> FillStoredTradesStaleError:
    return FillStoredTradesStaleError(fill.fill_id, fill.exchange, fill.trading_pair, exc)


def record_fill(
    uow_factory: UnitOfWorkFactory,
    fill: Fill,
    *,
    client_order_id: str | uuid.UUID | None = None,
    conversion_rates: Mapping[str, Decimal] | None = None,
    refresh_trades: bool = True,
    max_attempts: int = MAX_ATTEMPTS,
    unavailable_for: float = UNAVAILABLE_FOR_S,
) -> FillOutcome:
    """Apply and store ``fill`` on its order (found by client id, else by exchange order id);
    its pair's trades follow in the same transaction (unless ``refresh_trades`` is false:
    then they wait for a rebuild). ``conversion_rates`` value commissions in a third asset.

    Write conflicts are retried up to ``max_attempts`` times; an unreachable or restarting
    database for up to ``unavailable_for`` seconds.
    """
    check_fee_valued(fill, conversion_rates)
    retry = _Retry(max_attempts, time.monotonic() + unavailable_for)
    step = LiveStep(conversion_rates, refresh_trades)

    def write() -> bool:
        # store_live_fill skips the pool's pre-ping: a dead pooled connection fails the first
        # statement (nothing written, DatabaseUnavailableError), retried on a fresh one.
        _begin(step)
        token = live_step.set(step)
        try:
            with uow_factory() as uow:
                stored = _apply(uow, fill, client_order_id)
                uow.commit()  # a replay's trades may have been brought up to date
                return stored
        finally:
            live_step.reset(token)

    outcome = FillOutcome.RECORDED if _retrying(write, retry) else FillOutcome.ALREADY_RECORDED
    if _after_write(step, fill):
        # also for a replay: the call that stored it may have stopped before this refresh

        def refresh() -> None:
            with uow_factory() as uow:
                _refresh(uow, fill, conversion_rates)
                uow.commit()

        try:
            _retrying(refresh, _Retry(max_attempts, time.monotonic() + unavailable_for))
        except StorageError as exc:
            raise _stale(fill, exc) from exc
        except DomainError as exc:
            raise TradesNotRefreshedError(fill, exc) from exc
    return outcome


async def record_fill_async(
    uow_factory: AsyncUnitOfWorkFactory,
    fill: Fill,
    *,
    client_order_id: str | uuid.UUID | None = None,
    conversion_rates: Mapping[str, Decimal] | None = None,
    refresh_trades: bool = True,
    max_attempts: int = MAX_ATTEMPTS,
    unavailable_for: float = UNAVAILABLE_FOR_S,
) -> FillOutcome:
    """:func:`record_fill` for asyncio code: the same rules, retries that ``await
    asyncio.sleep`` (the event loop keeps running), statements through the async driver.
    """
    check_fee_valued(fill, conversion_rates)
    retry = _Retry(max_attempts, time.monotonic() + unavailable_for)
    step = LiveStep(conversion_rates, refresh_trades)

    async def write() -> bool:
        _begin(step)
        token = live_step.set(step)  # the driver's greenlet runs in this task's context
        try:
            async with uow_factory() as uow:
                stored = await uow.run(
                    lambda repositories: _apply(repositories, fill, client_order_id)
                )
                await uow.commit()
                return stored
        finally:
            live_step.reset(token)

    recorded = await _retrying_async(write, retry)
    outcome = FillOutcome.RECORDED if recorded else FillOutcome.ALREADY_RECORDED
    if _after_write(step, fill):

        async def refresh() -> None:
            async with uow_factory() as uow:
                await uow.run(lambda repositories: _refresh(repositories, fill, conversion_rates))
                await uow.commit()

        try:
            await _retrying_async(refresh, _Retry(max_attempts, time.monotonic() + unavailable_for))
        except StorageError as exc:
            raise _stale(fill, exc) from exc
        except DomainError as exc:
            raise TradesNotRefreshedError(fill, exc) from exc
    return outcome
