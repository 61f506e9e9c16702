"""Ledger entries (Core rows in ``ledger_entries``, read back as domain ``LedgerEntry``s).

Entries are written in bulk (Core ``insert`` with the table's own types) and
read in ledger order: per exchange and asset, by ``time`` then by the order they
were stored (``entry_pk``), which is the export's own order. Nothing commits here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Row, func, insert, select

from gal_friday.domain import Fill
from gal_friday.domain.fill import FillRecord
from gal_friday.domain.invariants import InvariantError
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.persistence.fastpath.batching import chunked
from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.tables import definitions as t

_table = t.ledger_entries
#: The columns a LedgerEntry is read from (its attribute names).
_FIELDS = (
    "exchange",
    "txid",
    "refid",
    "time",
    "type",
    "asset",
    "amount",
    "fee",
    "balance",
    "subtype",
    "aclass",
    "subclass",
    "wallet",
    "amountusd",
    "source_line",
    "feeusd",
    "balanceusd",
    "feecurrency",
)
_COLUMNS = [_table.c[name] for name in _FIELDS]
INSERT_BATCH = 1000
#: Rows fetched at a time when the whole ledger is streamed.
ROWS_PER_FETCH = 5000


def _entry(row: Row[Any]) -> LedgerEntry:
    return LedgerEntry(**dict(zip(_FIELDS, row, strict=True)))


class LedgerRepository(Repository):
    """An exchange ledger's entries, and the fills its trades are about."""

    def add_all(self, entries: Iterable[LedgerEntry]) -> int:
        """Insert ``entries``; returns how many."""
        count = 0
        for batch in chunked(entries, INSERT_BATCH):
            rows = [{name: getattr(entry, name) for name in _FIELDS} for entry in batch]
            self.session.execute(insert(_table), rows)
            count += len(rows)
        return count

    def by_txids(self, exchange: str, txids: Iterable[str]) -> dict[str, LedgerEntry]:
        """The stored entries among ``txids``, by txid."""
        found: dict[str, LedgerEntry] = {}
        for among in self._among(_table.c.txid, txids):
            stmt = select(*_COLUMNS).where(_table.c.exchange == exchange, among)
            for row in self.session.execute(stmt):
                entry = _entry(row)
                if entry.txid is None:
                    raise InvariantError("an entry found by its txid has one")
                found[entry.txid] = entry
        return found

    def pending(self, exchange: str | None = None) -> list[LedgerEntry]:
        """The stored rows without a txid, in time order."""
        stmt = select(*_COLUMNS).where(_table.c.txid.is_(None))
        if exchange is not None:
            stmt = stmt.where(_table.c.exchange == exchange)
        stmt = stmt.order_by(_table.c.exchange, _table.c.time, _table.c.entry_pk)
        return [_entry(row) for row in self.session.execute(stmt)]

    def stream(self, exchange: str | None = None) -> Iterator[LedgerEntry]:
        """Every entry in ledger order: by exchange and asset, then time, then as stored."""
        stmt = select(*_COLUMNS)
        if exchange is not None:
            stmt = stmt.where(_table.c.exchange == exchange)
        stmt = stmt.order_by(
            _table.c.exchange, _table.c.asset, _table.c.time, _table.c.entry_pk
        ).execution_options(yield_per=ROWS_PER_FETCH)
        for row in self.session.execute(stmt):
            yield _entry(row)

    def trades(
        self, exchange: str, types: Sequence[str] = ("trade",)
    ) -> dict[str, list[LedgerEntry]]:
        """The booked entries of ``exchange`` of the ``types`` given (``trade``), grouped by
        refid, in time order."""
        stmt = (
            select(*_COLUMNS)
            .where(
                _table.c.exchange == exchange,
                _table.c.type.in_(types),
                _table.c.txid.is_not(None),
            )
            .order_by(_table.c.time, _table.c.entry_pk)
        )
        grouped: dict[str, list[LedgerEntry]] = defaultdict(list)
        for row in self.session.execute(stmt):
            entry = _entry(row)
            grouped[entry.refid].append(entry)
        return dict(grouped)

    def trade_refids_among(
        self, exchange: str, refids: Sequence[str], types: Sequence[str] = ("trade",)
    ) -> set[str]:
        """The ``refids`` that booked ledger entries of ``exchange`` of the ``types`` given
        (``trade``) carry."""
        found: set[str] = set()
        for among in self._among(_table.c.refid, refids):
            stmt = select(_table.c.refid).where(
                _table.c.exchange == exchange,
                _table.c.type.in_(types),
                _table.c.txid.is_not(None),
                among,
            )
            found.update(self.session.scalars(stmt))
        return found

    def exchanges(self) -> list[str]:
        """Every exchange that has ledger entries."""
        stmt = select(_table.c.exchange).distinct().order_by(_table.c.exchange)
        return list(self.session.scalars(stmt))

    def fills_by_ids(self, exchange: str, fill_ids: Sequence[str]) -> dict[str, Fill]:
        """The stored fills (mapped objects, to update) among ``fill_ids``, by fill id."""
        found: dict[str, Fill] = {}
        for among in self._among(t.fills.c.fill_id, fill_ids):
            stmt = select(Fill).where(t.fills.c.exchange == exchange, among)
            for fill in self.session.scalars(stmt):
                found[fill.fill_id] = fill
        return found

    def fill_counts(self) -> dict[tuple[str, str], int]:
        """How many fills each ``(exchange, trading_pair)`` has stored."""
        f = t.fills.c
        stmt = select(f.exchange, f.trading_pair, func.count()).group_by(f.exchange, f.trading_pair)
        return {(row[0], row[1]): row[2] for row in self.session.execute(stmt)}

    def fill_keys_in_ledger(self) -> list[tuple[str, str, str]]:
        """``(exchange, trading_pair, fill_id)`` of the stored fills whose id is the refid of
        a ledger row of their exchange (those are the only ones a ledger can reconcile)."""
        f = t.fills.c
        carried = (
            select(_table.c.entry_pk)
            .where(_table.c.exchange == f.exchange, _table.c.refid == f.fill_id)
            .exists()
        )
        stmt = select(f.exchange, f.trading_pair, f.fill_id).where(carried)
        return [(row[0], row[1], row[2]) for row in self.session.execute(stmt)]

    def stream_by_time(self) -> Iterator[LedgerEntry]:
        """Every entry by time, then exchange, asset and the order stored (streamed)."""
        from gal_friday.persistence.repositories.history_streams import ledger_by_time

        return ledger_by_time(self.session)

    def trades_with_fills(
        self, exchange: str, types: Sequence[str] = ("trade",)
    ) -> Iterator[tuple[list[LedgerEntry], FillRecord | None]]:
        """Each refid's booked entries of ``exchange`` of the ``types`` given, in time order,
        with the stored fill of that id (None without one), streamed one refid at a time."""
        from gal_friday.persistence.repositories.history_streams import trades_with_fills

        return trades_with_fills(self.session, exchange, types)

    def reported_fills_in_ledger(self) -> Iterator[Fill]:
        """The fills (mapped, read only) whose id is a refid of their exchange's ledger and that
        keep trades.csv's figures (``reported``), by exchange then fill id, streamed."""
        from gal_friday.persistence.repositories.history_streams import reported_fills_in_ledger

        return reported_fills_in_ledger(self.session)
