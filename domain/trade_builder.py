"""Round-trip trades from fills (being written: see the trade-builder work)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from domain.enums import TradeGrouping
from domain.fill import Fill
from domain.trade import Trade


def build_trades(
    fills: Iterable[Fill],
    grouping: TradeGrouping = TradeGrouping.FLAT_TO_FLAT,
    conversion_rates: Mapping[str, Decimal] | None = None,
) -> list[Trade]:
    """Group fills into round-trip trades."""
    raise NotImplementedError("build_trades is being written")
