"""The import service on both backends: split exports, re-imports, and the stored result."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from gal_friday.domain import OrderStatus, TradeSide
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.importing import import_history

HEADER = "txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers\n"


def export(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows))
    return path


def test_an_order_split_across_two_exports_is_one_order_and_trades_span_both(engine, tmp_path):
    january = export(
        tmp_path,
        "january.csv",
        "T1,O1,XXBTZUSD,2024-01-31 23:59:00,buy,limit,100,50,0.1,0.5,0,,",
        "T0,O0,XXRPZUSD,2024-01-15 10:00:00,buy,market,0.5,50,0.05,100,0,,",
    )
    february = export(
        tmp_path,
        "february.csv",
        "T2,O1,XXBTZUSD,2024-02-01 00:01:00,buy,limit,102,51,0.1,0.5,0,,",
        "T3,O2,XXBTZUSD,2024-02-02 12:00:00,sell,market,110,110,0.2,1,0,,",
    )
    first = import_history(engine, january, "kraken-trades")
    assert (first.fills_added, first.orders_added, first.trades_rebuilt) == (2, 2, 2)
    second = import_history(engine, february, "kraken-trades")
    assert (second.fills_added, second.orders_added, second.orders_extended) == (2, 1, 1)
    assert second.trades_rebuilt == 1  # only BTC/USD was touched

    with UnitOfWork(engine) as uow:
        order = uow.orders.get_by_exchange_id("kraken", "O1")
        assert order is not None
        assert [f.fill_id for f in order.fills] == ["T1", "T2"]
        assert order.status is OrderStatus.FILLED
        assert (order.quantity_ordered, order.filled_quantity) == (Decimal(1), Decimal(1))
        assert order.average_fill_price == Decimal(101)
        (btc,) = uow.trades.all("BTC/USD")
        # bought 0.5 @ 100 and 0.5 @ 102, sold 1 @ 110: 110 - 101 - 0.4 fees = 8.6
        assert (btc.side, btc.realized_pnl, btc.total_commission) == (
            TradeSide.LONG,
            Decimal("8.6"),
            Decimal("0.4"),
        )
        assert btc.entry_order_pk == order.order_pk
        (xrp,) = uow.trades.all("XRP/USD")
        assert not xrp.is_closed and xrp.open_quantity == Decimal(100)


def test_importing_the_same_file_again_changes_nothing(engine, tmp_path):
    path = export(
        tmp_path,
        "trades.csv",
        "T1,O1,XXBTZUSD,2024-01-01 10:00:00,buy,market,100,100,0.1,1,0,,",
        "T2,O2,XXBTZUSD,2024-01-01 11:00:00,sell,market,105,105,0.1,1,0,,",
    )
    import_history(engine, path, "kraken-trades")
    with UnitOfWork(engine) as uow:
        before = [(t.trade_id, t.realized_pnl) for t in uow.trades.all()]
    again = import_history(engine, path, "kraken-trades")
    assert (again.fills_added, again.fills_already_stored, again.changed_anything) == (0, 2, False)
    with UnitOfWork(engine) as uow:
        assert [(t.trade_id, t.realized_pnl) for t in uow.trades.all()] == before
        assert before[0][1] == Decimal("4.8")
        assert len(uow.orders.list_open()) == 0


def test_a_reimport_larger_than_one_id_batch_finds_every_stored_fill(engine, tmp_path):
    """2,500 fills: more ids than one IN list holds on SQLite, one array on PostgreSQL."""
    rows = [
        f"T{n},O{n // 2},XXRPZUSD,2024-01-01 {n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d},"
        f"{'buy' if n // 2 % 2 == 0 else 'sell'},market,0.5,5,0.01,10,0,,"
        for n in range(2500)
    ]
    path = export(tmp_path, "big.csv", *rows)
    first = import_history(engine, path, "kraken-trades")
    assert (first.fills_added, first.orders_added, first.trades_rebuilt) == (2500, 1250, 625)
    again = import_history(engine, path, "kraken-trades")
    assert (again.fills_added, again.fills_already_stored, again.orders_added) == (0, 2500, 0)
