"""The live path's trade update: one fill applied to its pair's running trades, in its
transaction, in constant time (docs/live-fills.md, "Incremental update (the usual case)").

:func:`advance` runs in the fill's transaction right after the fill is stored, under the
pair's lock (PostgreSQL advisory lock; SQLite serialises writers itself):

* **incremental** when the pair has a cursor (``trade_cursors``) whose last fill is the
  one just before this fill, no other fill of the pair was stored since, the grouping is
  the trades' and every running figures row still matches its trade row: the fill is
  applied to the exact running figures (:mod:`gal_friday.domain.incremental_trades`), and
  only the trades it changes are written, by ``trade_id``;
* else **from the flat point**: the pair's trades since its last flat point are rebuilt
  (a late fill, a pair rebuilt or imported into, a first fill) and the cursor written
  again, inside a savepoint: a rule that refuses it (a commission in a third asset with
  no rate given) leaves the trades as they were and forgets the cursor, so the fill is
  stored all the same, and the refusal goes back to the caller, who says so.

Commissions in a third asset are valued with the rates the caller gave ``record_fill``
(:data:`~gal_friday.domain.incremental_trades.live_step`). :func:`ensure_current` does
the same for a replayed fill whose trades may not have followed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from gal_friday.domain import Fill, Trade, TradeGrouping
from gal_friday.domain import incremental_trades as inc
from gal_friday.domain.attribution import attribute
from gal_friday.domain.errors import DomainError
from gal_friday.domain.fill import FillRecord
from gal_friday.domain.rates import Rates
from gal_friday.persistence.tables import definitions as t

_FLAT = TradeGrouping.FLAT_TO_FLAT
#: The running figures row of a flat-to-flat cycle; lots take 1, 2, ...
CYCLE_SEQ = 0
#: Closed trades written per batch by the refresh from the flat point.
_BATCH = 5000

_c = t.trade_cursors.c
_f = t.trade_running_figures.c
_tr = t.trades.c
_TRADE_COLUMNS = tuple(c.name for c in t.trades.columns if c.name != "trade_pk")
_CHECKED = (
    "quantity",
    "open_quantity",
    "realized_pnl",
    "total_commission",
    "entry_cash",
    "entry_timestamp",
    "exit_timestamp",
)


#: The pair's cursor, with its running cycle's figures (seq 0) and that trade's row, if any.
_CURSOR_AND_CYCLE = (
    select(
        t.trade_cursors,
        _f.figures,
        _f.row_check,
        *(_tr[name] for name in _CHECKED),
    )
    .select_from(
        t.trade_cursors.outerjoin(
            t.trade_running_figures,
            and_(
                _f.exchange == _c.exchange,
                _f.trading_pair == _c.trading_pair,
                _f.seq == CYCLE_SEQ,
            ),
        ).outerjoin(t.trades, _tr.trade_id == _f.trade_id)
    )
    .where(_c.exchange == bindparam("b_exchange"), _c.trading_pair == bindparam("b_pair"))
)


class _Stale(Exception):
    """The stored running figures no longer describe the pair's trades: refresh instead."""


def lock_pair(session: Session, fill: Fill) -> None:
    """Take the pair's trade lock, unless the caller leaves trades for later: first thing in
    the fill's transaction, before the order's row lock. Taken after it, two writers would
    deadlock: the one holding the pair lock updates a trade that refers to the other's
    order (a foreign key takes a share lock on the order's row), while the other, holding
    that row, waits for the pair lock.
    """
    step = inc.live_step.get()
    if step is None or step.refresh:
        _lock(session, fill.exchange, fill.trading_pair)


def advance(session: Session, fill: Fill) -> None:
    """Bring the trades of ``fill``'s pair up to date after ``fill`` was stored (see the
    module docstring); runs in the caller's transaction, which commits. The caller's
    rates and verdict travel in :data:`~gal_friday.domain.incremental_trades.live_step`.
    """
    step = inc.live_step.get() or inc.LiveStep()
    step.handled = True
    if not step.refresh:
        # trades left for later: nothing written; the pair's next step sees a fill its
        # cursor lacks (a key past it) and refreshes from the flat point
        return
    exchange, pair = fill.exchange, fill.trading_pair
    conn = session.connection()  # the pair's lock is held (lock_pair)
    try:
        if _incremental(session, conn, fill, step.rates):
            return
    except (_Stale, DomainError):
        pass  # nothing written yet: the refresh from the flat point decides
    refresh_from_flat_point(session, exchange, pair, fill.filled_at, step)


def ensure_current(session: Session, fill: Fill) -> None:
    """For a replayed fill (already stored): refresh its pair unless its cursor shows the
    trades include it (the call that stored it may have stopped before they followed).
    """
    step = inc.live_step.get() or inc.LiveStep()
    step.handled = True
    if not step.refresh:
        return
    exchange, pair = fill.exchange, fill.trading_pair
    conn = session.connection()  # the pair's lock is held (lock_pair)
    cursor = conn.execute(
        select(_c.last_filled_at, _c.last_fill_id, _c.last_fill_pk).where(
            _c.exchange == exchange, _c.trading_pair == pair
        )
    ).first()
    key = conn.execute(
        select(t.fills.c.fill_pk).where(
            t.fills.c.exchange == exchange, t.fills.c.fill_id == fill.fill_id
        )
    ).scalar()
    if (
        cursor is not None
        and key is not None
        and key <= cursor.last_fill_pk
        and (fill.filled_at, fill.fill_id) <= (cursor.last_filled_at, cursor.last_fill_id)
    ):
        return  # the cursor's trades include it
    refresh_from_flat_point(session, exchange, pair, fill.filled_at, step)


def _lock(session: Session, exchange: str, pair: str) -> None:
    """The pair's trade lock (``TradeRepository.lock_pair``: the same advisory lock)."""
    from gal_friday.persistence.repositories.trades import TradeRepository

    TradeRepository(session).lock_pair(exchange, pair)


def forget(conn: Connection, exchange: str, pair: str) -> None:
    """Drop the pair's cursor and running figures: its next fill refreshes from its flat point."""
    conn.execute(delete(t.trade_cursors).where(_c.exchange == exchange, _c.trading_pair == pair))
    conn.execute(
        delete(t.trade_running_figures).where(_f.exchange == exchange, _f.trading_pair == pair)
    )


# -- the incremental step ----------------------------------------------------------------


def _incremental(session: Session, conn: Connection, fill: Fill, rates: Rates | None) -> bool:
    exchange, pair = fill.exchange, fill.trading_pair
    # the cursor with the running cycle's figures and its trade row, in one read
    cursor = conn.execute(_CURSOR_AND_CYCLE, {"b_exchange": exchange, "b_pair": pair}).first()
    if cursor is None:
        return False
    if (fill.filled_at, fill.fill_id) <= (cursor.last_filled_at, cursor.last_fill_id):
        return False  # a late fill: rebuilt from the flat point before it
    if _others_since(conn, fill, cursor.last_filled_at, cursor.last_fill_id, cursor.last_fill_pk):
        return False  # a fill the cursor lacks: an import, or one recorded without trades
    grouping = TradeGrouping(cursor.grouping)
    if cursor.figures is None or grouping is not _FLAT:
        # nothing running to check against its trade row: check the grouping itself
        stored = conn.execute(
            select(_tr.grouping).where(_tr.exchange == exchange, _tr.trading_pair == pair).limit(1)
        ).scalar()
        if stored is not None and TradeGrouping(stored) is not grouping:
            return False  # regrouped by a rebuild
    leg = inc.leg_of(fill, rates)
    next_seq = cursor.next_seq
    if grouping is _FLAT:
        _step_cycle(session, conn, exchange, pair, leg, None if cursor.figures is None else cursor)
    else:
        next_seq = _step_lots(session, conn, exchange, pair, grouping, leg, next_seq)
    conn.execute(
        update(t.trade_cursors)
        .where(_c.exchange == exchange, _c.trading_pair == pair)
        .values(
            last_filled_at=fill.filled_at,
            last_fill_id=fill.fill_id,
            last_fill_pk=max(cursor.last_fill_pk, fill.fill_pk or 0),
            next_seq=next_seq,
        )
    )
    return True


def _others_since(
    conn: Connection, fill: Fill, last_at: datetime, last_id: str, last_pk: int
) -> bool:
    """Whether a fill of the pair other than ``fill`` came after the cursor: later in time
    than its last fill (the pair's time index), or stored after it (an import: the key's
    index from the cursor's key, stopping at the first fill of the pair). The cursor's
    values are bound, not correlated, so that the planner sees how narrow the ranges are.
    """
    fl = t.fills.c
    not_this = fl.fill_id != fill.fill_id
    later = select(fl.fill_pk).where(
        fl.exchange == fill.exchange,
        fl.trading_pair == fill.trading_pair,
        not_this,
        fl.filled_at >= last_at,
        or_(fl.filled_at > last_at, fl.fill_id > last_id),
    )
    # the pair as one expression, so that no planner prefers the pair's index (its history)
    pair_key = fl.exchange + "|" + fl.trading_pair
    newer = (
        select(fl.fill_pk)
        .where(fl.fill_pk > last_pk, pair_key == f"{fill.exchange}|{fill.trading_pair}", not_this)
        .order_by(fl.fill_pk)
        .limit(1)
        .scalar_subquery()
    )
    row = conn.execute(select(exists(later), newer.is_not(None))).one()
    return bool(row[0] or row[1])


def _figures_rows(exchange: str, pair: str) -> Any:
    return (
        select(_f.seq, _f.trade_id, _f.figures, _f.row_check, *(_tr[name] for name in _CHECKED))
        .select_from(t.trade_running_figures.outerjoin(t.trades, _tr.trade_id == _f.trade_id))
        .where(_f.exchange == exchange, _f.trading_pair == pair)
    )


def _checked(row: Any) -> str:
    """The row's running figures, after checking its trade row is the one they describe."""
    check = json.loads(row.row_check)
    for name in _CHECKED:
        value = getattr(row, name)
        expected = check[name]
        if expected is None or value is None:
            if expected is not value:
                raise _Stale
        elif isinstance(value, datetime):
            if value != datetime.fromisoformat(expected):
                raise _Stale
        elif Decimal(value) != Decimal(expected):
            raise _Stale
    figures: str = row.figures
    return figures


def _row_check(trade: Trade) -> str:
    values: dict[str, str | None] = {}
    for name in _CHECKED:
        value = getattr(trade, name)
        values[name] = (
            None
            if value is None
            else value.isoformat()
            if isinstance(value, datetime)
            else str(value)
        )
    return json.dumps(values, separators=(",", ":"))


def _step_cycle(
    session: Session, conn: Connection, exchange: str, pair: str, leg: inc.Leg, row: Any
) -> None:
    cycle = None if row is None else inc.load_cycle(_checked(row))
    step = inc.step_cycle(cycle, leg, exchange, pair)
    running = None if step.cycle is None else inc.cycle_trade(step.cycle, exchange, pair)
    _write_trades(session, conn, [*step.closed, *([running] if running else [])])
    of_cycle = (_f.exchange == exchange, _f.trading_pair == pair, _f.seq == CYCLE_SEQ)
    if step.cycle is None or running is None:
        if row is not None:
            conn.execute(delete(t.trade_running_figures).where(*of_cycle))
        return
    values = {
        "trade_id": running.trade_id,
        "figures": inc.dump_cycle(step.cycle),
        "row_check": _row_check(running),
    }
    if row is None:
        conn.execute(
            insert(t.trade_running_figures).values(
                exchange=exchange, trading_pair=pair, seq=CYCLE_SEQ, **values
            )
        )
    else:
        conn.execute(update(t.trade_running_figures).where(*of_cycle).values(**values))


class _StoredLots:
    """The pair's open lots read one at a time from their head (an indexed row each)."""

    def __init__(self, conn: Connection, exchange: str, pair: str, fifo: bool) -> None:
        self.conn = conn
        self.exchange = exchange
        self.pair = pair
        self.fifo = fifo
        self.bound: int | None = None  # seqs past it (FIFO: at or below) are dropped
        self.current: tuple[int, inc.Lot] | None = None
        self.dropped: list[int] = []

    def head(self) -> inc.Lot | None:
        if self.current is None:
            stmt = _figures_rows(self.exchange, self.pair).where(_f.seq != CYCLE_SEQ)
            if self.bound is not None:
                stmt = stmt.where(_f.seq > self.bound if self.fifo else _f.seq < self.bound)
            stmt = stmt.order_by(_f.seq if self.fifo else _f.seq.desc()).limit(1)
            row = self.conn.execute(stmt).first()
            if row is None:
                return None
            self.current = (row.seq, inc.load_lot(_checked(row)))
        return self.current[1]

    def drop_head(self) -> None:
        if self.current is None:
            raise _Stale  # never: the step drops only a lot it read
        self.bound = self.current[0]
        self.dropped.append(self.current[0])
        self.current = None


def _step_lots(
    session: Session,
    conn: Connection,
    exchange: str,
    pair: str,
    grouping: TradeGrouping,
    leg: inc.Leg,
    next_seq: int,
) -> int:
    lots = _StoredLots(conn, exchange, pair, grouping is TradeGrouping.FIFO)
    head = lots.head()
    long = None if head is None or head.leg is None else head.leg.is_buy
    step = inc.step_lots(lots, long, leg, exchange, pair, grouping)
    running: list[tuple[int | None, inc.Lot, Trade]] = []
    if step.partly_closed is not None and lots.current is not None:
        trade = inc.lot_trade(step.partly_closed, bool(long), exchange, pair, grouping)
        running.append((lots.current[0], step.partly_closed, trade))
    if step.opened is not None and step.opened.leg is not None:
        side = step.opened.leg.is_buy
        running.append(
            (None, step.opened, inc.lot_trade(step.opened, side, exchange, pair, grouping))
        )
    _write_trades(session, conn, [*step.closed, *(trade for _, _, trade in running)])
    if lots.dropped:
        conn.execute(
            delete(t.trade_running_figures).where(
                _f.exchange == exchange, _f.trading_pair == pair, _f.seq.in_(lots.dropped)
            )
        )
    for seq, lot, trade in running:
        values = {
            "trade_id": trade.trade_id,
            "figures": inc.dump_lot(lot),
            "row_check": _row_check(trade),
        }
        if seq is None:
            conn.execute(
                insert(t.trade_running_figures).values(
                    exchange=exchange, trading_pair=pair, seq=next_seq, **values
                )
            )
            next_seq += 1
        else:
            conn.execute(
                update(t.trade_running_figures)
                .where(_f.exchange == exchange, _f.trading_pair == pair, _f.seq == seq)
                .values(**values)
            )
    return next_seq


def _attributed(session: Session, trades: Sequence[Trade]) -> Sequence[Trade]:
    from gal_friday.persistence.repositories.orders import OrderRepository

    keys = {pk for trade in trades for pk in (trade.entry_order_pk, trade.exit_order_pk) if pk}
    found = OrderRepository(session).attribution_of(sorted(keys)) if keys else {}
    return attribute(trades, found)


def _write_trades(session: Session, conn: Connection, trades: Sequence[Trade]) -> None:
    """Write each trade over the stored row of its ``trade_id``, or as a new row."""
    for trade in _attributed(session, trades):
        values = {name: getattr(trade, name) for name in _TRADE_COLUMNS}
        changed = conn.execute(
            update(t.trades).where(_tr.trade_id == trade.trade_id).values(values)
        ).rowcount
        if not changed:
            conn.execute(insert(t.trades).values(values))


# -- the refresh from the flat point -------------------------------------------------------


def refresh_from_flat_point(
    session: Session, exchange: str, pair: str, at: datetime, step: inc.LiveStep
) -> None:
    """Rebuild the pair's trades since its last flat point at or before ``at`` and write
    its cursor and running figures again; a rule refusing it (a third-asset commission
    without a rate) leaves the trades unchanged, the cursor forgotten and the refusal in
    ``step.refused``.
    """
    conn = session.connection()
    savepoint = session.begin_nested()
    try:
        _refresh(session, conn, exchange, pair, at, step.rates)
    except DomainError as exc:
        savepoint.rollback()
        forget(conn, exchange, pair)
        step.refused = exc
        return
    savepoint.commit()


def _refresh(
    session: Session, conn: Connection, exchange: str, pair: str, at: datetime, rates: Rates | None
) -> None:
    from gal_friday.persistence.repositories.fills import FillRepository
    from gal_friday.persistence.repositories.trades import TradeRepository

    trades = TradeRepository(session)
    stored = trades.grouping_of(exchange, pair)
    grouping = stored or _FLAT
    since = None if stored is None else trades.flat_point(exchange, pair, at)
    trades.delete_for(exchange, pair, entered_since=since)
    forget(conn, exchange, pair)
    last: list[FillRecord] = []

    def legs() -> Iterator[inc.Leg]:
        for record in FillRepository(session).stream(exchange, pair, since=since):
            last[:] = [record]
            yield inc.leg_of(record, rates)

    batch: list[Trade] = []

    def closed(made: list[Trade]) -> None:
        batch.extend(made)
        if len(batch) >= _BATCH:
            trades.add_bulk(_attributed(session, batch))
            batch.clear()

    end = inc.fold(legs(), exchange, pair, grouping, closed)
    if batch:
        trades.add_bulk(_attributed(session, batch))
    if not last:
        return
    seq = 1
    if end.cycle is not None:
        running = inc.cycle_trade(end.cycle, exchange, pair)
        trades.add_bulk(_attributed(session, [running]))
        _insert_figures(conn, exchange, pair, CYCLE_SEQ, running, inc.dump_cycle(end.cycle))
    elif end.long is not None:
        made = [inc.lot_trade(lot, end.long, exchange, pair, grouping) for lot in end.lots]
        trades.add_bulk(_attributed(session, made))
        for lot, trade in zip(end.lots, made, strict=True):
            _insert_figures(conn, exchange, pair, seq, trade, inc.dump_lot(lot))
            seq += 1
    top = conn.execute(select(func.max(t.fills.c.fill_pk))).scalar_one()
    conn.execute(
        insert(t.trade_cursors).values(
            exchange=exchange,
            trading_pair=pair,
            grouping=grouping,
            last_filled_at=last[0].filled_at,
            last_fill_id=last[0].fill_id,
            last_fill_pk=top,
            next_seq=seq,
        )
    )


def _insert_figures(
    conn: Connection, exchange: str, pair: str, seq: int, trade: Trade, figures: str
) -> None:
    conn.execute(
        insert(t.trade_running_figures).values(
            exchange=exchange,
            trading_pair=pair,
            seq=seq,
            trade_id=trade.trade_id,
            figures=figures,
            row_check=_row_check(trade),
        )
    )
