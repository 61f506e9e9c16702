"""Rebuild round-trip trades from the stored fills (trades are derived data).

Each ``(exchange, trading_pair)`` has its trades deleted, its fills streamed in time
order through :func:`~gal_friday.domain.iter_trades`, and the new trades inserted in bulk
batches as they are made, so memory stays flat however long the history.
:func:`rebuild_trades` (the use case) does it for every pair in one transaction of its own;
:func:`rebuild_pairs` is the same work as a step of a caller's transaction (the import).

A pair keeps its grouping until the user changes it: ``grouping=None`` (what imports
and live fills pass) rebuilds each pair the way its stored trades are grouped
(flat-to-flat for a pair without trades); ``trades rebuild --grouping X`` passes X.

:func:`refresh_pair` is the incremental form: only the affected pair, only from its last
flat point (docs/live-fills.md; SQL stores do the same, or better, in a live fill's own
transaction).

Every trade written takes its attribution from its orders
(:func:`~gal_friday.domain.attribution.attribute_stream`, docs/attribution.md): its entry
order's signal and strategy, the reason of the order that closed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from gal_friday.domain import TradeGrouping, iter_trades
from gal_friday.domain.attribution import attribute_stream
from gal_friday.domain.rates import Rates
from gal_friday.services.ports import RepositoriesProtocol, UnitOfWorkFactory


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
    # written in batches as they are made: memory stays flat (TradeRepository.add_bulk);
    # each batch takes its orders' strategy, signal and exit reason (docs/attribution.md)
    built = iter_trades(uow.fills.stream(exchange, pair, since=since), grouping, rates)
    return uow.trades.add_bulk(attribute_stream(built, uow.orders.attribution_of))


def rebuild_pairs(
    uow: RepositoriesProtocol,
    pairs: Iterable[tuple[str, str]],
    grouping: TradeGrouping | None = None,
    rates: Rates | None = None,
) -> RebuildSummary:
    """Replace the trades of each ``(exchange, trading_pair)`` by ones rebuilt from its fills
    (``rates`` value commissions paid in a third asset).

    ``grouping=None`` keeps each pair's grouping; a grouping given becomes the pair's.
    A step of the import (and of :func:`rebuild_trades`); runs in the caller's unit of
    work, which commits.
    """
    counts: dict[tuple[str, str], int] = {}
    groupings: dict[tuple[str, str], TradeGrouping] = {}
    for exchange, pair in sorted(set(pairs)):
        chosen = groupings[(exchange, pair)] = pair_grouping(uow, exchange, pair, grouping)
        uow.trades.delete_for(exchange, pair)
        counts[(exchange, pair)] = _write(uow, exchange, pair, chosen, None, rates)
    return RebuildSummary(groupings=groupings, trades_by_pair=counts)


def rebuild_trades(
    uow_factory: UnitOfWorkFactory,
    grouping: TradeGrouping | None = None,
    trading_pair: str | None = None,
    rates: Rates | None = None,
) -> RebuildSummary:
    """Rebuild every pair (or one ``trading_pair`` on every exchange), in one transaction."""
    with uow_factory() as uow:
        pairs = [
            (exchange, pair)
            for exchange, pair in uow.fills.pairs()
            if trading_pair is None or pair == trading_pair
        ]
        summary = rebuild_pairs(uow, pairs, grouping, rates)
        uow.commit()
    return summary


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
    What :func:`~gal_friday.services.live_fills.record_fill` runs after the commit for a
    store that keeps no running trade figures (the in-memory fakes); SQL stores update
    the trades in the fill's own transaction (docs/live-fills.md). Runs in the caller's
    unit of work, which commits.
    """
    uow.trades.lock_pair(exchange, pair)
    stored = uow.trades.grouping_of(exchange, pair)
    grouping = stored or TradeGrouping.FLAT_TO_FLAT
    since = None if stored is None else uow.trades.flat_point(exchange, pair, changed_at)
    deleted = uow.trades.delete_for(exchange, pair, entered_since=since)
    written = _write(uow, exchange, pair, grouping, since, conversion_rates)
    return RefreshSummary(grouping, since, deleted, written)
