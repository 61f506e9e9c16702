"""Rebuild round-trip trades from the stored fills (trades are derived data).

Each ``(exchange, trading_pair)`` is rebuilt in the caller's unit of work: its
trades are deleted, its fills streamed in time order through
:func:`~gal_friday.domain.iter_trades`, and the new trades inserted in bulk batches as they
are made, so memory stays flat however long the history. Nothing is committed
here.

A pair keeps its grouping until the user changes it: ``grouping=None`` (what imports
and live fills pass) rebuilds each pair the way its stored trades are grouped
(flat-to-flat for a pair without trades); ``trades rebuild --grouping X`` passes X.

:func:`refresh_pair` is the incremental form the live path uses after a fill: only
the affected pair, only from its last flat point (docs/live-fills.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime

import attrs

from gal_friday.domain import TradeGrouping, iter_trades
from gal_friday.domain.rates import Rates
from gal_friday.persistence.fastpath.gc_pause import gc_paused
from gal_friday.services.ports import RepositoriesProtocol

#: Trades written per bulk insert during a rebuild.
WRITE_BATCH = 5000


@attrs.frozen
class RebuildSummary:
    """What a rebuild did, per pair."""

    groupings: dict[tuple[str, str], TradeGrouping]
    trades_by_pair: dict[tuple[str, str], int]

    @property
    def total_trades(self) -> int:
        """Trades written over every pair."""
        return sum(self.trades_by_pair.values())

    @property
    def grouping(self) -> TradeGrouping | None:
        """The grouping of every pair rebuilt, when they share one."""
        distinct = set(self.groupings.values())
        return distinct.pop() if len(distinct) == 1 else None


def pair_grouping(
    uow: RepositoriesProtocol, exchange: str, pair: str, grouping: TradeGrouping | None
) -> TradeGrouping:
    """``grouping`` if given, else the one the pair's stored trades have (flat-to-flat if none)."""
    if grouping is not None:
        return grouping
    return uow.trades.grouping_of(exchange, pair) or TradeGrouping.FLAT_TO_FLAT


def _write(
    uow: RepositoriesProtocol,
    exchange: str,
    pair: str,
    grouping: TradeGrouping,
    since: datetime | None,
    rates: Rates | None,
) -> int:
    trades = iter_trades(uow.fills.stream(exchange, pair, since=since), grouping, rates)
    written = 0
    while True:
        # a batch (a fraction of a second) makes many objects and no cycles: the collector
        # is paused for it only, and comes back between batches (persistence/fastpath/gc_pause.py)
        with gc_paused():
            batch = list(itertools.islice(trades, WRITE_BATCH))
            if not batch:
                return written
            written += uow.trades.add_bulk(batch)


def rebuild_pairs(
    uow: RepositoriesProtocol,
    pairs: Iterable[tuple[str, str]],
    grouping: TradeGrouping | None = None,
    rates: Rates | None = None,
) -> RebuildSummary:
    """Replace the trades of each ``(exchange, trading_pair)`` by ones rebuilt from its fills
    (``rates`` value commissions paid in a third asset).

    ``grouping=None`` keeps each pair's grouping; a grouping given becomes the pair's.
    """
    counts: dict[tuple[str, str], int] = {}
    groupings: dict[tuple[str, str], TradeGrouping] = {}
    for exchange, pair in sorted(set(pairs)):
        chosen = groupings[(exchange, pair)] = pair_grouping(uow, exchange, pair, grouping)
        uow.trades.delete_for(exchange, pair)
        counts[(exchange, pair)] = _write(uow, exchange, pair, chosen, None, rates)
    return RebuildSummary(groupings=groupings, trades_by_pair=counts)


def rebuild_trades(
    uow: RepositoriesProtocol,
    grouping: TradeGrouping | None = None,
    trading_pair: str | None = None,
    rates: Rates | None = None,
) -> RebuildSummary:
    """Rebuild every pair (or one ``trading_pair`` on every exchange) in this unit of work."""
    pairs = [
        (exchange, pair)
        for exchange, pair in uow.fills.pairs()
        if trading_pair is None or pair == trading_pair
    ]
    return rebuild_pairs(uow, pairs, grouping, rates)


@attrs.frozen
class RefreshSummary:
    """What an incremental refresh did: where it started, what it replaced."""

    grouping: TradeGrouping
    since: datetime | None
    trades_deleted: int
    trades_written: int


def refresh_pair(
    uow: RepositoriesProtocol,
    exchange: str,
    pair: str,
    changed_at: datetime,
    conversion_rates: Rates | None = None,
) -> RefreshSummary:
    """Bring one pair's trades up to date after a fill at ``changed_at``, incrementally.

    The trades entered before the pair's last flat point at or before ``changed_at``
    are kept as they are (they closed before it); the rest are deleted and rebuilt
    from the fills since that point, with the pair's grouping. A pair without stored
    trades is rebuilt whole. Refreshes of one pair are serialised (a lock held until
    the caller's transaction ends) so that each one sees every fill committed before.
    """
    uow.trades.lock_pair(exchange, pair)
    stored = uow.trades.grouping_of(exchange, pair)
    grouping = stored or TradeGrouping.FLAT_TO_FLAT
    since = None if stored is None else uow.trades.flat_point(exchange, pair, changed_at)
    deleted = uow.trades.delete_for(exchange, pair, entered_since=since)
    written = _write(uow, exchange, pair, grouping, since, conversion_rates)
    return RefreshSummary(grouping, since, deleted, written)
