"""Take a portfolio snapshot whose drawdowns cover every stored snapshot's equity."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from gal_friday.domain import PortfolioSnapshot
from gal_friday.services.ports import UnitOfWorkFactory


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
        stored = uow.snapshots.between(None, at)
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
        uow.snapshots.add(snapshot)
        uow.commit()
    return snapshot
