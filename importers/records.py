"""What an importer returns: validated fills in file order, and their grouping into orders.

Imported orders are known only through their fills: an order's quantity is the
sum of its fills; its limit and stop prices are what the fills imply
(``domain.implied_prices``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs

from gal_friday.domain import Fill, OrderType, Side
from gal_friday.domain.implied_prices import implied_limit_price, implied_stop_price
from gal_friday.importers.errors import ImportFormatError


@attrs.frozen
class ImportedFill:
    """One validated fill, where it came from, and the order it belongs to."""

    line: int
    fill: Fill
    order_ref: str
    order_type: OrderType


@attrs.frozen
class ImportBatch:
    """Every fill of one file, in file order, without in-file duplicates."""

    path: str
    records: list[ImportedFill]
    duplicates_in_file: int = 0

    @property
    def pairs(self) -> set[tuple[str, str]]:
        """The ``(exchange, trading_pair)``s the file touches."""
        return {(r.fill.exchange, r.fill.trading_pair) for r in self.records}


@attrs.frozen
class OrderGroup:
    """The fills of one exchange order, and what can be said of the order from them."""

    exchange: str
    order_ref: str
    trading_pair: str
    side: Side
    order_type: OrderType
    fills: list[Fill]
    first_line: int

    @property
    def quantity(self) -> Decimal:
        """The sum of the fills' quantities."""
        return sum((f.quantity_filled for f in self.fills), Decimal(0))

    @property
    def limit_price(self) -> Decimal | None:
        """The limit price the fills imply, for LIMIT-type orders."""
        return implied_limit_price(self.order_type, self.side, self.fills)

    @property
    def stop_price(self) -> Decimal | None:
        """The stop price the fills imply, for STOP/TAKE-type orders."""
        return implied_stop_price(self.order_type, self.fills)


def group_orders(path: str, records: Iterable[ImportedFill]) -> list[OrderGroup]:
    """Group fills by ``(exchange, order_ref)``; fills of one order must agree on pair and side."""
    groups: dict[tuple[str, str], OrderGroup] = {}
    for record in records:
        fill = record.fill
        key = (fill.exchange, record.order_ref)
        group = groups.get(key)
        if group is None:
            groups[key] = OrderGroup(
                exchange=fill.exchange,
                order_ref=record.order_ref,
                trading_pair=fill.trading_pair,
                side=fill.side,
                order_type=record.order_type,
                fills=[fill],
                first_line=record.line,
            )
            continue
        if (fill.trading_pair, fill.side, record.order_type) != (
            group.trading_pair,
            group.side,
            group.order_type,
        ):
            raise ImportFormatError(
                path,
                f"order {record.order_ref!r} has a {fill.side} {fill.trading_pair} "
                f"{record.order_type} fill here but a {group.side} {group.trading_pair} "
                f"{group.order_type} fill on line {group.first_line}",
                line=record.line,
            )
        group.fills.append(fill)
    return list(groups.values())
