"""A small bot session stored through the library's own calls: signals, orders, live fills, candles.

Three round trips of BTC/USD on kraken, with hourly candles from 2024-03-01 for ten
days: a LONG from a ``momentum`` signal (limit entry, market exit; exit reason
``TAKE_PROFIT_HIT``), a SHORT from a ``mean-reversion`` signal (limit entry and exit;
``TAKE_PROFIT_HIT``), and a LONG with no signal (market orders; ``MANUAL_CLOSE``). The figures are chosen so the execution figures can be computed by hand
(docs/execution.md's worked example uses the first trade).
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from gal_friday.domain import Fill, Order, Signal
from gal_friday.domain.candles import Candle
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.services.live_fills import record_fill

D = Decimal
START = datetime(2024, 3, 1, tzinfo=UTC)
PAIR = "BTC/USD"


def _price(hour: int) -> Decimal:
    """A deterministic path: up to 112 by day 3, down to 103 by day 6, then sideways."""
    steps = [(0, 100), (60, 112), (130, 103), (240, 104)]
    for (h0, p0), (h1, p1) in itertools.pairwise(steps):
        if h0 <= hour <= h1:
            return (D(p0) + D(p1 - p0) * D(hour - h0) / D(h1 - h0)).quantize(D("0.01"))
    return D(104)


def candles() -> list[Candle]:
    """Hourly candles: open at the path, high 0.6 over, low 0.6 under the larger/smaller end."""
    made = []
    for hour in range(240):
        open_, close = _price(hour), _price(hour + 1)
        made.append(
            Candle(
                exchange="kraken",
                trading_pair=PAIR,
                interval_s=3600,
                open_time=START + timedelta(hours=hour),
                open=open_,
                high=max(open_, close) + D("0.6"),
                low=min(open_, close) - D("0.6"),
                close=close,
                volume=D(10),
            )
        )
    return made


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return START + timedelta(days=day, hours=hour, minutes=minute)


def _fill(fill_id: str, order: Order, quantity: str, price: str, fee: str, when: datetime) -> Fill:
    return Fill(
        fill_id=fill_id,
        trading_pair=PAIR,
        exchange="kraken",
        side=order.side,
        quantity_filled=D(quantity),
        fill_price=D(price),
        commission=D(fee),
        commission_asset="USD",
        filled_at=when,
    )


def store_session(url: str) -> dict[str, uuid.UUID]:
    """Store the session into the migrated database at ``url``; the signals' ids by strategy."""
    factory = unit_of_work_factory(url)
    momentum = Signal(
        trading_pair=PAIR,
        exchange="kraken",
        strategy_id="momentum",
        side="BUY",
        entry_type="LIMIT",
        proposed_entry_price=D(101),
        proposed_sl_price=D(96),
        proposed_tp_price=D(112),
    )
    reversion = Signal(
        trading_pair=PAIR,
        exchange="kraken",
        strategy_id="mean-reversion",
        side="SELL",
        entry_type="LIMIT",
        proposed_entry_price=D(108),
        proposed_sl_price=D(112),
        proposed_tp_price=D(104),
    )
    legs = [
        # (order, [(fill id, quantity, price, fee, time)])
        (
            Order(trading_pair=PAIR, exchange="kraken", side="BUY", order_type="LIMIT",
                  quantity_ordered=D(2), limit_price=D(101), signal_id=momentum.signal_id,
                  reason="ENTRY", created_at=_at(0, 5, 10)),
            [("M1", "1", "100.8", "0.2", _at(0, 5, 20)), ("M2", "1", "101", "0.2", _at(0, 6))],
        ),
        (
            Order(trading_pair=PAIR, exchange="kraken", side="SELL", order_type="MARKET",
                  quantity_ordered=D(2), signal_id=momentum.signal_id, reason="TAKE_PROFIT_HIT",
                  created_at=_at(2, 12, 5)),
            [("M3", "2", "110.5", "0.44", _at(2, 12, 6))],
        ),
        (
            Order(trading_pair=PAIR, exchange="kraken", side="SELL", order_type="LIMIT",
                  quantity_ordered=D(1), limit_price=D(108), signal_id=reversion.signal_id,
                  created_at=_at(3, 9)),
            [("R1", "1", "108.2", "0.1", _at(3, 9, 30))],
        ),
        (
            Order(trading_pair=PAIR, exchange="kraken", side="BUY", order_type="LIMIT",
                  quantity_ordered=D(1), limit_price=D(104), signal_id=reversion.signal_id,
                  reason="TAKE_PROFIT_HIT", created_at=_at(5, 2)),
            [("R2", "1", "103.9", "0.1", _at(5, 2, 40))],
        ),
        (
            Order(trading_pair=PAIR, exchange="kraken", side="BUY", order_type="MARKET",
                  quantity_ordered=D(1), created_at=_at(6, 10)),
            [("N1", "1", "103.7", "0.1", _at(6, 10, 1))],
        ),
        (
            Order(trading_pair=PAIR, exchange="kraken", side="SELL", order_type="MARKET",
                  quantity_ordered=D(1), reason="MANUAL_CLOSE", created_at=_at(8, 16)),
            [("N2", "1", "103.1", "0.1", _at(8, 16, 1))],
        ),
    ]  # fmt: skip
    with factory() as uow:
        uow.signals.add(momentum)
        uow.signals.add(reversion)
        uow.candles.insert(candles())
        for order, _ in legs:
            uow.orders.add(order)
        uow.commit()
    for order, fills in legs:
        for fill_id, quantity, price, fee, when in fills:
            record_fill(
                factory,
                _fill(fill_id, order, quantity, price, fee, when),
                client_order_id=order.client_order_id,
            )
    return {"momentum": momentum.signal_id, "mean-reversion": reversion.signal_id}
