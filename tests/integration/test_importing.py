"""The import service on both backends: split exports, re-imports, and the stored result."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from gal_friday.domain import OrderStatus, TradeSide
from gal_friday.persistence.bootstrap import unit_of_work_factory
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
    first = import_history(unit_of_work_factory(engine), january, "kraken-trades")
    assert (first.fills_added, first.orders_added, first.trades_rebuilt) == (2, 2, 2)
    second = import_history(unit_of_work_factory(engine), february, "kraken-trades")
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
    import_history(unit_of_work_factory(engine), path, "kraken-trades")
    with UnitOfWork(engine) as uow:
        before = [(t.trade_id, t.realized_pnl) for t in uow.trades.all()]
    again = import_history(unit_of_work_factory(engine), path, "kraken-trades")
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
    first = import_history(unit_of_work_factory(engine), path, "kraken-trades")
    assert (first.fills_added, first.orders_added, first.trades_rebuilt) == (2500, 1250, 625)
    again = import_history(unit_of_work_factory(engine), path, "kraken-trades")
    assert (again.fills_added, again.fills_already_stored, again.orders_added) == (0, 2500, 0)


def _stored(engine) -> tuple[list[tuple], list[tuple]]:
    with UnitOfWork(engine) as uow:
        orders = sorted(
            (
                o.exchange_order_id,
                o.quantity_ordered,
                o.filled_quantity,
                o.average_fill_price,
                o.limit_price,
                o.status,
                o.created_at,
                o.closed_at,
                tuple(f.fill_id for f in o.fills),
            )
            for o in uow.orders.list_open() + _all_orders(uow)
        )
        trades = sorted(
            (t.trade_id, t.realized_pnl, t.total_commission, t.quantity) for t in uow.trades.all()
        )
    return orders, trades


def _all_orders(uow) -> list:
    from sqlalchemy import select

    from gal_friday.domain import Order

    return list(uow.session.scalars(select(Order)))


SPLIT_ROWS = (
    "T1,O1,XXBTZUSD,2024-01-01 10:00:00,buy,limit,100,50,0.1,0.5,0,,",
    "T2,O2,XXBTZUSD,2024-01-01 10:30:00,buy,market,101,101,0.1,1,0,,",
    "T3,O1,XXBTZUSD,2024-01-01 11:00:00,buy,limit,102,51,0.1,0.5,0,,",  # O1 again, next chunk
    "T1,O1,XXBTZUSD,2024-01-01 10:00:00,buy,limit,100,50,0.1,0.5,0,,",  # a repeat of line 2
    "T4,O3,XXBTZUSD,2024-01-01 12:00:00,sell,market,110,220,0.2,2,0,,",
)


def test_an_order_whose_fills_fall_in_two_chunks_is_the_order_one_chunk_makes(
    engine, database_url, tmp_path, monkeypatch
):
    from gal_friday.persistence.database import create_engine
    from gal_friday.persistence.schema import upgrade
    from gal_friday.services import importing

    path = export(tmp_path, "split.csv", *SPLIT_ROWS)
    whole = import_history(unit_of_work_factory(engine), path, "kraken-trades")
    expected = _stored(engine)
    assert (whole.fills_added, whole.orders_added, whole.duplicates_in_file) == (4, 3, 1)

    other = create_engine(f"sqlite:///{tmp_path / 'chunks.db'}")
    upgrade(other)
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    chunked = import_history(unit_of_work_factory(other), path, "kraken-trades")
    assert (chunked.fills_added, chunked.orders_added, chunked.orders_extended) == (4, 3, 1)
    assert (chunked.duplicates_in_file, chunked.fills_already_stored) == (1, 0)
    orders, trades = _stored(other)
    assert orders == expected[0]
    # trade ids depend only on fills; the figures must match the one-chunk import
    assert [t[1:] for t in trades] == [t[1:] for t in expected[1]]
    o1 = next(o for o in orders if o[0] == "O1")
    assert o1[4] == Decimal(102)  # the limit price is the worst fill over both chunks
    other.dispose()


def test_an_order_in_two_chunks_with_another_side_is_refused_naming_the_line(
    engine, tmp_path, monkeypatch
):
    import pytest

    from gal_friday.importers import ImportFormatError
    from gal_friday.services import importing

    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)
    path = export(
        tmp_path,
        "bad.csv",
        "T1,O1,XXBTZUSD,2024-01-01 10:00:00,buy,market,100,50,0.1,0.5,0,,",
        "T2,O1,XXBTZUSD,2024-01-01 10:01:00,sell,market,100,50,0.1,0.5,0,,",
    )
    with pytest.raises(ImportFormatError, match=r"bad.csv:3: order 'O1': .*side"):
        import_history(unit_of_work_factory(engine), path, "kraken-trades")
    with UnitOfWork(engine) as uow:
        assert _all_orders(uow) == []


def test_a_reexport_that_changes_a_stored_fill_is_refused_and_nothing_is_written(engine, tmp_path):
    import pytest

    from gal_friday.importers import ImportFormatError

    first = export(
        tmp_path,
        "first.csv",
        "T1,O1,XXBTZUSD,2024-01-01 10:00:00,buy,market,100,100,0.1,1,0,,",
        "T2,O2,XXBTZUSD,2024-01-01 11:00:00,sell,market,105,105,0.1,1,0,,",
    )
    import_history(unit_of_work_factory(engine), first, "kraken-trades")
    before = _stored(engine)
    changed = export(
        tmp_path,
        "changed.csv",
        "T9,O9,XXBTZUSD,2024-01-02 10:00:00,buy,market,100,100,0.1,1,0,,",  # new: not stored
        "T1,O1,XXBTZUSD,2024-01-01 10:00:00,buy,market,100,100,0.1,1,0,,",  # identical
        "T2,O2,XXBTZUSD,2024-01-01 11:00:01,sell,market,106,105,0.2,1,0,,",
    )
    with pytest.raises(ImportFormatError) as info:
        import_history(unit_of_work_factory(engine), changed, "kraken-trades")
    message = str(info.value)
    assert message.startswith(f"{changed}:4: column 'txid' (1): txid 'T2' is already stored")
    assert "fill_price 106 here, 105 stored" in message
    assert "commission 0.2 here, 0.1 stored" in message
    assert "filled_at 2024-01-01T11:00:01+00:00 here, 2024-01-01T11:00:00+00:00 stored" in message
    assert "quantity_filled" not in message and "side" not in message
    assert _stored(engine) == before  # T9 was not written either
    again = import_history(unit_of_work_factory(engine), first, "kraken-trades")
    assert (again.fills_added, again.fills_already_stored) == (0, 2)


def test_progress_covers_reading_rebuilding_and_the_commit(engine, tmp_path, monkeypatch):
    import gc

    from gal_friday.services import importing

    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    path = export(tmp_path, "split.csv", *SPLIT_ROWS)
    seen: list[tuple[str, int, int | None, bool]] = []
    import_history(
        unit_of_work_factory(engine),
        path,
        "kraken-trades",
        progress=lambda phase, done, total: seen.append((phase, done, total, gc.isenabled())),
    )
    phases = [phase for phase, *_ in seen]
    assert phases == ["reading"] * 4 + ["rebuilding trades"] * 2 + ["committing"]
    size = path.stat().st_size
    assert seen[0][1:3] == (0, size) and seen[3][1:3] == (size, size)
    assert [s[1] for s in seen[:4]] == sorted(s[1] for s in seen[:4])
    assert seen[4][1:3] == (0, 1) and seen[5][1:3] == (1, 1)
    # the collector is paused only while a chunk is built: on between chunks
    assert all(enabled for *_, enabled in seen)


def test_import_leaves_the_garbage_collector_as_it_found_it(engine, tmp_path):
    import gc

    import pytest

    from gal_friday.importers import ImportFormatError

    good = export(tmp_path, "good.csv", *SPLIT_ROWS)
    bad = export(
        tmp_path, "bad.csv", SPLIT_ROWS[0], "T2,O2,XXBTZUSD,yesterday,buy,market,1,1,0,1,0,,"
    )
    assert gc.isenabled()
    import_history(unit_of_work_factory(engine), good, "kraken-trades")
    assert gc.isenabled()
    with pytest.raises(ImportFormatError):
        import_history(unit_of_work_factory(engine), bad, "kraken-trades")
    assert gc.isenabled()
    gc.disable()
    try:
        import_history(unit_of_work_factory(engine), good, "kraken-trades")
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_another_thread_sees_the_collector_on_between_chunks_and_after(
    engine, tmp_path, monkeypatch
):
    """The pause is process-wide while a chunk is built (documented trade-off), and only then:
    another thread, looking each time the importer reports progress, finds it on."""
    import gc
    import queue
    import threading

    from gal_friday.services import importing

    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    path = export(tmp_path, "split.csv", *SPLIT_ROWS)
    reported: queue.Queue[str | None] = queue.Queue()
    looked = threading.Semaphore(0)
    seen: list[tuple[str, bool]] = []

    def progress(phase: str, done: int, total: int | None) -> None:
        reported.put(phase)
        looked.acquire()  # wait until the other thread has looked

    def importer() -> None:
        try:
            import_history(unit_of_work_factory(engine), path, "kraken-trades", progress=progress)
        finally:
            reported.put(None)

    worker = threading.Thread(target=importer)
    worker.start()
    while (phase := reported.get(timeout=60)) is not None:
        seen.append((phase, gc.isenabled()))
        looked.release()
    worker.join()
    assert len(seen) == 7
    assert all(enabled for _, enabled in seen)
    assert gc.isenabled()
