"""Whole-history reads streamed in the order a fold needs (the audit and the equity curve).

Each read goes through a cursor that fetches :data:`ROWS_PER_FETCH` rows at a time
(``yield_per``: a server-side cursor on PostgreSQL), so memory stays flat however long
the history (docs/performance.md, "Memory of audit and equity"). Text columns that fix
the order are compared by code point on PostgreSQL too (``COLLATE "C"``), the order
Python's ``sorted`` gives, which the results depended on before they were streamed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
from sqlalchemy import ColumnElement, and_, exists, func, select, text
from sqlalchemy.orm import Session

from gal_friday.domain import Fill
from gal_friday.domain.fill import FillRecord
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.persistence.tables import definitions as t

#: Rows fetched at a time.
ROWS_PER_FETCH = 5000

_ledger = t.ledger_entries
_fills = t.fills
_LEDGER_FIELDS = tuple(field.name for field in attrs.fields(LedgerEntry))
_LEDGER_COLUMNS = [_ledger.c[name] for name in _LEDGER_FIELDS]
_FILL_COLUMNS = [_fills.c[name] for name in FillRecord._fields]
_WIDTH = len(_LEDGER_COLUMNS)


def _code_point(session: Session, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` ordered by code point (SQLite's default; PostgreSQL's ``"C"``)."""
    if session.get_bind().dialect.name == "postgresql":
        return column.collate("C")
    return column


def _rows(session: Session, stmt: Any) -> Iterator[Any]:
    yield from session.execute(stmt.execution_options(yield_per=ROWS_PER_FETCH))


def fills_with_ledger_marks(session: Session) -> Iterator[tuple[FillRecord, bool]]:
    """Every fill in ``(filled_at, fill_id)`` order (then exchange and pair), with True when
    a booked ledger row of its exchange has its id as refid."""
    in_ledger = exists().where(
        _ledger.c.exchange == _fills.c.exchange,
        _ledger.c.refid == _fills.c.fill_id,
        _ledger.c.txid.is_not(None),
    )
    stmt = select(*_FILL_COLUMNS, in_ledger).order_by(
        _fills.c.filled_at,
        _code_point(session, _fills.c.fill_id),
        _fills.c.exchange,
        _fills.c.trading_pair,
    )
    make = FillRecord._make
    for row in _rows(session, stmt):
        yield make(row[:-1]), bool(row[-1])


def closed_trade_exits(session: Session) -> Iterator[tuple[datetime, str, Decimal]]:
    """``(exit time, pair, realized PnL)`` of every closed trade by UTC exit day, and
    within a day in the trades' order (exchange, pair, entry time): one day held at a time."""
    c = t.trades.c
    rank = func.row_number().over(
        order_by=(c.exchange, c.trading_pair, c.entry_timestamp, c.trade_pk)
    )
    stmt = (
        select(c.exit_timestamp, c.trading_pair, c.realized_pnl, rank)
        .where(c.exit_timestamp.is_not(None))
        .order_by(c.exit_timestamp, c.trade_pk)
    )
    day: list[tuple[int, datetime, str, Decimal]] = []
    for exit_at, pair, pnl, order in _rows(session, stmt):
        if day and exit_at.astimezone(UTC).date() != day[0][1].astimezone(UTC).date():
            yield from _in_order(day)
            day = []
        day.append((order, exit_at, pair, pnl))
    yield from _in_order(day)


def _in_order(
    day: list[tuple[int, datetime, str, Decimal]],
) -> Iterator[tuple[datetime, str, Decimal]]:
    for _order, exit_at, pair, pnl in sorted(day, key=lambda row: row[0]):
        yield exit_at, pair, pnl


def ledger_by_time(session: Session) -> Iterator[LedgerEntry]:
    """Every ledger entry by time, then exchange, asset and the order stored."""
    stmt = select(*_LEDGER_COLUMNS).order_by(
        _ledger.c.time,
        _code_point(session, _ledger.c.exchange),
        _code_point(session, _ledger.c.asset),
        _ledger.c.entry_pk,
    )
    for row in _rows(session, stmt):
        yield LedgerEntry(**dict(zip(_LEDGER_FIELDS, row, strict=True)))


def trades_with_fills(
    session: Session, exchange: str, types: Sequence[str] = ("trade",)
) -> Iterator[tuple[list[LedgerEntry], FillRecord | None]]:
    """Each refid's booked entries of ``exchange`` of the ``types`` given (``trade``), in time
    order, with the stored fill of that id (None without one); one refid at a time."""
    joined = _ledger.outerjoin(
        _fills, and_(_fills.c.exchange == _ledger.c.exchange, _fills.c.fill_id == _ledger.c.refid)
    )
    stmt = (
        select(*_LEDGER_COLUMNS, *_FILL_COLUMNS)
        .select_from(joined)
        .where(
            _ledger.c.exchange == exchange,
            _ledger.c.type.in_(types),
            _ledger.c.txid.is_not(None),
        )
        .order_by(_ledger.c.refid, _ledger.c.time, _ledger.c.entry_pk)
    )
    entries: list[LedgerEntry] = []
    fill: FillRecord | None = None
    for row in _rows(session, stmt):
        entry = LedgerEntry(**dict(zip(_LEDGER_FIELDS, row[:_WIDTH], strict=True)))
        if entries and entry.refid != entries[0].refid:
            yield entries, fill
            entries = []
        if not entries:
            rest = row[_WIDTH:]
            fill = FillRecord._make(rest) if rest[0] is not None else None
        entries.append(entry)
    if entries:
        yield entries, fill


def reported_fills_in_ledger(session: Session) -> Iterator[Fill]:
    """The stored fills (mapped, read only) whose id is the refid of a ledger row of their
    exchange and that keep trades.csv's figures (``reported``), by exchange then fill id."""
    carried = exists().where(
        _ledger.c.exchange == _fills.c.exchange, _ledger.c.refid == _fills.c.fill_id
    )
    dialect = session.get_bind().dialect.name
    kept = text(_HAS_REPORTED.get(dialect, _HAS_REPORTED["sqlite"]))
    stmt = (
        select(Fill)
        .where(carried, kept)
        .order_by(_code_point(session, _fills.c.exchange), _code_point(session, _fills.c.fill_id))
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    yield from session.scalars(stmt)


#: Fills that keep trades.csv's figures (``reported`` not empty), per dialect.
_HAS_REPORTED = {
    "postgresql": "fills.reported <> '{}'::jsonb",
    "sqlite": "fills.reported <> '{}'",
}
