"""Positions and balances: what the portfolio manager starts from (docs/reads.md)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from gal_friday.domain.positions import Holding, Position, check_marks
from gal_friday.services.ports import UnitOfWorkFactory


def read_positions(
    uow_factory: UnitOfWorkFactory,
    marks: Mapping[str, Decimal] | None = None,
    *,
    trading_pair: str | None = None,
) -> list[Position]:
    """The net position per exchange and pair from the open trades, with unrealized PnL at
    ``marks`` (mark price by pair; a pair without one has ``unrealized_pnl`` None)."""
    checked = check_marks(marks or {})
    with uow_factory() as uow:
        return uow.positions.positions(checked, trading_pair)


def read_balances(uow_factory: UnitOfWorkFactory, *, exchange: str | None = None) -> list[Holding]:
    """Holdings per exchange and asset: what the fills moved, their fees, and the booked ledger
    rows that are deposits, withdrawals, transfers or income (not fills)."""
    with uow_factory() as uow:
        return uow.positions.balances(exchange)
