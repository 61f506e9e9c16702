"""The hot queries use their indexes on PostgreSQL with 100,000+ rows (read from EXPLAIN)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, event, text

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.errors import FILL_UNIQUE
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import T0

ROWS = 120_000


@pytest.fixture
def loaded(postgres_url) -> Engine:
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO orders (client_order_id, trading_pair, exchange, side, order_type,"
                " quantity_ordered, status, created_at, last_updated_at, filled_quantity, version)"
                " SELECT gen_random_uuid(), 'BTC/USD', 'kraken', 'BUY', 'MARKET', 1,"
                " CASE WHEN g % 500 = 0 THEN 'OPEN' ELSE 'FILLED' END,"
                " :t0 + g * interval '1 second', :t0, 1, 1 FROM generate_series(1, :n) g"
            ),
            {"t0": T0, "n": ROWS},
        )
        conn.execute(
            text(
                "INSERT INTO fills (fill_id, order_pk, trading_pair, exchange, side, quantity_filled,"
                " fill_price, commission, commission_asset, filled_at)"
                " SELECT 'F' || g, g, 'BTC/USD', 'kraken', 'BUY', 1, 100, 0, 'USD',"
                " :t0 + g * interval '1 second' FROM generate_series(1, :n) g"
            ),
            {"t0": T0, "n": ROWS},
        )
        conn.execute(
            text(
                "INSERT INTO trades (trade_id, trading_pair, exchange, side, grouping, entry_timestamp,"
                " quantity, entry_cash, open_quantity, average_entry_price, total_commission,"
                " realized_pnl) SELECT gen_random_uuid(), CASE WHEN g % 3 = 0 THEN 'XRP/USD'"
                " ELSE 'BTC/USD' END, 'kraken', 'LONG', 'FIFO', :t0 + g * interval '1 minute', 1, 100,"
                " 0, 100, 0, 1 FROM generate_series(1, :n) g"
            ),
            {"t0": T0, "n": ROWS},
        )
        conn.execute(
            text(
                "INSERT INTO portfolio_snapshots (snapshot_timestamp, total_equity, available_balance,"
                " total_exposure_pct, daily_drawdown_pct, weekly_drawdown_pct, max_drawdown_pct,"
                " positions) SELECT :t0 + g * interval '1 minute', 1000, '{}', 0, 0, 0, 0, '{}'"
                " FROM generate_series(1, :n) g"
            ),
            {"t0": T0, "n": ROWS},
        )
        conn.execute(
            text(
                "INSERT INTO logs (record_id, timestamp, logger_name, level_name, level_no, message)"
                " SELECT gen_random_uuid(), :t0 + g * interval '1 second', 'gf', 'INFO', 20, 'm'"
                " FROM generate_series(1, :n) g"
            ),
            {"t0": T0, "n": ROWS},
        )
        for table in ("orders", "fills", "trades", "portfolio_snapshots", "logs"):
            conn.execute(text(f"ANALYZE {table}"))
    yield engine
    engine.dispose()


def _indexes_used(engine: Engine, sql: str, params: dict) -> set[str]:
    with engine.connect() as conn:
        plan = conn.execute(text(f"EXPLAIN (FORMAT JSON) {sql}"), params).scalar()
    found: set[str] = set()

    def walk(node: dict) -> None:
        if "Index Name" in node:
            found.add(node["Index Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
    return found


HOT_QUERIES = {
    "open orders": (
        "SELECT * FROM orders WHERE status IN ('PENDING_SUBMIT', 'OPEN',"
        " 'PARTIALLY_FILLED') AND trading_pair = 'BTC/USD'",
        {},
        "ix_orders_status_trading_pair",
    ),
    "fills of an order": (
        "SELECT * FROM fills WHERE order_pk = :pk",
        {"pk": 4242},
        "ix_fills_order_pk",
    ),
    "trades of a pair in a period": (
        "SELECT * FROM trades WHERE trading_pair = 'XRP/USD' AND entry_timestamp >= :a"
        " AND entry_timestamp < :b",
        {"a": T0 + timedelta(days=3), "b": T0 + timedelta(days=4)},
        "ix_trades_trading_pair_entry_timestamp",
    ),
    "latest snapshot": (
        "SELECT * FROM portfolio_snapshots ORDER BY snapshot_timestamp DESC LIMIT 1",
        {},
        "ix_portfolio_snapshots_snapshot_timestamp",
    ),
    "logs of a time range": (
        "SELECT * FROM logs WHERE timestamp >= :a AND timestamp < :b",
        {"a": T0 + timedelta(hours=5), "b": T0 + timedelta(hours=6)},
        "ix_logs_timestamp",
    ),
}


def test_hot_queries_use_their_indexes(loaded):
    used = {
        name: _indexes_used(loaded, sql, params) for name, (sql, params, _) in HOT_QUERIES.items()
    }
    expected = {name: {index} for name, (_, _, index) in HOT_QUERIES.items()}
    assert {name: used[name] & expected[name] for name in used} == expected


def test_the_import_lookup_of_stored_fill_ids_is_one_statement_on_a_constant_array(loaded):
    """5,000 ids in one statement with one constant array (``= ANY('{...}')``).

    The planner then uses the unique index, or a sequential scan that hashes the array.
    ``IN`` lists of 1,000 bound parameters per statement cannot be hashed: with the
    statistics stale after a bulk load, each one scanned the table comparing every row
    with every id, and re-importing 100,000 fills took minutes (3 s with the array).
    """
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    wanted = [f"F{n}" for n in range(1, 5001)] + ["missing"]
    event.listen(loaded, "before_cursor_execute", capture)
    try:
        with UnitOfWork(loaded) as uow:
            found = uow.fills.existing_ids("kraken", wanted)
    finally:
        event.remove(loaded, "before_cursor_execute", capture)
    assert found == set(wanted[:-1])
    lookups = [(sql, params) for sql, params in statements if "FROM fills" in sql]
    assert len(lookups) == 1
    sql, params = lookups[0]
    with loaded.connect() as conn:
        driver = conn.connection.driver_connection
        plan = driver.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()[0]
    shown = json.dumps(plan)
    assert FILL_UNIQUE in shown or "= ANY ('{F1,F2," in shown, shown[:500]
    assert "ARRAY[" not in shown
