"""The same repository behaviour from the in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from gal_friday.domain import (
    Configuration,
    DuplicateFillError,
    EventLog,
    Log,
    PortfolioSnapshot,
    Signal,
    SignalStatus,
    SystemLog,
    Trade,
    TradeGrouping,
    TradeSide,
    build_trades,
)
from gal_friday.domain.candles import Candle
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.trade import TradeFigures
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import T0, at, make_fill, make_order
from tests.support import databases


@pytest.fixture(params=["fake", "sqlite", "postgresql"])
def uow_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable]:
    if request.param == "fake":
        yield InMemoryUnitOfWork()
        return
    template = request.getfixturevalue(f"{request.param}_template")
    with databases.fresh_database(request.param, template, tmp_path) as url:
        engine = create_engine(url)
        yield lambda: UnitOfWork(engine)
        engine.dispose()


def at_hour(hour: int) -> datetime:
    return T0 + timedelta(hours=hour)


def _commit(factory: Callable, *objects: object) -> None:
    with factory() as uow:
        for obj in objects:
            if isinstance(obj, Signal):
                uow.signals.add(obj)
            else:
                uow.orders.add(obj)
        uow.commit()


def test_orders_by_ids_and_open_orders(uow_factory):
    filled = make_order(exchange_order_id="EX-F", quantity_ordered=Decimal("0.4"))
    filled.apply_fill(make_fill("F1", exchange_order_id="EX-F"))
    pending = make_order(trading_pair="XRP/USD", created_at=at(2))
    opened = make_order(created_at=at(1))
    opened.mark_submitted("EX-O", at(1))
    _commit(uow_factory, filled, pending, opened)
    with uow_factory() as uow:
        assert (
            uow.orders.get_by_exchange_id("kraken", "EX-F").client_order_id
            == filled.client_order_id
        )
        assert uow.orders.get_by_client_id(opened.client_order_id).exchange_order_id == "EX-O"
        assert [o.client_order_id for o in uow.orders.list_open()] == [
            opened.client_order_id,
            pending.client_order_id,
        ]
        assert [o.trading_pair for o in uow.orders.list_open("XRP/USD")] == ["XRP/USD"]
        pk = uow.orders.get_by_client_id(filled.client_order_id).order_pk
        assert uow.orders.get_for_update(pk).status.value == "FILLED"
        assert [f.fill_id for f in uow.fills.for_order(pk)] == ["F1"]


def test_fills_ids_pairs_and_streams(uow_factory):
    order = make_order(quantity_ordered=Decimal(10))
    for n in (3, 1, 2):
        order.apply_fill(make_fill(f"S{n}", filled_at=at(n)))
    _commit(uow_factory, order)
    with uow_factory() as uow:
        assert uow.fills.existing_ids("kraken", ["S1", "S9", "S3"]) == {"S1", "S3"}
        assert uow.fills.existing_ids("binance", ["S1"]) == set()
        assert uow.fills.pairs() == [("kraken", "BTC/USD")]
        assert [f.fill_id for f in uow.fills.stream("kraken", "BTC/USD", 2)] == ["S1", "S2", "S3"]
        assert uow.fills.get("kraken", "S2").filled_at == at(2)


def test_a_fill_id_is_stored_once(uow_factory):
    first, second = make_order(), make_order()
    first.apply_fill(make_fill("ONCE"))
    second.apply_fill(make_fill("ONCE"))
    _commit(uow_factory, first)
    with uow_factory() as uow:
        uow.orders.add(second)
        with pytest.raises(DuplicateFillError, match="ONCE"):
            uow.commit()


def test_leaving_without_commit_discards(uow_factory):
    with uow_factory() as uow:
        uow.orders.add(make_order())
    with uow_factory() as uow:
        assert uow.orders.list_open() == []


def test_signals_by_status(uow_factory):
    signals = [
        Signal(
            trading_pair=pair,
            exchange="kraken",
            strategy_id="s",
            side="BUY",
            entry_type="MARKET",
            created_at=at(n),
        )
        for n, pair in enumerate(["XRP/USD", "BTC/USD", "XRP/USD"])
    ]
    signals[1].approve()
    _commit(uow_factory, *signals)
    with uow_factory() as uow:
        proposed = uow.signals.by_status(SignalStatus.PROPOSED)
        assert [s.signal_id for s in proposed] == [signals[0].signal_id, signals[2].signal_id]
        assert uow.signals.by_status(SignalStatus.APPROVED, "XRP/USD") == []
        assert uow.signals.get(signals[1].signal_id).status is SignalStatus.APPROVED


def test_trades_queries_and_rebuild_delete(uow_factory):
    rows = [
        make_fill("A", filled_at=at(0)),
        make_fill("B", side="SELL", filled_at=at(60)),
        make_fill("C", filled_at=at(120)),
    ]
    trades = build_trades(rows)
    with uow_factory() as uow:
        uow.trades.add_all(trades)
        uow.commit()
    with uow_factory() as uow:
        assert len(uow.trades.by_pair("BTC/USD")) == 2
        assert len(uow.trades.by_pair("BTC/USD", since=at(100))) == 1
        assert len(uow.trades.in_period(at(0), at(1))) == 1
        assert [t.is_closed for t in uow.trades.open()] == [False]
        assert uow.trades.delete_for("kraken", "BTC/USD") == 2
        uow.commit()
    with uow_factory() as uow:
        assert uow.trades.all() == []


def _trade(pair: str, pnl: str, entered: int, exited: int | None, **amounts: str) -> Trade:
    return Trade(
        trading_pair=pair,
        exchange="kraken",
        side=TradeSide.SHORT if pnl.startswith("-") else TradeSide.LONG,
        entry_timestamp=at(entered) + timedelta(microseconds=7),
        exit_timestamp=None if exited is None else at(exited),
        quantity=Decimal(1),
        average_entry_price=Decimal("0.50") + entered,
        average_exit_price=None if exited is None else Decimal("0.75"),
        open_quantity=Decimal(1) if exited is None else Decimal(0),
        realized_pnl=Decimal(pnl),
        total_commission=Decimal(amounts.get("fee", "0.26")),
        entry_cash=Decimal(amounts.get("cash", "100.5")),
        grouping=TradeGrouping.FIFO,
    )


def test_figures_are_the_values_the_mapped_trades_hold(uow_factory):
    trades = [
        _trade("XRP/USD", "100", 0, 9, fee="0", cash="250"),
        _trade("BTC/USD", "-0.000000000000000001", 1, 5),
        _trade("XRP/USD", "0", 2, 4, cash="0.000000000000000001"),
        _trade("XRP/USD", "12345678901234567890.123456789012345678", 3, 4),
        _trade("BTC/USD", "-7.25", 4, None),
        _trade("XRP/USD", "1.5", 0, 9, fee="1E+2"),
    ]
    with uow_factory() as uow:
        uow.trades.add_all(trades)
        uow.commit()

    def shown(figures: list[TradeFigures]) -> list[tuple[str, ...]]:
        return [(*map(repr, f), str(f.entry_timestamp.tzinfo)) for f in figures]

    with uow_factory() as uow:
        stored = {t.trade_id: t for t in uow.trades.all()}
        in_order = [TradeFigures.of(stored[t.trade_id]) for t in trades]
        assert shown(uow.trades.figures()) == shown(in_order)
        assert [f.realized_pnl for f in uow.trades.figures("XRP/USD")] == [
            Decimal(100),
            Decimal(0),
            Decimal("12345678901234567890.123456789012345678"),
            Decimal("1.5"),
        ]
        assert str(uow.trades.figures("XRP/USD")[0].realized_pnl) == "100"
        assert [f.is_closed for f in uow.trades.figures("BTC/USD")] == [True, False]
        assert str(uow.trades.figures("BTC/USD")[1].open_quantity) == "1"
        times = [(f.entry_timestamp, f.exit_timestamp) for f in uow.trades.figures()]
        assert all(time is None or time.tzinfo is UTC for pair in times for time in pair)
        assert uow.trades.figures("ETH/USD") == []


def test_snapshots_latest_and_range(uow_factory):
    snapshots = [
        PortfolioSnapshot(
            snapshot_timestamp=T0 + timedelta(hours=h), total_equity=Decimal(1000 + h)
        )
        for h in (2, 0, 1)
    ]
    with uow_factory() as uow:
        for snapshot in snapshots:
            uow.snapshots.add(snapshot)
        uow.commit()
    with uow_factory() as uow:
        assert uow.snapshots.latest().total_equity == Decimal(1002)
        assert [s.total_equity for s in uow.snapshots.between(T0, T0 + timedelta(hours=2))] == [
            Decimal(1000),
            Decimal(1001),
        ]


def test_snapshots_delete(uow_factory):
    kept, dropped = (
        PortfolioSnapshot(snapshot_timestamp=T0 + timedelta(hours=h), total_equity=Decimal(h + 1))
        for h in (0, 1)
    )
    with uow_factory() as uow:
        uow.snapshots.add(kept)
        uow.snapshots.add(dropped)
        uow.commit()
    with uow_factory() as uow:
        for snapshot in uow.snapshots.between():
            if snapshot.total_equity == Decimal(2):
                uow.snapshots.delete(snapshot)
        uow.flush()
        assert [s.total_equity for s in uow.snapshots.between()] == [Decimal(1)]
        uow.commit()
    with uow_factory() as uow:
        assert [s.total_equity for s in uow.snapshots.between()] == [Decimal(1)]


def _candle(
    hour: int,
    close: str,
    *,
    exchange: str = "kraken",
    pair: str = "BTC/USD",
    interval_s: int = 3600,
) -> Candle:
    price = Decimal(close)
    return Candle(
        exchange=exchange,
        trading_pair=pair,
        interval_s=interval_s,
        open_time=T0 + timedelta(hours=hour),
        open=price,
        high=price,
        low=price,
        close=price,
        volume=Decimal("1.5"),
        trade_count=3,
    )


def test_candles_stored_between_series_and_exchanges(uow_factory):
    with uow_factory() as uow:
        uow.candles.insert([_candle(h, f"{100 + h}") for h in (0, 1, 2)])
        uow.candles.insert([_candle(0, "7", exchange="Binance US", pair="XRP/USD")])
        uow.candles.flush()
        assert sorted(uow.candles.stored_between("Kraken", "BTC/USD", 3600, T0, at_hour(1))) == [
            T0,
            at_hour(1),
        ]
        uow.commit()
    with uow_factory() as uow:
        stored = uow.candles.stored_between("kraken", "BTC/USD", 3600, T0, at_hour(5))
        assert stored[at_hour(2)] == _candle(2, "102")
        assert uow.candles.stored_between("kraken", "BTC/USD", 60, T0, at_hour(5)) == {}
        assert uow.candles.series() == [
            ("binanceus", "XRP/USD", 3600, 1),
            ("kraken", "BTC/USD", 3600, 3),
        ]
        assert uow.candles.exchanges_of(["BTC/USD", "XRP/USD", "DOGE/USD"]) == {
            "BTC/USD": ["kraken"],
            "XRP/USD": ["binanceus"],
            "DOGE/USD": [],
        }
        assert uow.candles.exchanges_of([]) == {}


def test_candles_closes_by_close_time(uow_factory):
    with uow_factory() as uow:
        uow.candles.insert([_candle(h, f"{100 + h}") for h in (2, 0, 1)])
        uow.candles.insert([_candle(0, "99", interval_s=86400)])
        uow.commit()
    with uow_factory() as uow:
        assert uow.candles.closes("KRAKEN", "BTC/USD", 3600) == [
            (at_hour(1), Decimal(100)),
            (at_hour(2), Decimal(101)),
            (at_hour(3), Decimal(102)),
        ]
        assert [close for _, close in uow.candles.closes("kraken", "BTC/USD")] == [
            Decimal(100),
            Decimal(101),
            Decimal(102),
            Decimal(99),
        ]
        assert uow.candles.closes("kraken", "XRP/USD") == []


def test_candles_left_without_commit_are_discarded(uow_factory):
    with uow_factory() as uow:
        uow.candles.insert([_candle(0, "100")])
    with uow_factory() as uow:
        assert uow.candles.series() == []


def test_configurations_once_per_hash_and_one_active(uow_factory):
    with uow_factory() as uow:
        first = uow.configurations.activate(Configuration.from_content({"v": 1}))
        uow.commit()
    with uow_factory() as uow:
        uow.configurations.activate(Configuration.from_content({"v": 2}))
        again = uow.configurations.add(Configuration.from_content({"v": 1}))
        assert again.config_hash == first.config_hash
        uow.commit()
    with uow_factory() as uow:
        assert uow.configurations.active().config_content == {"v": 2}
        assert len(uow.configurations.all()) == 2


def test_logs_system_logs_and_events_by_time(uow_factory):
    import logging

    records = []
    for n in range(3):
        record = logging.LogRecord(
            "gf.a" if n else "gf.b", 10 * (n + 2), "/x", 1, f"m{n}", None, None
        )
        record.created = (T0 + timedelta(minutes=n)).timestamp()
        records.append(Log.from_record(record))
    with uow_factory() as uow:
        uow.logs.add_all(records)
        uow.system_logs.add(SystemLog.create("risk", "warning", "x", log_timestamp=T0))
        uow.events.append(
            [EventLog(event_type="E", payload={}, source="s", occurred_at=at(n)) for n in range(3)]
        )
        uow.commit()
    with uow_factory() as uow:
        assert [log.message for log in uow.logs.between(T0, T0 + timedelta(minutes=2))] == [
            "m0",
            "m1",
        ]
        assert [log.message for log in uow.logs.between(logger_name="gf.a", min_level=40)] == ["m2"]
        assert len(uow.system_logs.between(source_module="risk", log_level="WARNING")) == 1
        assert len(uow.events.by_type("E", since=at(1))) == 2
        assert uow.events.types() == ["E"]


def test_bulk_orders_and_fills_keys_and_stored_records(uow_factory):
    with uow_factory() as uow:
        assert uow.fills.last_key() == 0
        order = make_order(exchange_order_id="EX-B", quantity_ordered=Decimal(1))
        order.apply_fill(make_fill("B1", exchange_order_id="EX-B"))
        uow.orders.add_imported([order])
        assert order.order_pk is not None
        for fill in order.fills:
            fill.order_pk = order.order_pk
        assert uow.fills.add_bulk(order.fills) == 1
        uow.commit()
    with uow_factory() as uow:
        first = uow.fills.last_key()
        assert first > 0
        stored = uow.fills.stored_among("kraken", ["B1", "nope"])
        assert list(stored) == ["B1"]
        assert stored["B1"].exchange_order_id == "EX-B"
        assert stored["B1"].commission == Decimal("0.1")
        assert stored["B1"].fill_pk == first
        assert uow.fills.stored_among("binance", ["B1"]) == {}
        again = make_order(exchange_order_id="EX-C", quantity_ordered=Decimal(1))
        again.apply_fill(make_fill("B1", exchange_order_id="EX-C"))
        uow.orders.add_imported([again])
        for fill in again.fills:
            fill.order_pk = again.order_pk
        assert uow.fills.add_bulk(again.fills, skip_duplicates=True) == 0
        uow.commit()
    with uow_factory() as uow:
        assert uow.fills.last_key() == first
        assert [f.fill_id for f in uow.fills.stream("kraken", "BTC/USD")] == ["B1"]


def test_events_append_new_skips_stored_ids(uow_factory):
    events = [EventLog(event_type="E", payload={}, source="s", occurred_at=at(n)) for n in range(2)]
    with uow_factory() as uow:
        assert uow.events.append_new(events[:1]) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.events.append_new(events) == 1
        uow.commit()
    with uow_factory() as uow:
        assert len(uow.events.by_type("E")) == 2


def _entry(txid, refid, minute, asset="USD", amount="-10", kind="trade", exchange="kraken"):
    return LedgerEntry(
        exchange=exchange,
        txid=txid,
        refid=refid,
        time=at(minute),
        type=kind,
        asset=asset,
        amount=Decimal(amount),
        fee=Decimal(0),
        balance=None if txid is None else Decimal(5),
    )


def test_ledger_entries_in_ledger_order(uow_factory):
    entries = [
        _entry("L2", "R1", 2, asset="XBT", amount="0.1"),
        _entry("L1", "R1", 2),
        _entry("L3", "R2", 1),
        _entry(None, "R3", 3, kind="deposit"),
        _entry("L4", "R4", 0, exchange="other", kind="deposit"),
    ]
    with uow_factory() as uow:
        assert uow.ledger.add_all(entries) == 5
        order = make_order(exchange_order_id="R1", quantity_ordered=Decimal(1))
        order.apply_fill(make_fill("R1", exchange_order_id="R1"))
        uow.orders.add(order)
        uow.commit()
    with uow_factory() as uow:
        assert uow.ledger.exchanges() == ["kraken", "other"]
        assert set(uow.ledger.by_txids("kraken", ["L1", "L4", "L9"])) == {"L1"}
        assert [e.refid for e in uow.ledger.pending()] == ["R3"]
        assert uow.ledger.pending("other") == []
        assert {k: [e.txid for e in v] for k, v in uow.ledger.trades("kraken").items()} == {
            "R2": ["L3"],
            "R1": ["L2", "L1"],
        }
        assert list(uow.ledger.trades("kraken")) == ["R2", "R1"]
        assert uow.ledger.trade_refids_among("kraken", ["R1", "R3", "R4"]) == {"R1"}
        assert [e.txid for e in uow.ledger.stream()] == ["L3", "L1", None, "L2", "L4"]
        assert [e.txid for e in uow.ledger.stream("other")] == ["L4"]
        assert list(uow.ledger.fills_by_ids("kraken", ["R1", "R2"])) == ["R1"]
        assert uow.ledger.fill_keys_in_ledger() == [("kraken", "BTC/USD", "R1")]
        assert uow.ledger.fill_counts() == {("kraken", "BTC/USD"): 1}
