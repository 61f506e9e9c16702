"""Execution quality of the stored closed trades: slippage, decomposition, MAE/MFE, R.

Reads each closed trade with its entry and exit orders, its signal and the candles
over its life, and hands them to :mod:`gal_friday.domain.execution` and
:mod:`gal_friday.domain.excursions` (the rules: docs/execution.md). The candles are
the pair's finest stored interval on the trade's exchange.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.candles import Candle
from gal_friday.domain.excursions import Excursion, excursion_of, r_multiple
from gal_friday.domain.execution import (
    ClosedTradeFigures,
    PriceReference,
    TradeExecution,
    execution_of,
    missing,
    order_reference,
)
from gal_friday.domain.order import Order
from gal_friday.domain.performance import check_period
from gal_friday.domain.signal import Signal
from gal_friday.domain.trade import Trade
from gal_friday.services.ports import RepositoriesProtocol, UnitOfWorkFactory


@attrs.frozen
class TradeQuality:
    """One closed trade with its attribution, execution figures, excursions and R-multiple."""

    trade: Trade
    strategy_id: str | None
    signal_id: uuid.UUID | None
    exit_reason: str | None
    execution: TradeExecution
    excursion: Excursion
    r_multiple: Decimal | None


def trade_quality(
    uow_factory: UnitOfWorkFactory,
    trading_pair: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[TradeQuality]:
    """The closed trades exited in ``[since, until)``, by exit time, with their figures."""
    check_period(since, until)
    with uow_factory() as uow:
        closed = [
            (trade.exit_timestamp, trade.entry_timestamp, trade.average_exit_price, trade)
            for trade in uow.trades.all(trading_pair)
            if trade.exit_timestamp is not None
            and trade.average_exit_price is not None
            and (since is None or trade.exit_timestamp >= since)
            and (until is None or trade.exit_timestamp < until)
        ]
        closed.sort(key=lambda row: (row[0], row[1]))
        reader = _Reader(uow)
        return [reader.quality(trade, exited, price) for exited, _, price, trade in closed]


class _Reader:
    """Reads what one trade's figures need, remembering orders, signals and intervals."""

    def __init__(self, uow: RepositoriesProtocol) -> None:
        self.uow = uow
        self.orders: dict[int, Order | None] = {}
        self.signals: dict[uuid.UUID, Signal | None] = {}
        finest: dict[tuple[str, str], int] = {}
        for exchange, pair, interval_s, _count in uow.candles.series():
            key = (exchange, pair)
            finest[key] = min(interval_s, finest.get(key, interval_s))
        self.intervals = finest

    def order(self, order_pk: int | None) -> Order | None:
        if order_pk is None:
            return None
        if order_pk not in self.orders:
            self.orders[order_pk] = self.uow.orders.get(order_pk)
        return self.orders[order_pk]

    def signal(self, signal_id: uuid.UUID | None) -> Signal | None:
        if signal_id is None:
            return None
        if signal_id not in self.signals:
            self.signals[signal_id] = self.uow.signals.get(signal_id)
        return self.signals[signal_id]

    def interval(self, trade: Trade) -> int | None:
        return self.intervals.get((v.exchange_id(trade.exchange), trade.trading_pair))

    def candles(self, trade: Trade, first: datetime, last: datetime) -> list[Candle]:
        interval = self.interval(trade)
        if interval is None:
            return []
        found = self.uow.candles.stored_between(
            trade.exchange, trade.trading_pair, interval, first - timedelta(seconds=interval), last
        )
        return [found[key] for key in sorted(found)]

    def candle_open(self, trade: Trade, at: datetime) -> Decimal | None:
        for candle in self.candles(trade, at, at):
            if candle.open_time <= at < candle.close_time:
                return candle.open
        return None

    def order_ref(self, trade: Trade, order: Order | None, what: str) -> PriceReference:
        if order is None:
            return missing(f"no {what}")
        at = order.submitted_at or order.created_at
        candle_open = None if order.limit_price is not None else self.candle_open(trade, at)
        return order_reference(order.order_type, order.limit_price, candle_open, at, what)

    def quality(self, trade: Trade, exit_timestamp: datetime, exit_price: Decimal) -> TradeQuality:
        entry_order = self.order(trade.entry_order_pk)
        exit_order = self.order(trade.exit_order_pk)
        signal_id = trade.signal_id or (entry_order.signal_id if entry_order else None)
        signal = self.signal(signal_id)
        if signal is None:
            signal_entry = missing("no signal")
        elif signal.proposed_entry_price is None:
            signal_entry = missing("signal without a proposed entry price")
        else:
            signal_entry = PriceReference(signal.proposed_entry_price, "signal")
        figures = ClosedTradeFigures(
            side=trade.side,
            quantity=trade.quantity,
            average_entry_price=trade.average_entry_price,
            average_exit_price=exit_price,
            realized_pnl=trade.realized_pnl,
            total_commission=trade.total_commission,
        )
        execution = execution_of(
            figures,
            signal_entry,
            self.order_ref(trade, entry_order, "entry order"),
            self.order_ref(trade, exit_order, "exit order"),
        )
        excursion = excursion_of(
            trade.side,
            trade.quantity,
            trade.average_entry_price,
            trade.entry_timestamp,
            exit_timestamp,
            self.candles(trade, trade.entry_timestamp, exit_timestamp),
        )
        stop = signal.proposed_sl_price if signal is not None else None
        return TradeQuality(
            trade=trade,
            strategy_id=trade.strategy_id or (signal.strategy_id if signal else None),
            signal_id=signal_id,
            exit_reason=trade.exit_reason,
            execution=execution,
            excursion=excursion,
            r_multiple=r_multiple(
                trade.realized_pnl, trade.quantity, trade.average_entry_price, stop
            ),
        )
