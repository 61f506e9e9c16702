"""Loading open orders with their fills: the repository's read vs the same objects built by hand.

Three measurements side by side on ``count`` open orders with two fills each:

* ours: ``uow.orders.list_open()``, mapped domain objects as a caller gets them;
* hand-built (the fair limit of issue 17): the same rows fetched with psycopg and built
  by hand into plain attrs objects with the same fields (unmapped classes), their values
  converted to exactly what ours hold (checked once before timing);
* fetchall: the same two queries, fetched and dropped.

Each is run ``ROUNDS`` times, interleaved, and its best time kept (a shared machine).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

import attrs
import psycopg
from psycopg import sql

from benchmarks.support import T0, Row, libpq, scratch_database
from gal_friday.domain import Fill, LiquidityType, Order, OrderStatus, OrderType, Side
from gal_friday.domain.fill import FillKind
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.fastpath import bulk
from gal_friday.persistence.unit_of_work import UnitOfWork

FILLS_PER_ORDER = 2
ROUNDS = 7
TARGET = 0.45
OPEN = [status.value for status in OrderStatus if status.is_open]

ORDER_COLUMNS = [f.name for f in attrs.fields(Order) if f.name != "fills"]
FILL_COLUMNS = [f.name for f in attrs.fields(Fill)]
#: Read with trim_scale: the server drops the trailing zeros (as ours does), not Python.
DECIMALS = {"quantity_ordered", "limit_price", "stop_price", "filled_quantity"}
DECIMALS |= {"average_fill_price", "fill_notional", "quantity_filled", "fill_price", "commission"}


def _select(table: str, names: list[str]) -> sql.Composed:
    return sql.SQL(", ").join(
        sql.SQL("trim_scale({})").format(sql.Identifier(table, name))
        if name in DECIMALS
        else sql.Identifier(table, name)
        for name in names
    )


ORDERS_SQL = sql.SQL(
    "SELECT {} FROM orders o WHERE status = ANY(%s) ORDER BY created_at, order_pk"
).format(_select("o", ORDER_COLUMNS))
FILLS_SQL = sql.SQL(
    "SELECT {} FROM fills f JOIN orders o ON o.order_pk = f.order_pk"
    " WHERE o.status = ANY(%s) ORDER BY f.order_pk, f.filled_at, f.fill_id"
).format(_select("f", FILL_COLUMNS))


def _plain(cls: type) -> type:
    """An unmapped attrs class with the fields of ``cls`` (no converters, no checks)."""
    names = [field.name for field in attrs.fields(cls)]
    return attrs.make_class(f"Plain{cls.__name__}", names, slots=False, eq=False)


PlainOrder = _plain(Order)
PlainFill = _plain(Fill)
SIDES = {m.value: m for m in Side}
TYPES = {m.value: m for m in OrderType}
STATUSES = {m.value: m for m in OrderStatus}
LIQUIDITY: dict[str | None, LiquidityType | None] = {m.value: m for m in LiquidityType}
LIQUIDITY[None] = None
KINDS = {m.value: m for m in FillKind}


def _seed(url: object, count: int) -> None:
    """``count`` PARTIALLY_FILLED orders (open: ``list_open`` returns them all), two fills each."""
    engine = create_engine(url)  # type: ignore[arg-type]
    orders = []
    for n in range(count):
        order = Order(
            trading_pair="XRP/USD",
            exchange="kraken",
            side="BUY",
            order_type="LIMIT",
            quantity_ordered=Decimal(15),
            limit_price=Decimal("0.51"),
            exchange_order_id=f"O{n}",
            created_at=T0 + timedelta(seconds=n),
        )
        for k in range(FILLS_PER_ORDER):
            order.apply_fill(
                Fill(
                    fill_id=f"F{n}-{k}",
                    trading_pair="XRP/USD",
                    exchange="kraken",
                    side="BUY",
                    quantity_filled=Decimal(5),
                    fill_price=Decimal("0.5") + Decimal(k) / 100,
                    commission=Decimal("0.01"),
                    commission_asset="USD",
                    filled_at=T0 + timedelta(seconds=n, milliseconds=k),
                )
            )
        orders.append(order)
    with UnitOfWork(engine) as uow:
        bulk.insert_orders(uow.connection, orders)
        fills = [f for o in orders for f in o.fills]
        for order in orders:
            for fill in order.fills:
                fill.order_pk = order.order_pk
        bulk.insert_fills(uow.connection, fills)
        uow.commit()
    engine.dispose()


def _hand_built(conn: psycopg.Connection[Any]) -> list[Any]:
    """The open orders and their fills as plain objects, built by hand from a raw fetch."""
    fills: dict[int, list[Any]] = {}
    for row in conn.execute(FILLS_SQL, [OPEN]).fetchall():
        (fill_id, pair, exchange, side, quantity, price, fee, asset, at, liquidity) = row[:10]
        eid, pk, opk, extra, kind, reported = row[10:]
        fills.setdefault(opk, []).append(
            PlainFill(
                fill_id,
                pair,
                exchange,
                SIDES[side],
                quantity,
                price,
                fee,
                asset,
                at.astimezone(UTC),
                LIQUIDITY[liquidity],
                eid,
                pk,
                opk,
                {a: Decimal(x) for a, x in extra.items()},
                KINDS[kind],
                {k: Decimal(x) for k, x in reported.items()},
            )
        )
    orders = []
    for row in conn.execute(ORDERS_SQL, [OPEN]).fetchall():
        (pair, exchange, side, kind, quantity, limit, stop, cid, eid, sid) = row[:10]
        (strategy, reason, status, error) = row[10:14]
        (created, submitted, updated, closed, filled, average, notional, fees, pk) = row[14:]
        orders.append(
            PlainOrder(
                pair,
                exchange,
                SIDES[side],
                TYPES[kind],
                quantity,
                limit,
                stop,
                cid,
                eid,
                sid,
                strategy,
                reason,
                STATUSES[status],
                error,
                created.astimezone(UTC),
                None if submitted is None else submitted.astimezone(UTC),
                updated.astimezone(UTC),
                None if closed is None else closed.astimezone(UTC),
                filled,
                average,
                notional,
                {asset: Decimal(amount) for asset, amount in fees.items()},
                fills.get(pk, []),
                pk,
            )
        )
    return orders


def _shape(value: Any) -> Any:
    """A value as compared between ours and hand-built: type and exact digits count."""
    if isinstance(value, Decimal):
        return ("Decimal", value.as_tuple())
    if isinstance(value, list):
        return [_fields(item) for item in value]
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if hasattr(value, "tzinfo"):
        return (type(value), value, value.tzinfo)
    return (type(value), value)


def _fields(obj: Any) -> dict[str, Any]:
    return {name: _shape(getattr(obj, name)) for name in attrs.fields_dict(type(obj))}


def _best(actions: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Each action's best time over ``ROUNDS`` interleaved rounds.

    Each run ends with a pass of the collector over the youngest generation while its
    result is still held (as a caller holds what it loaded): a read that pauses the
    collector pays there for the pass it only deferred, not the run measured after it.
    """
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(ROUNDS):
        for name, action in actions.items():
            gc.collect()
            started = time.perf_counter()
            result = action()
            gc.collect(0)
            times[name].append(time.perf_counter() - started)
            del result
    return {name: min(samples) for name, samples in times.items()}


def run(count: int) -> list[Row]:
    """Rows per second of ours, of hand-built plain objects and of a bare fetchall."""
    with scratch_database() as url:
        _seed(url, count)
        engine = create_engine(url)
        conn = psycopg.connect(libpq(url))

        def ours() -> list[Order]:
            with UnitOfWork(engine) as uow:
                return uow.orders.list_open()

        def hand_built() -> list[Any]:
            with conn.transaction():
                return _hand_built(conn)

        def fetchall() -> list[Any]:
            with conn.transaction():
                return [
                    conn.execute(FILLS_SQL, [OPEN]).fetchall(),
                    conn.execute(ORDERS_SQL, [OPEN]).fetchall(),
                ]

        loaded, built = ours(), hand_built()  # warms caches; the same objects either way
        assert sum(len(o.fills) for o in loaded) == count * FILLS_PER_ORDER
        assert [_fields(o) for o in loaded] == [_fields(o) for o in built]
        del loaded, built
        best = _best({"ours": ours, "hand": hand_built, "fetchall": fetchall})
        conn.close()
        engine.dispose()
    rows = count * (1 + FILLS_PER_ORDER)
    ratio = best["hand"] / best["ours"]
    name = f"load {count:,} orders + fills into objects (rows/s)"
    return [
        Row(
            name,
            f"{rows / best['ours']:,.0f}",
            f"{rows / best['hand']:,.0f} (hand-built plain objects)",
            ratio,
            f">= {TARGET:.2f}",
            ratio >= TARGET,
        ),
        Row(
            f"load {count:,} orders + fills vs a bare fetchall (rows/s)",
            f"{rows / best['ours']:,.0f}",
            f"{rows / best['fetchall']:,.0f} (fetchall; hand-built is "
            f"{best['fetchall'] / best['hand']:.2f} of it)",
            best["fetchall"] / best["ours"],
            "reported",
            None,
        ),
    ]
