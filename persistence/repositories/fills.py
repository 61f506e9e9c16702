"""Fills: the executions every figure is derived from (bulk writes, id look-ups, streams)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from gal_friday.domain import Fill, FillRecord
from gal_friday.domain.fill import NO_EXTRA, StoredFill
from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.tables import definitions as t

#: How many fill rows a server-side cursor fetches at a time when a pair is streamed.
FILLS_PER_FETCH = 5000


class FillRepository(Repository):
    """Fills: the executions that every figure is derived from."""

    def add(self, fill: Fill) -> None:
        """Stage a fill (normally added through ``Order.apply_fill`` and the order)."""
        self.session.add(fill)

    def add_bulk(self, fills: Sequence[Fill], *, skip_duplicates: bool = False) -> int:
        """Insert fills (each with its ``order_pk``) through the bulk path; how many were
        inserted (with ``skip_duplicates``, fill ids already stored are left out)."""
        from gal_friday.persistence.fastpath import bulk  # psycopg: imported when used

        return bulk.insert_fills(self.session.connection(), fills, skip_duplicates=skip_duplicates)

    def stored_among(self, exchange: str, fill_ids: Iterable[str]) -> dict[str, StoredFill]:
        """The stored fills among ``fill_ids`` on ``exchange``, by id, as plain records."""
        columns = [t.fills.c[name] for name in StoredFill._fields]
        found: dict[str, StoredFill] = {}
        for among in self._among(t.fills.c.fill_id, fill_ids):
            stmt = select(*columns).where(t.fills.c.exchange == exchange, among)
            for row in self.session.execute(stmt):
                record = StoredFill._make(row)
                found[record.fill_id] = record
        return found

    def last_key(self) -> int:
        """The highest ``fill_pk`` stored (0 for none): rows above it are newer."""
        return int(self.session.scalar(select(func.max(t.fills.c.fill_pk))) or 0)

    def get(self, exchange: str, fill_id: str) -> Fill | None:
        """The fill the exchange identifies by ``fill_id``."""
        stmt = select(Fill).where(t.fills.c.exchange == exchange, t.fills.c.fill_id == fill_id)
        return self.session.scalars(stmt).one_or_none()

    def for_order(self, order_pk: int) -> list[Fill]:
        """An order's fills in time order."""
        stmt = (
            select(Fill)
            .where(t.fills.c.order_pk == order_pk)
            .order_by(t.fills.c.filled_at, t.fills.c.fill_id)
        )
        return self._all(stmt)

    def existing_ids(self, exchange: str, fill_ids: Iterable[str]) -> set[str]:
        """Which of ``fill_ids`` are already stored for ``exchange``."""
        found: set[str] = set()
        for among in self._among(t.fills.c.fill_id, fill_ids):
            stmt = select(t.fills.c.fill_id).where(t.fills.c.exchange == exchange, among)
            found.update(self.session.scalars(stmt))
        return found

    def pairs(self) -> list[tuple[str, str]]:
        """Every ``(exchange, trading_pair)`` that has fills."""
        stmt = (
            select(t.fills.c.exchange, t.fills.c.trading_pair)
            .distinct()
            .order_by(t.fills.c.exchange, t.fills.c.trading_pair)
        )
        return [(row.exchange, row.trading_pair) for row in self.session.execute(stmt)]

    def stream(
        self,
        exchange: str,
        trading_pair: str,
        batch_size: int = FILLS_PER_FETCH,
        since: datetime | None = None,
    ) -> Iterator[FillRecord]:
        """Read-only records of one pair's fills in ``(filled_at, fill_id)`` order, in batches.

        No objects are built (a replay such as a trade rebuild only reads them); rows
        come through a server-side cursor on PostgreSQL, so memory stays flat
        however long the history. ``since`` keeps only fills at or after it. Use
        :meth:`get` or :meth:`for_order` for fills to change.
        """
        bind = self.session.get_bind()
        if bind.dialect.name == "postgresql" and not bind.dialect.is_async:
            from gal_friday.persistence.fastpath.fill_stream import stream_fills

            # psycopg's rows as they come: SQLAlchemy's per-row work cost more than the rebuild
            yield from stream_fills(
                self.session.connection(), exchange, trading_pair, batch_size, since
            )
        else:
            yield from self._stream_rows(exchange, trading_pair, batch_size, since)

    def _stream_rows(
        self, exchange: str, trading_pair: str, batch_size: int, since: datetime | None
    ) -> Iterator[FillRecord]:
        """:meth:`stream` through SQLAlchemy (any backend)."""
        stmt = (
            select(*(t.fills.c[name] for name in FillRecord._fields))
            .where(t.fills.c.exchange == exchange, t.fills.c.trading_pair == trading_pair)
            .order_by(t.fills.c.filled_at, t.fills.c.fill_id)
            .execution_options(yield_per=batch_size)
        )
        if since is not None:
            stmt = stmt.where(t.fills.c.filled_at >= since)
        for row in self.session.execute(stmt):
            record = FillRecord._make(row)
            # the one shared empty map, as the PostgreSQL stream gives (fastpath/fill_stream.py)
            yield (
                record if record.extra_commissions else record._replace(extra_commissions=NO_EXTRA)
            )

    def stream_with_ledger_marks(self) -> Iterator[tuple[FillRecord, bool]]:
        """Every fill in ``(filled_at, fill_id)`` order, streamed, with True when a booked
        ledger row of its exchange has its id as refid."""
        from gal_friday.persistence.repositories.history_streams import fills_with_ledger_marks

        return fills_with_ledger_marks(self.session)

    def closed_exits(self) -> Iterator[tuple[datetime, str, Decimal]]:
        """``(exit time, pair, realized PnL)`` of every trade the fills closed, streamed."""
        from gal_friday.persistence.repositories.history_streams import closed_trade_exits

        return closed_trade_exits(self.session)
