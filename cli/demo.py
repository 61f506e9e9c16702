"""A short, deterministic simulated trading session that writes every table through the real code.

Two configuration versions (the second one active); a strategy proposing signals
on XRP/USD, DOGE/USD and BTC/USD over a seeded random-walk price path; a risk
rule that rejects a signal when the pair already holds a position or its
notional exceeds the risk budget; orders submitted, partially and fully filled
through ``record_fill``, one cancelled and then hit by a late fill, one expired,
one rejected by the exchange; trades rebuilt; portfolio snapshots with
drawdowns; hourly candles of the price path (the first run's stay); application logs,
system logs and events. The same seed on the same database state gives the same session;
each run on one database gets its own ids (drawn from the seed and the run number), so a
demo database takes any number of runs.

The demo never writes into the user's database: :func:`demo_database` gives a
temporary SQLite database (removed afterwards) unless a URL is given for it.
"""

from __future__ import annotations

import logging
import random
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs

from gal_friday.domain import EventLog, Fill, Log, Order, OrderType, Side, Signal, SystemLog
from gal_friday.domain.candles import Candle
from gal_friday.domain.invariants import InvariantError
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.persistence import schema
from gal_friday.persistence.database import Engine, create_engine
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.configurations import activate_configuration
from gal_friday.services.live_fills import record_fill
from gal_friday.services.ports import RepositoriesProtocol
from gal_friday.services.snapshots import take_snapshot
from gal_friday.services.trade_rebuild import rebuild_trades

EXCHANGE = "kraken-demo"
START = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
PAIRS = {"XRP/USD": Decimal("0.50"), "DOGE/USD": Decimal("0.12"), "BTC/USD": Decimal("67000")}
STEPS = 36
STARTING_CASH = Decimal("10000")
RISK_BUDGET = Decimal("2500")
FEE_RATE = Decimal("0.0026")
EIGHT = Decimal("0.00000001")

LOGGER_NAME = "galfriday.demo"


@attrs.define
class DemoSummary:
    """Counts of what the session wrote."""

    run: int
    signals_approved: int = 0
    signals_rejected: int = 0
    orders: dict[str, int] = attrs.field(factory=dict)
    fills: int = 0
    trades: int = 0
    snapshots: int = 0
    logs: int = 0
    events: int = 0

    def lines(self) -> list[str]:
        """A readable account of the session."""
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(self.orders.items()))
        return [
            f"demo run {self.run}: {self.signals_approved} signals approved, "
            f"{self.signals_rejected} rejected by the risk rule",
            f"orders: {statuses}; {self.fills} fills; {self.trades} trades rebuilt",
            f"{self.snapshots} portfolio snapshots, {self.logs} log records, "
            f"{self.events} events, 2 configuration versions (1 active)",
        ]


class _Session:
    def __init__(self, engine: Engine, seed: int, run: int) -> None:
        self.engine = engine
        self.rng = random.Random(seed)
        self.ids = random.Random(f"{seed}/{run}")  # ids of their own on every run
        self.run = run
        self.summary = DemoSummary(run=run)
        self.prices = dict(PAIRS)
        self.cash = STARTING_CASH
        self.held: dict[str, Decimal] = dict.fromkeys(PAIRS, Decimal(0))
        self.fill_number = 0
        self.pending_logs: list[Log] = []
        self.pending_events: list[EventLog] = []
        self.pending_candles: list[Candle] = []

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.ids.getrandbits(128), version=4)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def log(self, level: int, message: str, at: datetime, **context: object) -> None:
        record = logging.LogRecord(LOGGER_NAME, level, __file__, 0, message, None, None)
        record.created = at.timestamp()
        record.__dict__.update(context)
        self.pending_logs.append(Log.from_record(record))

    def event(self, kind: str, at: datetime, **payload: object) -> None:
        self.pending_events.append(
            EventLog(
                event_type=kind,
                payload=payload,
                source="demo",
                occurred_at=at,
                event_id=self.uuid(),
            )
        )

    def step_prices(self) -> None:
        for pair, price in self.prices.items():
            move = Decimal(self.rng.randint(-300, 320)) / Decimal(10000)
            self.prices[pair] = (price * (1 + move)).quantize(EIGHT)

    def record_candles(self, before: dict[str, Decimal], at: datetime) -> None:
        """The hour that ends at ``at`` as one candle per pair (for ``gal-friday equity``)."""
        for pair, close in self.prices.items():
            opened = before[pair]
            self.pending_candles.append(
                Candle(
                    exchange=EXCHANGE,
                    trading_pair=pair,
                    interval_s=3600,
                    open_time=at - timedelta(hours=1),
                    open=opened,
                    high=max(opened, close),
                    low=min(opened, close),
                    close=close,
                    volume=Decimal(0),
                )
            )

    def fill(self, order: Order, quantity: Decimal, at: datetime) -> Fill:
        self.fill_number += 1
        price = self.prices[order.trading_pair]
        return Fill(
            fill_id=f"DEMO{self.run}-F{self.fill_number:04d}",
            trading_pair=order.trading_pair,
            exchange=EXCHANGE,
            side=order.side,
            quantity_filled=quantity,
            fill_price=price,
            commission=(quantity * price * FEE_RATE).quantize(EIGHT),
            commission_asset="USD",
            filled_at=at,
            exchange_order_id=order.exchange_order_id,
        )

    def settle(self, fill: Fill) -> None:
        signed = fill.quantity_filled if fill.side is Side.BUY else -fill.quantity_filled
        self.held[fill.trading_pair] += signed
        self.cash -= signed * fill.fill_price + fill.commission


@contextmanager
def demo_database(url: str | None = None) -> Iterator[Engine]:
    """An engine on the demo's own database, migrated to the newest revision.

    Without ``url`` it is a fresh SQLite file in a temporary folder, removed when the
    block ends; with one, that database is created or migrated if needed and kept.
    """
    with tempfile.TemporaryDirectory(prefix="gal-friday-demo-") as folder:
        target = url or f"sqlite:///{Path(folder) / 'demo.db'}"
        engine = create_engine(target)
        try:
            schema.upgrade(engine)
            yield engine
        finally:
            engine.dispose()


def _next_run(engine: Engine) -> int:
    with UnitOfWork(engine) as uow:
        return len(uow.events.by_type("DEMO_STARTED")) + 1


def run_demo(engine: Engine, seed: int = 7) -> DemoSummary:
    """Run the session on ``engine`` (a migrated database) and say what it wrote."""
    session = _Session(engine, seed, _next_run(engine))
    activate_configuration(
        session.uow, {"run": session.run, "risk_budget": "2000", "pairs": list(PAIRS)}
    )
    activate_configuration(
        session.uow, {"run": session.run, "risk_budget": str(RISK_BUDGET), "pairs": list(PAIRS)}
    )
    session.event("DEMO_STARTED", START, seed=seed, run=session.run)
    take_snapshot(
        session.uow,
        at=START,
        total_equity=STARTING_CASH,
        available_balance={"USD": STARTING_CASH},
        positions={},
        starting_equity=STARTING_CASH,
    )
    with session.uow() as uow:
        deposit = f"DEMO{session.run}-DEPOSIT"  # the starting cash, as the exchange's ledger has it
        uow.ledger.add_all(
            [
                LedgerEntry(
                    exchange=EXCHANGE,
                    txid=deposit,
                    refid=deposit,
                    time=START,
                    type="deposit",
                    asset="USD",
                    amount=STARTING_CASH,
                    fee=Decimal(0),
                    balance=STARTING_CASH * session.run,
                )
            ]
        )
        uow.commit()
    session.summary.snapshots += 1
    for step in range(1, STEPS + 1):
        _step(session, step, START + timedelta(hours=step))
    rebuilt = rebuild_trades(session.uow)
    with session.uow() as uow:
        uow.logs.add_all(session.pending_logs)
        uow.events.append(session.pending_events)
        _store_new_candles(uow, session.pending_candles)
        uow.commit()
    session.summary.trades = rebuilt.total_trades
    session.summary.logs = len(session.pending_logs)
    session.summary.events = len(session.pending_events)
    return session.summary


def _store_new_candles(uow: RepositoriesProtocol, candles: list[Candle]) -> None:
    """Store the candles of hours no earlier run stored (the first run's prices stay)."""
    repository = uow.candles
    new: list[Candle] = []
    for pair in PAIRS:
        mine = [candle for candle in candles if candle.trading_pair == pair]
        stored = repository.stored_between(
            EXCHANGE, pair, 3600, mine[0].open_time, mine[-1].open_time
        )
        new.extend(candle for candle in mine if candle.open_time not in stored)
    repository.insert(new)


def _step(session: _Session, step: int, at: datetime) -> None:
    before = dict(session.prices)
    session.step_prices()
    session.record_candles(before, at)
    pair = list(PAIRS)[step % len(PAIRS)]
    price = session.prices[pair]
    held = session.held[pair]
    side = Side.SELL if held > 0 else Side.BUY
    budget = Decimal(session.rng.choice([800, 1500, 2200, 3000]))
    quantity = held if held > 0 else (budget / price).quantize(Decimal("0.0001"))
    entry_type = OrderType.LIMIT if step % 4 else OrderType.MARKET
    signal = Signal(
        signal_id=session.uuid(),
        trading_pair=pair,
        exchange=EXCHANGE,
        strategy_id="demo-momentum",
        side=side,
        entry_type=entry_type,
        proposed_entry_price=price if entry_type is OrderType.LIMIT else None,
        proposed_sl_price=(price * Decimal("0.97")).quantize(EIGHT) if side is Side.BUY else None,
        proposed_tp_price=(price * Decimal("1.05")).quantize(EIGHT) if side is Side.BUY else None,
        created_at=at,
    )
    notional = quantity * price
    too_big = side is Side.BUY and notional > RISK_BUDGET
    with session.uow() as uow:
        uow.signals.add(signal)
        if too_big:
            signal.reject_risk(
                f"notional {notional:.2f} exceeds the risk budget {RISK_BUDGET}",
                {"notional": str(notional.quantize(EIGHT)), "budget": str(RISK_BUDGET)},
            )
            uow.system_logs.add(
                SystemLog.create(
                    "risk_manager",
                    "WARNING",
                    "signal rejected by the risk budget",
                    context={"notional": notional.quantize(EIGHT), "api_key": "not-stored"},
                    trading_pair=pair,
                    signal_id=signal.signal_id,
                    log_timestamp=at,
                )
            )
            uow.commit()
            session.summary.signals_rejected += 1
            session.log(logging.WARNING, f"rejected {pair} signal", at, pair=pair)
            return
        signal.approve({"notional": str(notional.quantize(EIGHT))})
        order = Order(
            client_order_id=str(session.uuid()),
            signal_id=signal.signal_id,
            trading_pair=pair,
            exchange=EXCHANGE,
            side=side,
            order_type=entry_type,
            quantity_ordered=quantity,
            limit_price=price if entry_type is OrderType.LIMIT else None,
            created_at=at,
        )
        uow.orders.add(order)
        uow.commit()
    session.summary.signals_approved += 1
    _execute(session, order, step, at)


def _execute(session: _Session, order: Order, step: int, at: datetime) -> None:
    """Drive the order through a fate chosen by the step: filled, partial, cancelled, ..."""
    fate = step % 9
    with session.uow() as uow:
        stored = uow.orders.get_by_client_id(order.client_order_id)
        if stored is None:
            raise InvariantError("the demo's order is stored")
        if fate == 8 and order.side is Side.BUY:
            stored.reject("insufficient margin (simulated)", at + timedelta(seconds=1))
            uow.commit()
            _count(session, stored)
            session.event("ORDER_REJECTED", at, client_order_id=str(order.client_order_id))
            return
        stored.mark_submitted(f"DEMO{session.run}-O{step:03d}", at + timedelta(seconds=1))
        uow.commit()
        order = stored
    factory = session.uow
    first = (order.quantity_ordered / 2).quantize(Decimal("0.0001"))
    fills = [session.fill(order, first, at + timedelta(minutes=2))]
    if fate in (3, 7) and order.side is Side.BUY:
        closing = "cancel" if fate == 3 else "expire"
        late = session.fill(
            order, (first / 2).quantize(Decimal("0.0001")), at + timedelta(minutes=3)
        )
        for fill in fills:
            record_fill(factory, fill, client_order_id=order.client_order_id)
        with session.uow() as uow:
            stored = uow.orders.get_by_client_id(order.client_order_id)
            if stored is None:
                raise InvariantError("the demo's order is stored")
            getattr(stored, closing)(at + timedelta(minutes=4))
            uow.commit()
        # The exchange reports a fill that happened before the cancel only now.
        record_fill(factory, late, client_order_id=order.client_order_id)
        fills.append(late)
    else:
        fills.append(session.fill(order, order.quantity_ordered - first, at + timedelta(minutes=5)))
        for fill in fills:
            record_fill(factory, fill, client_order_id=order.client_order_id)
    for fill in fills:
        session.settle(fill)
        session.event(
            "FILL_RECORDED",
            fill.filled_at,
            fill_id=fill.fill_id,
            quantity=fill.quantity_filled,
            price=fill.fill_price,
        )
    session.summary.fills += len(fills)
    with session.uow() as uow:
        stored = uow.orders.get_by_client_id(order.client_order_id)
        if stored is None:
            raise InvariantError("the demo's order is stored")
        _count(session, stored)
    positions = {
        pair: {"quantity": qty, "market_value": (qty * session.prices[pair]).quantize(EIGHT)}
        for pair, qty in session.held.items()
        if qty
    }
    equity = session.cash + sum(
        (qty * session.prices[pair] for pair, qty in session.held.items()), Decimal(0)
    )
    take_snapshot(
        session.uow,
        at=at + timedelta(minutes=30),
        total_equity=equity.quantize(EIGHT),
        available_balance={"USD": session.cash.quantize(EIGHT)},
        positions=positions,
    )
    session.summary.snapshots += 1
    session.log(
        logging.INFO,
        f"{order.side} {order.trading_pair} {stored.status}",
        at,
        pair=order.trading_pair,
        filled=stored.filled_quantity,
    )


def _count(session: _Session, order: Order) -> None:
    session.summary.orders[order.status.value] = (
        session.summary.orders.get(order.status.value, 0) + 1
    )
