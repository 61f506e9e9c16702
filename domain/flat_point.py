"""Where a pair's position was last flat, by its stored trades (docs/dust.md).

The live path's incremental trade refresh rebuilds a pair from this instant on: every
trade entered before it exited before it, and the last of them did not close by the dust
rule only because nothing came after it (an exit arriving now would continue it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol


class TradeSpan(Protocol):
    """What the rule reads of a stored trade."""

    @property
    def entry_timestamp(self) -> datetime: ...
    @property
    def exit_timestamp(self) -> datetime | None: ...
    @property
    def open_quantity(self) -> Decimal: ...


def flat_point(trades: Sequence[TradeSpan], at: datetime) -> datetime:
    """The latest instant ``S <= at`` at which the position of the pair whose stored trades
    are ``trades`` (in the order they were stored) was flat.

    Every trade entered before ``S`` exited before ``S``; and the latest of them (the last
    stored among equal entry times) left no dust (``open_quantity``), else ``S`` moves back
    to its entry, since an exit arriving now would continue it.
    """
    start = at
    while True:
        straddling = [
            trade.entry_timestamp
            for trade in trades
            if trade.entry_timestamp < start
            and (trade.exit_timestamp is None or trade.exit_timestamp >= start)
        ]
        if straddling:
            start = min(straddling)
            continue
        latest: TradeSpan | None = None
        for trade in trades:
            if trade.entry_timestamp < start and (
                latest is None or trade.entry_timestamp >= latest.entry_timestamp
            ):
                latest = trade
        if latest is None or not latest.open_quantity:
            return start
        start = latest.entry_timestamp
