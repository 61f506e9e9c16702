"""Paged history of fills, orders and trades (docs/reads.md, "Paged history").

A page is one indexed range read: the filters, then ``(time, key)`` after the cursor's,
in the page's order, ``LIMIT size + 1`` (the extra row says whether a next page exists).
Fills are ordered by ``filled_at``, orders by ``created_at``, trades by
``entry_timestamp``; the surrogate key breaks ties. The count is a separate
``count(*)`` over the same filters, run only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Select, Table, bindparam, func, select, tuple_

from gal_friday.domain import Fill, InvalidValueError, Order, Trade
from gal_friday.domain.paging import Cursor, HistoryFilter, HistoryOrder, Page, page_size
from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.tables import definitions as t


@dataclass(frozen=True)
class _Kind:
    name: str
    entity: type
    table: Table
    time: str
    key: str


FILLS = _Kind("fills", Fill, t.fills, "filled_at", "fill_pk")
ORDERS = _Kind("orders", Order, t.orders, "created_at", "order_pk")
TRADES = _Kind("trades", Trade, t.trades, "entry_timestamp", "trade_pk")
_KINDS = {kind.name: kind for kind in (FILLS, ORDERS, TRADES)}


class HistoryRepository(Repository):
    """Pages of fills, orders and trades, newest or oldest first, with a keyset cursor."""

    def fills(
        self,
        filters: HistoryFilter,
        *,
        order: HistoryOrder = HistoryOrder.NEWEST_FIRST,
        limit: int = 100,
        cursor: str | None = None,
        with_count: bool = False,
    ) -> Page[Fill]:
        """A page of fills (their strategy is their order's)."""
        return self._page(FILLS, filters, order, limit, cursor, with_count)

    def orders(
        self,
        filters: HistoryFilter,
        *,
        order: HistoryOrder = HistoryOrder.NEWEST_FIRST,
        limit: int = 100,
        cursor: str | None = None,
        with_count: bool = False,
    ) -> Page[Order]:
        """A page of orders, with their fills."""
        return self._page(ORDERS, filters, order, limit, cursor, with_count)

    def trades(
        self,
        filters: HistoryFilter,
        *,
        order: HistoryOrder = HistoryOrder.NEWEST_FIRST,
        limit: int = 100,
        cursor: str | None = None,
        with_count: bool = False,
    ) -> Page[Trade]:
        """A page of trades, by entry time."""
        return self._page(TRADES, filters, order, limit, cursor, with_count)

    def count(self, kind: str, filters: HistoryFilter) -> int:
        """How many ``fills``, ``orders`` or ``trades`` match ``filters``."""
        found = _KINDS.get(kind)
        if found is None:
            raise InvalidValueError("kind", f"{kind!r} is not fills, orders or trades")
        stmt = select(func.count()).select_from(found.table).where(*_conditions(found, filters))
        return int(self.session.scalar(stmt) or 0)

    def _page(
        self,
        kind: _Kind,
        filters: HistoryFilter,
        order: HistoryOrder,
        limit: int,
        cursor: str | None,
        with_count: bool,
    ) -> Page[Any]:
        size = page_size(limit)
        order = HistoryOrder(order)
        time_column: Column[Any] = kind.table.c[kind.time]
        key_column: Column[Any] = kind.table.c[kind.key]
        stmt: Select[Any] = select(kind.entity).where(*_conditions(kind, filters))
        newest = order is HistoryOrder.NEWEST_FIRST
        if cursor is not None:
            after = Cursor.decode(cursor, kind.name, order)
            row = tuple_(time_column, key_column)
            mark = tuple_(
                bindparam(None, after.time, type_=time_column.type),
                bindparam(None, after.key, type_=key_column.type),
            )
            stmt = stmt.where(row < mark if newest else row > mark)
        if newest:
            stmt = stmt.order_by(time_column.desc(), key_column.desc())
        else:
            stmt = stmt.order_by(time_column, key_column)
        rows = self._all(stmt.limit(size + 1))
        items = rows[:size]
        next_cursor = None
        if len(rows) > size:
            last = items[-1]
            next_cursor = Cursor(
                kind.name, order, getattr(last, kind.time), getattr(last, kind.key)
            ).encode()
        total = self.count(kind.name, filters) if with_count else None
        return Page(items, next_cursor, total)


def _conditions(kind: _Kind, filters: HistoryFilter) -> list[ColumnElement[bool]]:
    c = kind.table.c
    conditions: list[ColumnElement[bool]] = []
    if filters.trading_pair is not None:
        conditions.append(c.trading_pair == filters.trading_pair)
    if filters.exchange is not None:
        conditions.append(c.exchange == filters.exchange)
    if filters.since is not None:
        conditions.append(c[kind.time] >= filters.since)
    if filters.until is not None:
        conditions.append(c[kind.time] < filters.until)
    if filters.strategy_id is not None:
        if kind is FILLS:  # a fill's strategy is its order's
            of_strategy = select(t.orders.c.order_pk).where(
                t.orders.c.strategy_id == filters.strategy_id
            )
            conditions.append(c.order_pk.in_(of_strategy))
        else:
            conditions.append(c.strategy_id == filters.strategy_id)
    return conditions
