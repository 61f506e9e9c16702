"""``record_fill`` end to end, its trade update included, on a pair whose position never goes flat.

A bot scaling into a position: buys of 0.5 BTC, every third fill a partial sell of 0.2,
so the flat-to-flat round trip stays open. One contender starts from a pair with no fill;
the other from a pair whose open round trip already has 10,000 fills (its trades built
once before the clock starts). The trades follow each fill from their running figures
(docs/live-fills.md, "Incremental trades"), so both should cost the same; the raw
baseline is the fill's transaction alone in hand-written psycopg (``bench_live_path``),
run side by side.
"""

from __future__ import annotations

import itertools
import time
from datetime import timedelta
from decimal import Decimal

from benchmarks.bench_live_path import _Raw
from benchmarks.support import T0, Row, median, percentile, scratch_database
from gal_friday.domain import Fill, Order, OrderType, Side
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.fastpath import bulk
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import record_fill

#: Fills already in the open round trip of the "long cycle" case.
PRELOADED = 10_000
TARGET = 1.2


def _fill(n: int) -> Fill:
    sell = n % 3 == 2
    return Fill(
        fill_id=f"C{n:+08d}",
        trading_pair="BTC/USD",
        exchange="kraken",
        side=Side.SELL if sell else Side.BUY,
        quantity_filled=Decimal("0.2") if sell else Decimal("0.5"),
        fill_price=Decimal(100 + n % 7),
        commission=Decimal("0.01"),
        commission_asset="USD",
        filled_at=T0 + timedelta(days=30, seconds=n),
    )


def _order(side: Side) -> Order:
    return Order(
        trading_pair="BTC/USD",
        exchange="kraken",
        side=side,
        order_type=OrderType.MARKET,
        quantity_ordered=Decimal(10_000_000),
        created_at=T0,
    )


class _Ours:
    """``record_fill`` (trades on) on a pair with ``preloaded`` fills in its open cycle."""

    def __init__(self, url: object, preloaded: int) -> None:
        self.engine = create_engine(url)  # type: ignore[arg-type]
        self.orders = {side: _order(side) for side in Side}
        history = [_fill(n - preloaded) for n in range(preloaded)]
        for fill in history:
            self.orders[fill.side].apply_new_fill(fill)
        with UnitOfWork(self.engine) as uow:
            bulk.insert_orders(uow.connection, list(self.orders.values()))
            for fill in history:
                fill.order_pk = self.orders[fill.side].order_pk
            bulk.insert_fills(uow.connection, history)
            uow.commit()
        with self.engine.connect() as conn:  # a database in use has its statistics (autovacuum)
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        self.samples: list[float] = []
        self._record(_fill(-preloaded - 1))  # builds the pair's trades and running figures

    def _record(self, fill: Fill) -> None:
        record_fill(
            lambda: UnitOfWork(self.engine),
            fill,
            client_order_id=self.orders[fill.side].client_order_id,
        )

    def sample(self, n: int) -> None:
        fill = _fill(n)  # made before the clock starts, as the raw contender's
        started = time.perf_counter()
        self._record(fill)
        self.samples.append(time.perf_counter() - started)


def _rows(label: str, ours: list[float], raw: list[float]) -> list[Row]:
    ratio = median(ours) / median(raw)
    return [
        Row(
            f"record_fill with trades, {label}: median ms",
            f"{median(ours) * 1e3:.2f}",
            f"{median(raw) * 1e3:.2f} (raw SQL, fill only)",
            ratio,
            "reported",
            None,
        ),
        Row(
            f"record_fill with trades, {label}: p99 ms",
            f"{percentile(ours, 99) * 1e3:.2f}",
            f"{percentile(raw, 99) * 1e3:.2f}",
            percentile(ours, 99) / percentile(raw, 99),
            "reported",
            None,
        ),
    ]


def run(fills: int) -> list[Row]:
    """Median and p99 of ``record_fill`` with 0 and 10,000 fills in the open cycle, the
    raw baseline alongside; each round samples every contender, in rotating order.
    """
    with (
        scratch_database() as empty_url,
        scratch_database() as long_url,
        scratch_database() as raw_url,
    ):
        raw = _Raw(raw_url)
        at_zero = _Ours(empty_url, 0)
        at_long = _Ours(long_url, PRELOADED)
        contenders: tuple[_Raw | _Ours, ...] = (raw, at_zero, at_long)
        try:
            orders = list(itertools.permutations(contenders))
            for n in range(fills):
                for contender in orders[n % len(orders)]:
                    contender.sample(n)
        finally:
            raw.conn.close()
            at_zero.engine.dispose()
            at_long.engine.dispose()
    growth = median(at_long.samples) / median(at_zero.samples)
    return [
        *_rows("open cycle from 0 fills", at_zero.samples, raw.samples),
        *_rows(f"open cycle of {PRELOADED:,} fills", at_long.samples, raw.samples),
        Row(
            f"record_fill with trades: median at {PRELOADED:,} fills in the cycle / at 0",
            f"{median(at_long.samples) * 1e3:.2f}",
            f"{median(at_zero.samples) * 1e3:.2f}",
            growth,
            f"<= {TARGET:.2f}",
            growth <= TARGET,
        ),
    ]
