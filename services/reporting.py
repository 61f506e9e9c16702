"""The PnL report: closed trades per pair and in total, open trades listed apart.

Figures are summed in Python ``Decimal`` (SQLite keeps decimals as text).
``since``/``until`` select closed trades by exit time, ``[since, until)``; open
trades are always listed. ``pnl_pct`` is the realized PnL over the entry cash of
the closed trades (entry notional plus entry commissions for LONG, minus for
SHORT), in percent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import attrs

from gal_friday.domain import Trade, TradeGrouping, TradeSide
from gal_friday.domain.values import exact, quantize_computed, tidy
from gal_friday.persistence.interfaces import UnitOfWorkProtocol

ZERO = Decimal(0)


@attrs.frozen
class OpenPosition:
    """An open trade: what is held and what it realized so far."""

    trading_pair: str
    exchange: str
    side: TradeSide
    quantity_held: Decimal
    average_entry_price: Decimal
    realized_pnl: Decimal
    entry_timestamp: datetime


@attrs.frozen
class PairReport:
    """The closed-trade figures of one pair on one exchange."""

    trading_pair: str
    exchange: str
    trades: int
    wins: int
    losses: int
    realized_pnl: Decimal
    total_commission: Decimal
    pnl_pct: Decimal | None
    best_trade: Decimal | None
    worst_trade: Decimal | None
    open_trades: list[OpenPosition]


@attrs.frozen
class Report:
    """The whole report."""

    pairs: list[PairReport]
    grouping: TradeGrouping | None
    since: datetime | None
    until: datetime | None

    @property
    def total_realized_pnl(self) -> Decimal:
        """Realized PnL of every closed trade in the report."""
        with exact():
            return tidy(sum((p.realized_pnl for p in self.pairs), ZERO))

    @property
    def total_commission(self) -> Decimal:
        """Commissions of every closed trade in the report."""
        with exact():
            return tidy(sum((p.total_commission for p in self.pairs), ZERO))

    @property
    def total_trades(self) -> int:
        """Closed trades in the report."""
        return sum(p.trades for p in self.pairs)


def _in_period(trade: Trade, since: datetime | None, until: datetime | None) -> bool:
    exit_time = trade.exit_timestamp
    assert exit_time is not None
    return (since is None or exit_time >= since) and (until is None or exit_time < until)


def summarize(
    trades: Iterable[Trade], since: datetime | None = None, until: datetime | None = None
) -> list[PairReport]:
    """Per-pair figures from trades (closed ones filtered by exit time)."""
    closed: dict[tuple[str, str], list[Trade]] = defaultdict(list)
    still_open: dict[tuple[str, str], list[Trade]] = defaultdict(list)
    for trade in trades:
        key = (trade.exchange, trade.trading_pair)
        if not trade.is_closed:
            still_open[key].append(trade)
        elif _in_period(trade, since, until):
            closed[key].append(trade)
    reports = []
    with exact():
        for exchange, pair in sorted(set(closed) | set(still_open)):
            done = closed[(exchange, pair)]
            pnls = [trade.realized_pnl for trade in done]
            pnl = sum(pnls, ZERO)
            entry_cash = sum((trade.entry_cash for trade in done), ZERO)
            reports.append(
                PairReport(
                    trading_pair=pair,
                    exchange=exchange,
                    trades=len(done),
                    wins=sum(1 for value in pnls if value > 0),
                    losses=sum(1 for value in pnls if value < 0),
                    realized_pnl=tidy(pnl),
                    total_commission=tidy(sum((t.total_commission for t in done), ZERO)),
                    pnl_pct=quantize_computed(100 * pnl / entry_cash) if entry_cash else None,
                    best_trade=max(pnls) if pnls else None,
                    worst_trade=min(pnls) if pnls else None,
                    open_trades=[
                        OpenPosition(
                            trading_pair=t.trading_pair,
                            exchange=t.exchange,
                            side=t.side,
                            quantity_held=t.open_quantity,
                            average_entry_price=t.average_entry_price,
                            realized_pnl=t.realized_pnl,
                            entry_timestamp=t.entry_timestamp,
                        )
                        for t in still_open[(exchange, pair)]
                    ],
                )
            )
    return reports


def build_report(
    uow: UnitOfWorkProtocol,
    trading_pair: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Report:
    """The report of the stored trades (optionally of one pair)."""
    trades = uow.trades.all(trading_pair)
    groupings = {trade.grouping for trade in trades}
    return Report(
        pairs=summarize(trades, since, until),
        grouping=groupings.pop() if len(groupings) == 1 else None,
        since=since,
        until=until,
    )
