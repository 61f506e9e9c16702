"""The bot's reads on PostgreSQL (docs/reads.md): positions, balances, risk figures, history pages.

One database grows in steps, each step measured before the next: closed round trips over
three pairs as an import leaves them (``bench_report.seed``: an order and a fill per entry
and per exit, one trade each; one exit every 2 minutes), plus an open trade per pair.

* at ``fills`` fills: positions (marked) and balances;
* at ``trades`` trades: realized PnL of the current risk day, week and month (reset hour
  17, weeks from Sunday, "now" being the last exit), the streak, exposure at marks;
* at ``history`` fills: a page of 100 fills of one pair, newest first, 50 pages deep
  (keyset cursor), and the pair's count.

``ours`` is the median of the use case through the composition root's unit of work (a
transaction per read, as the bot calls it); the baseline, run alternately with it, is
psycopg running the equivalent hand-written SQL in its own transaction on one open
connection, its rows made ``Decimal`` by the driver.
"""

from __future__ import annotations

import functools
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy.engine import URL

from benchmarks import bench_report
from benchmarks.support import T0, Row, libpq, scratch_database
from gal_friday.domain.enums import TradeGrouping, TradeSide
from gal_friday.domain.paging import HistoryFilter, HistoryOrder
from gal_friday.domain.risk import ResetSchedule
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.fastpath import bulk
from gal_friday.persistence.tables import definitions as t
from gal_friday.services.history import count_history, fills_page
from gal_friday.services.positions import read_balances, read_positions
from gal_friday.services.risk import current_streak, realized_pnl, risk_figures

POSITIONS_TARGET_MS = 10.0
RISK_TARGET_MS = 5.0
PAGE_TARGET_MS = 20.0
RUNS = 30
PAGE = 100
DEPTH = 50
SCHEDULE = ResetSchedule(reset_hour=17, week_start="sun")
MARKS = {"BTC/USD": Decimal(43000), "XRP/USD": Decimal("0.55"), "DOGE/USD": Decimal("0.09")}

_OPEN_SQL = """
SELECT exchange, trading_pair, side, open_quantity, average_entry_price, realized_pnl,
       entry_timestamp
FROM trades WHERE exit_timestamp IS NULL
"""
_BALANCES_SQL = """
SELECT exchange, trading_pair, side, commission_asset, sum(quantity_filled),
       sum(quantity_filled * fill_price), sum(commission), count(*)
FROM fills GROUP BY exchange, trading_pair, side, commission_asset
"""
_PNL_SQL = """
SELECT trading_pair, sum(realized_pnl), count(*) FROM trades
WHERE exit_timestamp IS NOT NULL AND exit_timestamp >= %s AND exit_timestamp < %s
GROUP BY trading_pair
"""
_STREAK_SQL = """
SELECT trading_pair, exit_timestamp, realized_pnl, trade_pk FROM trades
WHERE exit_timestamp IS NOT NULL ORDER BY exit_timestamp DESC, trade_pk DESC LIMIT 32
"""
_PAGE_SQL = """
SELECT * FROM fills WHERE trading_pair = %s AND (filled_at, fill_pk) < (%s, %s)
ORDER BY filled_at DESC, fill_pk DESC LIMIT %s
"""
_SNAPSHOTS_SQL = """
SELECT * FROM portfolio_snapshots WHERE snapshot_timestamp >= %s AND snapshot_timestamp <= %s
ORDER BY snapshot_timestamp
"""
_COUNT_SQL = "SELECT count(*) FROM fills WHERE trading_pair = %s"


def _grow(url: URL, first: int, count: int) -> None:
    """Add closed round trips ``first .. first + count - 1`` (bench_report's shape)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for start in range(first, first + count, bench_report.CHUNK):
            orders: list[dict[str, Any]] = []
            fills: list[dict[str, Any]] = []
            trades: list[dict[str, Any]] = []
            for n in range(start, min(first + count, start + bench_report.CHUNK)):
                o, f, tr = bench_report._round_trip(n, 2 * n + 1)
                orders += o
                fills += f
                trades += tr
            bulk.insert_rows(conn, t.orders, orders)
            bulk.insert_rows(conn, t.fills, fills)
            bulk.insert_rows(conn, t.trades, trades)
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def _open_trades(url: URL, at_minutes: int) -> None:
    """One open long per pair (a position for every pair)."""
    rows = []
    for k, (pair, base, quantity) in enumerate(bench_report.PAIRS):
        rows.append(
            {
                "trade_id": uuid.uuid4(),
                "signal_id": None,
                "trading_pair": pair,
                "exchange": "kraken",
                "strategy_id": None,
                "side": TradeSide.LONG,
                "grouping": TradeGrouping.FLAT_TO_FLAT,
                "entry_order_pk": None,
                "exit_order_pk": None,
                "entry_timestamp": T0 + timedelta(minutes=at_minutes + k),
                "exit_timestamp": None,
                "quantity": quantity,
                "entry_cash": base * quantity,
                "open_quantity": quantity,
                "average_entry_price": base,
                "average_exit_price": None,
                "total_commission": Decimal(0),
                "realized_pnl": Decimal(0),
                "realized_pnl_pct": None,
                "exit_reason": None,
            }
        )
    engine = create_engine(url)
    with engine.begin() as conn:
        bulk.insert_rows(conn, t.trades, rows)
    engine.dispose()


def _vacuum(url: URL) -> None:
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _median_ms(action: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _pair_of_timings(ours: Callable[[], object], raw: Callable[[], object]) -> tuple[float, float]:
    """Medians of ``ours`` and ``raw`` measured alternately (same machine load), after a warm-up."""
    ours()
    raw()
    a: list[float] = []
    b: list[float] = []
    for _ in range(3):
        a.append(_median_ms(ours))
        b.append(_median_ms(raw))
    return min(a), min(b)


def _row(name: str, ours: float, raw: float, baseline: str, target: float | None) -> Row:
    return Row(
        f"{name} (ms)",
        f"{ours:.2f}",
        f"{raw:.2f} ({baseline})",
        ours / raw if raw else float("inf"),
        "-" if target is None else f"<= {target:.0f} ms",
        None if target is None else ours <= target,
    )


def _raw(conn: psycopg.Connection[Any], sql: str, *params: Any) -> Callable[[], object]:
    def run() -> object:
        rows = conn.execute(sql, params or None).fetchall()
        conn.rollback()
        return rows

    return run


def _all_risk_sql(
    conn: psycopg.Connection[Any], windows: list[tuple[Any, Any]], week: Any, now: Any
) -> Callable[[], object]:
    """What ``risk_figures`` reads, by hand, in one transaction."""

    def run() -> object:
        found = [conn.execute(_PNL_SQL, window).fetchall() for window in windows]
        found.append(conn.execute(_STREAK_SQL).fetchall())
        found.append(conn.execute(_OPEN_SQL).fetchall())
        found.append(conn.execute(_SNAPSHOTS_SQL, (week, now)).fetchall())
        conn.rollback()
        return found

    return run


def run(fills: int, trades: int, history: int) -> list[Row]:
    """Rows of the reads at ``fills`` fills, ``trades`` trades and ``history`` fills."""
    rows: list[Row] = []
    with scratch_database() as url:
        uow = unit_of_work_factory(url.render_as_string(hide_password=False))
        with psycopg.connect(libpq(url)) as conn:
            stored = fills // 2  # round trips (two fills each)
            _grow(url, 0, stored)
            _open_trades(url, 2 * stored)
            _vacuum(url)
            label = f"{fills:,} fills"
            ours, raw = _pair_of_timings(lambda: read_positions(uow, MARKS), _raw(conn, _OPEN_SQL))
            rows.append(
                _row(f"positions at {label}", ours, raw, "open trades, SQL", POSITIONS_TARGET_MS)
            )
            ours, raw = _pair_of_timings(lambda: read_balances(uow), _raw(conn, _BALANCES_SQL))
            rows.append(
                _row(f"balances at {label}", ours, raw, "grouped SUMs, SQL", POSITIONS_TARGET_MS)
            )

            if trades > stored:
                _grow(url, stored, trades - stored)
                stored = trades
                _vacuum(url)
            now = T0 + timedelta(minutes=2 * stored)  # just after the last exit
            label = f"{stored:,} trades"
            day, week, month = (
                SCHEDULE.day_start(now),
                SCHEDULE.week_start_at(now),
                SCHEDULE.month_start(now),
            )
            for name, start, end in [
                ("day", day, day + timedelta(days=1)),
                ("week", week, week + timedelta(days=7)),
                ("month", month, SCHEDULE.month_start(month + timedelta(days=32))),
            ]:
                ours, raw = _pair_of_timings(
                    functools.partial(realized_pnl, uow, start, end),
                    _raw(conn, _PNL_SQL, start, end),
                )
                rows.append(
                    _row(
                        f"realized PnL this {name} at {label}",
                        ours,
                        raw,
                        "SUM, SQL",
                        RISK_TARGET_MS,
                    )
                )
            ours, raw = _pair_of_timings(lambda: current_streak(uow), _raw(conn, _STREAK_SQL))
            rows.append(_row(f"streak at {label}", ours, raw, "newest 32, SQL", RISK_TARGET_MS))
            windows = [(day, day + timedelta(days=1)), (week, week + timedelta(days=7))]
            windows.append((month, SCHEDULE.month_start(month + timedelta(days=32))))
            ours, raw = _pair_of_timings(
                lambda: risk_figures(uow, at=now, schedule=SCHEDULE, marks=MARKS),
                _all_risk_sql(conn, windows, week, now),
            )
            rows.append(
                _row(
                    f"risk figures (all, with exposure) at {label}",
                    ours,
                    raw,
                    "the same reads, SQL",
                    None,
                )
            )

            if history > 2 * stored:
                _grow(url, stored, history // 2 - stored)
                stored = history // 2
                _vacuum(url)
            label = f"{2 * stored:,} fills"
            pair = HistoryFilter(trading_pair="BTC/USD")
            cursor: str | None = None
            depth = 0
            while depth < DEPTH:  # the cursor of page DEPTH + 1 (fewer at small sizes)
                page = fills_page(uow, pair, limit=PAGE, cursor=cursor)
                if page.next_cursor is None:
                    break
                cursor, last, depth = page.next_cursor, page.items[-1], depth + 1
            ours, raw = _pair_of_timings(
                lambda: fills_page(
                    uow, pair, order=HistoryOrder.NEWEST_FIRST, limit=PAGE, cursor=cursor
                ),
                _raw(conn, _PAGE_SQL, "BTC/USD", last.filled_at, last.fill_pk, PAGE),
            )
            rows.append(
                _row(
                    f"history: page of {PAGE} fills, {depth + 1} pages deep, at {label}",
                    ours,
                    raw,
                    "keyset, SQL",
                    PAGE_TARGET_MS,
                )
            )
            ours, raw = _pair_of_timings(
                lambda: count_history(uow, "fills", pair), _raw(conn, _COUNT_SQL, "BTC/USD")
            )
            rows.append(
                _row(
                    f"history: count of a pair's fills at {label}",
                    ours,
                    raw,
                    "count(*), SQL",
                    PAGE_TARGET_MS,
                )
            )
    return rows
