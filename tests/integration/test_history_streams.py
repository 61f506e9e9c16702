"""The whole-history streams of `audit` and `equity`: the same records in the same order
from the in-memory fakes, SQLite and PostgreSQL (text keys by code point, as Python's
``sorted`` orders them, whatever the database's collation)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from gal_friday.domain import Trade, TradeGrouping, TradeSide
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import at, make_fill, make_order
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


def _entry(txid, refid, minute, asset="USD", amount="-10", kind="trade", fee="0"):
    return LedgerEntry(
        exchange="kraken",
        txid=txid,
        refid=refid,
        time=at(minute),
        type=kind,
        asset=asset,
        amount=Decimal(amount),
        fee=Decimal(fee),
        balance=None if txid is None else Decimal(5),
    )


def _trade(pair: str, pnl: str, entered: int, exited: int | None) -> Trade:
    return Trade(
        trading_pair=pair,
        exchange="kraken",
        side=TradeSide.LONG,
        entry_timestamp=at(entered),
        exit_timestamp=None if exited is None else at(exited),
        quantity=Decimal(1),
        average_entry_price=Decimal(1),
        average_exit_price=None if exited is None else Decimal(2),
        open_quantity=Decimal(1) if exited is None else Decimal(0),
        realized_pnl=Decimal(pnl),
        total_commission=Decimal(0),
        entry_cash=Decimal(1),
        grouping=TradeGrouping.FIFO,
    )


def _store(uow_factory: Callable) -> None:
    order = make_order(quantity_ordered=Decimal(10))
    # same time: code point order puts "B2" before "a1" (a locale collation would not)
    for fill_id, minute in (("a1", 5), ("B2", 5), ("c3", 1), ("R1", 9)):
        order.apply_fill(make_fill(fill_id, filled_at=at(minute)))
    other = make_order(trading_pair="ETH/USD", quantity_ordered=Decimal(10))
    other.apply_fill(make_fill("e1", trading_pair="ETH/USD", filled_at=at(3)))
    with uow_factory() as uow:
        uow.orders.add(order)
        uow.orders.add(other)
        uow.ledger.add_all(
            [
                _entry("L2", "R1", 9, asset="XBT", amount="0.4"),
                _entry("L1", "R1", 9, fee="0.1"),
                _entry("L3", "R2", 1),
                _entry(None, "c3", 2, kind="deposit"),
                _entry("L4", "R4", 9, asset="ADA", kind="deposit"),
            ]
        )
        uow.trades.add_all(
            [
                _trade("ETH/USD", "2", 0, 60 * 30),  # day 2, stored pair order: ETH before XRP
                _trade("XRP/USD", "1", 1, 60 * 25),
                _trade("BTC/USD", "3", 2, 60 * 20),  # day 1 (exits 12:00 + 20 h)
                _trade("BTC/USD", "4", 3, None),
            ]
        )
        uow.commit()


def test_streams_give_the_same_records_in_the_same_order(uow_factory):
    _store(uow_factory)
    with uow_factory() as uow:
        marks = [(f.fill_id, marked) for f, marked in uow.fills.stream_with_ledger_marks()]
        # c3 is only a pending row's refid: not in the ledger
        assert marks == [("c3", False), ("e1", False), ("B2", False), ("a1", False), ("R1", True)]
        exits = list(uow.fills.closed_exits())
        assert [(pair, pnl) for _, pair, pnl in exits] == [
            ("BTC/USD", Decimal(3)),
            ("ETH/USD", Decimal(2)),
            ("XRP/USD", Decimal(1)),
        ]
        assert exits[1][0] == at(60 * 30)
        timeline = [(e.txid, e.asset) for e in uow.ledger.stream_by_time()]
        assert timeline == [
            ("L3", "USD"),
            (None, "USD"),
            ("L4", "ADA"),
            ("L1", "USD"),
            ("L2", "XBT"),
        ]
        grouped = [
            ([e.txid for e in entries], None if fill is None else fill.fill_id)
            for entries, fill in uow.ledger.trades_with_fills("kraken")
        ]
        assert sorted(grouped, key=str) == sorted([(["L2", "L1"], "R1"), (["L3"], None)], key=str)
        assert list(uow.ledger.trades_with_fills("other")) == []
