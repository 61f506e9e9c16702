"""Take a portfolio snapshot whose drawdowns cover every stored snapshot's equity, from
threads (:func:`take_snapshot`) or asyncio (:func:`take_snapshot_async`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from gal_friday.domain import PortfolioSnapshot
from gal_friday.services.ports import (
    AsyncUnitOfWorkFactory,
    RepositoriesProtocol,
    UnitOfWorkFactory,
)


def _take(
    repositories: RepositoriesProtocol,
    at: datetime,
    total_equity: Decimal,
    available_balance: Mapping[str, Decimal],
    positions: Mapping[str, Mapping[str, Any]],
    starting_equity: Decimal | None,
) -> PortfolioSnapshot:
    """Read the history, make the snapshot, stage it (the caller commits)."""
    stored = repositories.snapshots.between(None, at)
    history = [(s.snapshot_timestamp, s.total_equity) for s in stored]
    if not history and starting_equity is not None:
        history = [(at, starting_equity)]
    snapshot = PortfolioSnapshot.take(
        at=at,
        total_equity=total_equity,
        available_balance=available_balance,
        positions=positions,
        equity_history=history,
    )
    repositories.snapshots.add(snapshot)
    return snapshot


def take_snapshot(
    uow_factory: UnitOfWorkFactory,
    *,
    at: datetime,
    total_equity: Decimal,
    available_balance: Mapping[str, Decimal],
    positions: Mapping[str, Mapping[str, Any]],
    starting_equity: Decimal | None = None,
) -> PortfolioSnapshot:
    """A new snapshot at ``at``, its drawdowns computed over the stored history plus this point.

    ``starting_equity`` (the capital at the first snapshot) is only needed when no
    snapshot is stored yet; without it the first point is this one. Reads the history and
    stores the snapshot in one transaction.
    """
    with uow_factory() as uow:
        snapshot = _take(uow, at, total_equity, available_balance, positions, starting_equity)
        uow.commit()
    return snapshot


async def take_snapshot_async(
    uow_factory: AsyncUnitOfWorkFactory,
    *,
    at: datetime,
    total_equity: Decimal,
    available_balance: Mapping[str, Decimal],
    positions: Mapping[str, Mapping[str, Any]],
    starting_equity: Decimal | None = None,
) -> PortfolioSnapshot:
    """:func:`take_snapshot` for asyncio code (an asyncio unit-of-work factory), awaited."""
    async with uow_factory() as uow:
        snapshot = await uow.run(
            lambda repositories: _take(
                repositories, at, total_equity, available_balance, positions, starting_equity
            )
        )
        await uow.commit()
    return snapshot
