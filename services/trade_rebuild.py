"""Rebuild round-trip trades from the stored fills (trades are derived data).

Each ``(exchange, trading_pair)`` is rebuilt in the caller's unit of work: its
trades are deleted, its fills streamed in time order through
:func:`~gal_friday.domain.iter_trades`, and the new trades inserted in bulk batches as they
are made, so memory stays flat however long the history. Nothing is committed
here.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from gal_friday.domain import TradeGrouping, iter_trades
from gal_friday.domain.rates import Rates
from gal_friday.persistence.repositories import chunked
from gal_friday.persistence.unit_of_work import UnitOfWork

#: Trades written per bulk insert during a rebuild.
WRITE_BATCH = 5000


@attrs.frozen
class RebuildSummary:
    """What a rebuild did, per pair."""

    grouping: TradeGrouping
    trades_by_pair: dict[tuple[str, str], int]

    @property
    def total_trades(self) -> int:
        """Trades written over every pair."""
        return sum(self.trades_by_pair.values())


def rebuild_pairs(
    uow: UnitOfWork,
    pairs: Iterable[tuple[str, str]],
    grouping: TradeGrouping = TradeGrouping.FLAT_TO_FLAT,
    rates: Rates | None = None,
) -> RebuildSummary:
    """Replace the trades of each ``(exchange, trading_pair)`` by ones rebuilt from its fills
    (``rates`` value commissions paid in a third asset)."""
    counts: dict[tuple[str, str], int] = {}
    for exchange, pair in sorted(set(pairs)):
        uow.trades.delete_for(exchange, pair)
        trades = iter_trades(uow.fills.stream(exchange, pair), grouping, rates)
        counts[(exchange, pair)] = sum(
            uow.trades.add_bulk(batch) for batch in chunked(trades, WRITE_BATCH)
        )
    return RebuildSummary(grouping=grouping, trades_by_pair=counts)


def rebuild_trades(
    uow: UnitOfWork,
    grouping: TradeGrouping = TradeGrouping.FLAT_TO_FLAT,
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
