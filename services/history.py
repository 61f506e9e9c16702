"""Paged history of fills, orders and trades with a keyset cursor (docs/reads.md)."""

from __future__ import annotations

from gal_friday.domain import Fill, Order, Trade
from gal_friday.domain.paging import HistoryFilter, HistoryOrder, Page
from gal_friday.services.ports import UnitOfWorkFactory

_ALL = HistoryFilter()


def fills_page(
    uow_factory: UnitOfWorkFactory,
    filters: HistoryFilter = _ALL,
    *,
    order: HistoryOrder = HistoryOrder.NEWEST_FIRST,
    limit: int = 100,
    cursor: str | None = None,
    with_count: bool = False,
) -> Page[Fill]:
    """A page of fills by ``filled_at`` (a fill's strategy is its order's)."""
    with uow_factory() as uow:
        return uow.history.fills(
            filters, order=order, limit=limit, cursor=cursor, with_count=with_count
        )


def orders_page(
    uow_factory: UnitOfWorkFactory,
    filters: HistoryFilter = _ALL,
    *,
    order: HistoryOrder = HistoryOrder.NEWEST_FIRST,
    limit: int = 100,
    cursor: str | None = None,
    with_count: bool = False,
) -> Page[Order]:
    """A page of orders by ``created_at``, each with its fills."""
    with uow_factory() as uow:
        return uow.history.orders(
            filters, order=order, limit=limit, cursor=cursor, with_count=with_count
        )


def trades_page(
    uow_factory: UnitOfWorkFactory,
    filters: HistoryFilter = _ALL,
    *,
    order: HistoryOrder = HistoryOrder.NEWEST_FIRST,
    limit: int = 100,
    cursor: str | None = None,
    with_count: bool = False,
) -> Page[Trade]:
    """A page of trades by ``entry_timestamp``."""
    with uow_factory() as uow:
        return uow.history.trades(
            filters, order=order, limit=limit, cursor=cursor, with_count=with_count
        )


def count_history(uow_factory: UnitOfWorkFactory, kind: str, filters: HistoryFilter = _ALL) -> int:
    """How many ``fills``, ``orders`` or ``trades`` match ``filters``."""
    with uow_factory() as uow:
        return uow.history.count(kind, filters)
