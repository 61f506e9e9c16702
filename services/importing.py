"""Import an exchange trade history: one file, one transaction, nothing stored twice.

1. The whole file is parsed and validated first; a bad row raises
   :class:`~gal_friday.importers.ImportFormatError` before the database is touched.
2. In one unit of work: fills already stored (same exchange and fill id) are left
   out, the new ones grouped into orders, orders and fills written through the
   bulk path, and the trades of every touched pair rebuilt. Any error rolls the
   whole file back.

Imported orders are known only through their fills: each is recorded as
submitted at its first fill and FILLED, sized by its fills. When a later export
brings more fills of an order already stored (an order filled across the two
exports' periods), the stored order grows by those fills and stays FILLED.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

import attrs

from gal_friday.domain import Fill, Order, TradeGrouping
from gal_friday.domain.values import exact
from gal_friday.importers import (
    FORMATS,
    ImportBatch,
    ImportFormatError,
    OrderGroup,
    Progress,
    group_orders,
)
from gal_friday.persistence import bulk
from gal_friday.persistence.database import Engine
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.gc_pause import gc_paused
from gal_friday.services.trade_rebuild import rebuild_pairs


@attrs.frozen
class ImportSummary:
    """What an import did."""

    path: str
    fills_in_file: int
    fills_added: int
    fills_already_stored: int
    duplicates_in_file: int
    orders_added: int
    orders_extended: int
    trades_rebuilt: int
    pairs: list[tuple[str, str]]

    @property
    def changed_anything(self) -> bool:
        """False when the file brought nothing new (a re-import)."""
        return self.fills_added > 0


def parse_file(
    path: str | Path,
    fmt: str,
    exchange: str | None = None,
    progress: Progress | None = None,
    pair_map: Mapping[str, str] | None = None,
) -> ImportBatch:
    """Parse and validate a whole file in the named format (``pair_map``: see importers.pairs)."""
    if fmt not in FORMATS:
        raise ImportFormatError(str(path), f"unknown format {fmt!r}; use one of {sorted(FORMATS)}")
    kwargs = {"exchange": exchange} if exchange else {}
    return FORMATS[fmt](path, progress=progress, pair_map=pair_map, **kwargs)


def _new_order(group: OrderGroup) -> Order:
    return Order.filled_by(
        group.fills,
        order_type=group.order_type,
        exchange_order_id=group.order_ref,
        limit_price=group.limit_price,
        stop_price=group.stop_price,
    )


def _extend(order: Order, fills: list[Fill]) -> None:
    with exact():
        order.quantity_ordered = order.quantity_ordered + sum(
            (fill.quantity_filled for fill in fills), Decimal(0)
        )
    for fill in fills:
        order.apply_fill(fill)


def store_batch(
    uow: UnitOfWork, batch: ImportBatch, grouping: TradeGrouping | None = None
) -> ImportSummary:
    """Store the new fills of ``batch`` and rebuild the touched pairs, in ``uow`` (no commit).

    ``grouping=None`` rebuilds each pair with the grouping it already has.
    """
    by_exchange: dict[str, list[str]] = {}
    for record in batch.records:
        by_exchange.setdefault(record.fill.exchange, []).append(record.fill.fill_id)
    stored: set[tuple[str, str]] = set()
    for exchange, ids in by_exchange.items():
        stored.update((exchange, fill_id) for fill_id in uow.fills.existing_ids(exchange, ids))
    new_records = [r for r in batch.records if (r.fill.exchange, r.fill.fill_id) not in stored]

    groups = group_orders(batch.path, new_records)
    known: dict[tuple[str, str], Order] = {}
    for exchange in {group.exchange for group in groups}:
        refs = [group.order_ref for group in groups if group.exchange == exchange]
        for ref, order in uow.orders.by_exchange_ids(exchange, refs).items():
            known[(exchange, ref)] = order
    new_orders: list[Order] = []
    extended = 0
    for group in groups:
        existing = known.get((group.exchange, group.order_ref))
        if existing is None:
            new_orders.append(_new_order(group))
        else:
            _extend(existing, group.fills)
            extended += 1
    uow.flush()  # extended orders (ORM) before the bulk rows
    bulk.insert_orders(uow.connection, new_orders)
    new_fills = []
    for order in new_orders:
        for fill in order.fills:
            fill.order_pk = order.order_pk
            new_fills.append(fill)
    bulk.insert_fills(uow.connection, new_fills)

    touched = sorted({(r.fill.exchange, r.fill.trading_pair) for r in new_records})
    rebuilt = rebuild_pairs(uow, touched, grouping) if touched else None
    return ImportSummary(
        path=batch.path,
        fills_in_file=len(batch.records) + batch.duplicates_in_file,
        fills_added=len(new_records),
        fills_already_stored=len(batch.records) - len(new_records),
        duplicates_in_file=batch.duplicates_in_file,
        orders_added=len(new_orders),
        orders_extended=extended,
        trades_rebuilt=rebuilt.total_trades if rebuilt else 0,
        pairs=touched,
    )


def import_history(
    target: Engine | str | None,
    path: str | Path,
    fmt: str,
    *,
    exchange: str | None = None,
    grouping: TradeGrouping | None = None,
    progress: Progress | None = None,
    uow_factory: Callable[[Engine | str | None], UnitOfWork] = UnitOfWork,
    pair_map: Mapping[str, str] | None = None,
) -> ImportSummary:
    """Parse, validate and store one history file in one transaction (see the module docstring)."""
    with gc_paused():
        batch = parse_file(path, fmt, exchange, progress, pair_map)
        with uow_factory(target) as uow:
            summary = store_batch(uow, batch, grouping)
            uow.commit()
    return summary
