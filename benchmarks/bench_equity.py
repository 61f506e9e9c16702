"""The daily equity curve and its statistics from PostgreSQL vs a raw fetch of the same rows.

Three pairs with three years of daily candles each and ``count`` fills spread over those
years (orders of 10 fills, buys then sells, so every pair keeps trading round trips); the
trades are rebuilt first, as an import leaves them. ``ours`` is the whole use case
(``services.equity.build_equity``: read fills, trades and candles, mark every day,
statistics, drawdowns); the baseline is psycopg fetching the same rows, nothing computed.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import psycopg

from benchmarks.support import T0, Row, libpq, scratch_database, timed
from gal_friday.domain import Fill, Order
from gal_friday.domain.candles import Candle
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.fastpath import bulk
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.equity import build_equity
from gal_friday.services.trade_rebuild import rebuild_pairs

DAYS = 3 * 365
PAIRS = [("BTC/USD", Decimal("42000"), Decimal("0.001")), ("XRP/USD", Decimal("0.5"), Decimal(50)),
         ("DOGE/USD", Decimal("0.08"), Decimal(200))]  # fmt: skip
FILLS_PER_ORDER = 10
TARGET_SECONDS = 2.0


def _price(base: Decimal, day: int) -> Decimal:
    return base * Decimal(1000 + (day * 7) % 300 - 150) / Decimal(1000)


def _orders(count: int) -> list[Order]:
    seconds_per_fill = DAYS * 86400 // count
    orders: list[Order] = []
    for n in range(0, count, FILLS_PER_ORDER):
        pair, base, quantity = PAIRS[(n // FILLS_PER_ORDER) % 3]
        side = "BUY" if (n // (FILLS_PER_ORDER * 3)) % 2 == 0 else "SELL"
        fills = []
        for k in range(min(FILLS_PER_ORDER, count - n)):
            when = T0 + timedelta(seconds=(n + k) * seconds_per_fill)
            price = _price(base, (when - T0).days)
            fills.append(
                Fill(
                    fill_id=f"F{n + k:09d}",
                    trading_pair=pair,
                    exchange="kraken",
                    side=side,
                    quantity_filled=quantity,
                    fill_price=price,
                    commission=(price * quantity * Decimal("0.0026")).quantize(Decimal("1e-8")),
                    commission_asset="USD",
                    filled_at=when,
                )
            )
        total = quantity * len(fills)
        order = Order(trading_pair=pair, exchange="kraken", side=side, order_type="MARKET",
                      quantity_ordered=total, created_at=fills[0].filled_at)  # fmt: skip
        for fill in fills:
            order.apply_fill(fill)
        orders.append(order)
    return orders


def _candles() -> list[Candle]:
    candles = []
    for pair, base, _ in PAIRS:
        for day in range(DAYS + 1):
            close = _price(base, day)
            candles.append(
                Candle(
                    exchange="kraken",
                    trading_pair=pair,
                    interval_s=86400,
                    open_time=T0 + timedelta(days=day),
                    open=close,
                    high=close * 2,
                    low=close / 2,
                    close=close,
                    volume=Decimal(1),
                )
            )
    return candles


def _seed(url: object, count: int) -> None:
    engine = create_engine(url)  # type: ignore[arg-type]
    orders = _orders(count)
    with UnitOfWork(engine) as uow:
        bulk.insert_orders(uow.connection, orders)
        fills = []
        for order in orders:
            for fill in order.fills:
                fill.order_pk = order.order_pk
                fills.append(fill)
        bulk.insert_fills(uow.connection, fills)
        uow.candles.insert(_candles())
        rebuild_pairs(uow, [("kraken", pair) for pair, _, _ in PAIRS])
        uow.commit()
    engine.dispose()


def run(count: int) -> list[Row]:
    """Seconds of the equity use case and of the raw fetch."""
    with scratch_database() as url:
        _seed(url, count)
        engine = create_engine(url)
        days: list[int] = []

        uow_factory = unit_of_work_factory(engine)

        def ours() -> None:
            report = build_equity(uow_factory, start_capital=Decimal(10_000_000), currency="USD")
            days.append(len(report.days))

        def raw() -> None:
            with psycopg.connect(libpq(url)) as conn:
                conn.execute("SELECT * FROM fills").fetchall()
                conn.execute("SELECT * FROM trades").fetchall()
                conn.execute("SELECT * FROM candles").fetchall()

        ours()  # warm caches the same way for both
        raw()
        ours_time = min(timed(ours) for _ in range(3))
        raw_time = min(timed(raw) for _ in range(3))
        engine.dispose()
    assert days[-1] >= DAYS
    return [
        Row(
            f"equity: {days[-1]:,} days x 3 pairs from {count:,} fills (s)",
            f"{ours_time:.2f}",
            f"{raw_time:.2f} (fetchall of fills, trades, candles)",
            ours_time / raw_time,
            f"< {TARGET_SECONDS:.0f} s",
            ours_time < TARGET_SECONDS,
        )
    ]
