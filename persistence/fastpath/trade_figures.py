"""Trades' figures read as plain rows (``TradeRepository.figures``): what a report reads.

Loading 100,000 mapped trades takes seconds (an instrumented object per row, a Python type
processor per value); the report needs fourteen plain values of each. So the statement skips
SQLAlchemy's result processing, and :func:`read_figures` converts the driver's values the
way the column types would: ``Money`` arrives as canonical decimal text (stored so on
SQLite; trimmed by ``trim_scale`` and cast on PostgreSQL, as the type's ``tidy`` would do),
made a ``Decimal``; times come back aware in ``datetime.UTC``; enums as their members.
The collector is paused while the rows become figures (:mod:`.gc_pause`): 100,000s of
plain values and no reference cycles, so its passes would only cost.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.types import NullType

from gal_friday.domain.enums import TradeGrouping, TradeSide
from gal_friday.domain.trade import TradeFigures
from gal_friday.persistence.fastpath.gc_pause import gc_paused
from gal_friday.persistence.tables import definitions as t

_MONEY = frozenset(
    {"realized_pnl", "total_commission", "entry_cash", "open_quantity", "average_entry_price"}
)
_SIDES = {side.value: side for side in TradeSide}
_GROUPINGS = {grouping.value: grouping for grouping in TradeGrouping}
_UTC_SUFFIX = "+00:00"


def _raw(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """``column`` as the driver returns it (no result processor); money as text."""
    value: ColumnElement[Any] = column
    if dialect == "postgresql" and column.name in _MONEY:
        # text, not numeric: Decimal(text) is cheaper than the driver's numeric loader
        value = cast(func.trim_scale(column), String)
    return type_coerce(value, NullType()).label(column.name)


def figures_statement(dialect: str, trading_pair: str | None = None) -> Select[Any]:
    """Every trade's figures (of one pair, if given) in the order they were stored."""
    c = t.trades.c
    stmt = select(*(_raw(c[name], dialect) for name in TradeFigures._fields))
    if trading_pair is not None:
        stmt = stmt.where(c.trading_pair == trading_pair)
    # the key's order: sorting wide rows by pair and time spills to disk on PostgreSQL, and
    # the domain sorts each pair's trades by exit time anyway (stable: ties keep this order)
    return stmt.order_by(c.trade_pk)


def read_figures(conn: Connection, trading_pair: str | None = None) -> list[TradeFigures]:
    """Every trade's figures (optionally of one pair), in the order they were stored."""
    with gc_paused():
        return _figures(conn, trading_pair)


def _figures(conn: Connection, trading_pair: str | None) -> list[TradeFigures]:
    rows = conn.execute(figures_statement(conn.dialect.name, trading_pair)).all()  # one fetch
    sides, groupings, make, money = _SIDES, _GROUPINGS, TradeFigures, Decimal
    # two comprehensions, not one with a per-dialect time function: a call less per value
    if conn.dialect.name == "sqlite":
        # UTCDateTime stores naive UTC text on SQLite: the suffix makes it aware (datetime.UTC)
        parse = datetime.fromisoformat
        return [
            make(
                exchange,
                pair,
                sides[side],
                groupings[grouping],
                parse(entry + _UTC_SUFFIX),
                None if exit_ is None else parse(exit_ + _UTC_SUFFIX),
                money(pnl),
                money(fee),
                money(cash),
                money(held),
                money(price),
                strategy,
                None if signal is None else uuid.UUID(hex=signal),  # Uuid: 32 hex digits
                reason,
            )
            for (
                exchange,
                pair,
                side,
                grouping,
                entry,
                exit_,
                pnl,
                fee,
                cash,
                held,
                price,
                strategy,
                signal,
                reason,
            ) in rows
        ]
    return [
        make(
            exchange,
            pair,
            sides[side],
            groupings[grouping],
            entry.astimezone(UTC),
            None if exit_ is None else exit_.astimezone(UTC),
            money(pnl),
            money(fee),
            money(cash),
            money(held),
            money(price),
            strategy,
            signal,  # the driver's uuid.UUID
            reason,
        )
        for (
            exchange,
            pair,
            side,
            grouping,
            entry,
            exit_,
            pnl,
            fee,
            cash,
            held,
            price,
            strategy,
            signal,
            reason,
        ) in rows
    ]
