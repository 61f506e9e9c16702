"""Closed trades' figures read as plain rows (``TradeRepository.closed``): what a report reads.

Loading 100,000 mapped trades takes seconds (an instrumented object per row, a Python type
processor per value); the report needs eight values of each. So the statement skips
SQLAlchemy's result processing and :func:`read_closed` converts the driver's values the way
the column types would: ``Money`` is a canonical decimal string on SQLite (``Decimal(text)``
is what the type returns) and trimmed by ``trim_scale`` on PostgreSQL (as the type's
``tidy`` would); times come back aware in ``datetime.UTC``; the grouping as its enum member.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.types import NullType

from gal_friday.domain.enums import TradeGrouping
from gal_friday.domain.trade import ClosedTrade
from gal_friday.persistence import tables as t

_MONEY = frozenset({"realized_pnl", "total_commission", "entry_cash"})
_GROUPINGS = {grouping.value: grouping for grouping in TradeGrouping}
_COLUMNS = ClosedTrade._fields
_UTC_SUFFIX = "+00:00"


def _raw(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """``column`` as the driver returns it (no result processor); money trimmed on PostgreSQL."""
    value: ColumnElement[Any] = column
    if dialect == "postgresql" and column.name in _MONEY:
        value = func.trim_scale(column)
    return type_coerce(value, NullType()).label(column.name)


def closed_statement(dialect: str, trading_pair: str | None = None) -> Select[Any]:
    """The closed trades' figures (of one pair, if given) in the order they were stored."""
    c = t.trades.c
    stmt = select(*(_raw(c[name], dialect) for name in _COLUMNS)).where(
        c.exit_timestamp.is_not(None)
    )
    if trading_pair is not None:
        stmt = stmt.where(c.trading_pair == trading_pair)
    # the key's order: sorting wide rows by pair and time spills to disk on PostgreSQL, and
    # the domain sorts each pair's trades by exit time anyway (stable: ties keep this order)
    return stmt.order_by(c.trade_pk)


def read_closed(conn: Connection, trading_pair: str | None = None) -> list[ClosedTrade]:
    """Every closed trade's figures (optionally of one pair), in the order they were stored."""
    dialect = conn.dialect.name
    rows = conn.execute(closed_statement(dialect, trading_pair)).all()  # one fetchall
    groupings, make, parse = _GROUPINGS, ClosedTrade, datetime.fromisoformat
    if dialect == "sqlite":
        money = Decimal
        # UTCDateTime stores naive UTC text on SQLite: the suffix makes it aware (datetime.UTC)
        return [
            make(
                exchange,
                pair,
                groupings[grouping],
                parse(entry + _UTC_SUFFIX),
                parse(exit_ + _UTC_SUFFIX),
                money(pnl),
                money(fee),
                money(cash),
            )
            for exchange, pair, grouping, entry, exit_, pnl, fee, cash in rows
        ]
    return [
        make(
            exchange,
            pair,
            groupings[grouping],
            entry.astimezone(UTC),
            exit_.astimezone(UTC),
            pnl,
            fee,
            cash,
        )
        for exchange, pair, grouping, entry, exit_, pnl, fee, cash in rows
    ]
