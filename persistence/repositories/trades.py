"""Round-trip trades: derived from the fills, replaced by rebuilds."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, text

from gal_friday.domain import Trade, TradeGrouping
from gal_friday.domain.trade import TradeFigures
from gal_friday.persistence.fastpath.gc_pause import gc_paused
from gal_friday.persistence.fastpath.trade_figures import read_figures
from gal_friday.persistence.repositories.base import Repository, between
from gal_friday.persistence.tables import definitions as t

#: Trades written per bulk insert (a rebuild writes them as they are made).
WRITE_BATCH = 5000


class TradeRepository(Repository):
    """Round-trip trades (derived from fills; rebuilds replace them)."""

    def add_all(self, trades: Iterable[Trade]) -> None:
        """Stage trades."""
        self.session.add_all(trades)

    def by_pair(
        self, trading_pair: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[Trade]:
        """A pair's trades entered in ``[since, until)``, in entry order."""
        stmt = select(Trade).where(t.trades.c.trading_pair == trading_pair)
        stmt = between(stmt, t.trades.c.entry_timestamp, since, until)
        return self._all(stmt.order_by(t.trades.c.entry_timestamp, t.trades.c.trade_pk))

    def by_strategy(self, strategy_id: str) -> list[Trade]:
        """A strategy's trades in entry order."""
        stmt = select(Trade).where(t.trades.c.strategy_id == strategy_id)
        return self._all(stmt.order_by(t.trades.c.entry_timestamp, t.trades.c.trade_pk))

    def by_signal(self, signal_id: uuid.UUID) -> list[Trade]:
        """The trades a signal's orders entered, in entry order."""
        stmt = select(Trade).where(t.trades.c.signal_id == signal_id)
        return self._all(stmt.order_by(t.trades.c.entry_timestamp, t.trades.c.trade_pk))

    def in_period(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Trade]:
        """Every trade entered in ``[since, until)``, in entry order."""
        stmt = between(select(Trade), t.trades.c.entry_timestamp, since, until)
        return self._all(stmt.order_by(t.trades.c.entry_timestamp, t.trades.c.trade_pk))

    def all(self, trading_pair: str | None = None) -> list[Trade]:
        """Every trade (optionally of one pair), by pair then entry time."""
        stmt = select(Trade)
        if trading_pair is not None:
            stmt = stmt.where(t.trades.c.trading_pair == trading_pair)
        order = (t.trades.c.exchange, t.trades.c.trading_pair, t.trades.c.entry_timestamp)
        return self._all(stmt.order_by(*order, t.trades.c.trade_pk))

    def figures(self, trading_pair: str | None = None) -> list[TradeFigures]:
        """Every trade's figures (optionally of one pair), in the order they were stored."""
        # plain rows, no mapped objects: a report of 100,000 trades in well under a second
        return read_figures(self.session.connection(), trading_pair)

    def open(self, trading_pair: str | None = None) -> list[Trade]:
        """Trades whose position is not flat yet, in entry order."""
        stmt = select(Trade).where(t.trades.c.exit_timestamp.is_(None))
        if trading_pair is not None:
            stmt = stmt.where(t.trades.c.trading_pair == trading_pair)
        return self._all(stmt.order_by(t.trades.c.entry_timestamp, t.trades.c.trade_pk))

    def delete_for(
        self, exchange: str, trading_pair: str, entered_since: datetime | None = None
    ) -> int:
        """Remove a pair's trades (those entered at or after ``entered_since`` if given),
        before rebuilding them; returns how many.
        """
        stmt = delete(t.trades).where(
            t.trades.c.exchange == exchange, t.trades.c.trading_pair == trading_pair
        )
        if entered_since is not None:
            stmt = stmt.where(t.trades.c.entry_timestamp >= entered_since)
        result = self.session.execute(stmt)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def add_bulk(self, trades: Iterable[Trade]) -> int:
        """Insert derived trades in bulk (no objects tracked), :data:`WRITE_BATCH` at a time
        as ``trades`` makes them (memory stays flat whatever the history); how many.

        Making a batch (a fraction of a second) makes many objects and no cycles: the
        collector is paused for each batch only (persistence/fastpath/gc_pause.py).
        """
        iterator = iter(trades)
        written = 0
        while True:
            with gc_paused():
                batch = list(itertools.islice(iterator, WRITE_BATCH))
                if not batch:
                    return written
                written += self._insert(batch)

    def _insert(self, trades: Sequence[Trade]) -> int:
        """COPY on a synchronous PostgreSQL connection; one executemany INSERT through an
        asyncio driver (which has no synchronous COPY) and on SQLite."""
        if not self.session.get_bind().dialect.is_async:
            from gal_friday.persistence.fastpath import bulk  # psycopg: imported when used

            return bulk.insert_trades(self.session.connection(), trades)
        names = [c.name for c in t.trades.columns if c.name != "trade_pk"]
        rows = [{name: getattr(trade, name) for name in names} for trade in trades]
        self.session.execute(insert(t.trades), rows)
        return len(rows)

    def grouping_of(self, exchange: str, trading_pair: str) -> TradeGrouping | None:
        """How the pair's stored trades are grouped (None when it has none): the grouping
        that rebuilds keep until the user asks for another.
        """
        stmt = (
            select(t.trades.c.grouping)
            .where(t.trades.c.exchange == exchange, t.trades.c.trading_pair == trading_pair)
            .limit(1)
        )
        grouping: TradeGrouping | None = self.session.scalar(stmt)
        return grouping

    def flat_point(self, exchange: str, trading_pair: str, at: datetime) -> datetime:
        """The latest instant ``S <= at`` at which the pair's position was flat, by its trades.

        Every trade entered before ``S`` exited before ``S``, so the fills before ``S``
        are all in trades that a rebuild from ``S`` keeps as they are; and the last of
        them did not close by the dust rule (a later exit would have continued it).
        A couple of indexed queries per cycle that straddles the instant tried.
        """
        of_pair = (t.trades.c.exchange == exchange, t.trades.c.trading_pair == trading_pair)
        start = at
        while True:
            straddling = select(func.min(t.trades.c.entry_timestamp)).where(
                *of_pair,
                t.trades.c.entry_timestamp < start,
                or_(t.trades.c.exit_timestamp.is_(None), t.trades.c.exit_timestamp >= start),
            )
            earliest: datetime | None = self.session.scalar(straddling)
            if earliest is None:
                # The last trade before a flat point may have been closed by the dust rule
                # only because nothing came after it (docs/dust.md): an exit arriving now
                # would continue it, so it is rebuilt too.
                latest = self.session.execute(
                    select(t.trades.c.entry_timestamp, t.trades.c.open_quantity)
                    .where(*of_pair, t.trades.c.entry_timestamp < start)
                    .order_by(t.trades.c.entry_timestamp.desc(), t.trades.c.trade_pk.desc())
                    .limit(1)
                ).first()
                if latest is None or not latest.open_quantity:
                    return start
                earliest = latest.entry_timestamp
            start = earliest

    def lock_pair(self, exchange: str, trading_pair: str) -> None:
        """Serialise trade refreshes of one pair until this transaction ends (PostgreSQL
        advisory lock; SQLite serialises writers itself).
        """
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"gal-friday trades {exchange} {trading_pair}"},
            )
