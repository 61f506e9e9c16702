"""The dust rule (docs/dust.md): round trips that leave base-asset fee dust behind are closed."""

from __future__ import annotations

from decimal import Decimal as D

from gal_friday.domain import TradeGrouping, build_trades
from tests.factories import at, make_fill


def _buy(fill_id, quantity, price, fee, minute):
    return make_fill(
        fill_id,
        quantity_filled=D(quantity),
        fill_price=D(price),
        commission=D(fee),
        commission_asset="BTC",
        filled_at=at(minute),
    )


def _sell(fill_id, quantity, price, minute, fee="0"):
    return make_fill(
        fill_id,
        side="SELL",
        quantity_filled=D(quantity),
        fill_price=D(price),
        commission=D(fee),
        commission_asset="USD",
        filled_at=at(minute),
    )


def _two_round_trips():
    # Binance-style: 0.1% of each buy paid in BTC, the sell rounded down to the lot step
    return [
        _buy("B1", "1", "100", "0.001", 1),  # holds 0.999
        _sell("S1", "0.998", "110", 2),  # 0.001 BTC of dust left: the fee left it behind
        _buy("B2", "2", "100", "0.002", 3),  # a new round trip
        _sell("S2", "1.997", "120", 4),  # 0.001 BTC of dust left again
    ]


def test_two_profitable_round_trips_with_dust_are_two_closed_trades():
    first, second = build_trades(_two_round_trips())
    assert first.is_closed and second.is_closed
    # trip 1: 0.998 x 110 - 1 x 100 = 9.78 cash; the 0.001 BTC of dust is left behind
    assert (first.open_quantity, first.realized_pnl, first.exit_timestamp) == (
        D("0.001"),
        D("9.78"),
        at(2),
    )
    assert first.average_exit_price == D(110)
    assert first.total_commission == D("0.1")  # 0.001 BTC at 100
    # trip 2 starts from zero: 1.997 x 120 - 2 x 100 = 39.64
    assert (second.open_quantity, second.realized_pnl, second.quantity) == (
        D("0.001"),
        D("39.64"),
        D(2),
    )
    assert second.entry_timestamp == at(3)


def test_quantity_is_conserved_exactly():
    fills = _two_round_trips()
    trades = build_trades(fills)
    held = sum(
        (f.quantity_filled - f.commission if f.side == "BUY" else -f.quantity_filled) for f in fills
    )
    assert held == D("0.002")
    assert sum(t.open_quantity for t in trades) == held  # the dust, on the trades that left it


def test_more_than_the_cycles_base_fees_is_not_dust():
    fills = [_buy("B1", "1", "100", "0.001", 1), _sell("S1", "0.9975", "110", 2)]
    (trade,) = build_trades(fills)  # 0.0015 left > 0.001 of fees: still an open position
    assert not trade.is_closed
    assert trade.open_quantity == D("0.0015")


def test_an_exit_after_dust_continues_the_round_trip():
    fills = [
        _buy("B1", "1", "100", "0.001", 1),
        _sell("S1", "0.998", "110", 2),  # at dust ...
        _sell("S2", "0.001", "111", 3),  # ... but the user sells it: exactly flat, one trade
    ]
    (trade,) = build_trades(fills)
    assert trade.is_closed and trade.open_quantity == 0
    assert trade.exit_timestamp == at(3)
    assert trade.realized_pnl == D("9.891")  # 109.78 + 0.111 - 100


def test_a_short_cycle_leaves_dust_the_same_way():
    fills = [
        make_fill(
            "S1",
            side="SELL",
            quantity_filled=D(1),
            fill_price=D(100),
            commission=D("0.001"),
            commission_asset="BTC",
            filled_at=at(1),
        ),  # owes 1.001
        make_fill("B1", quantity_filled=D("1.0005"), fill_price=D(90), filled_at=at(2)),
        make_fill(
            "S2", side="SELL", quantity_filled=D(1), fill_price=D(100), filled_at=at(3)
        ),  # a new short
    ]
    first, second = build_trades(fills)
    assert first.is_closed and first.open_quantity == D("0.0005")
    assert first.realized_pnl == D("9.855")  # 100 - 90.045 = 9.955, minus the 0.1 USD fee
    assert not second.is_closed


def test_fifo_and_lifo_need_no_rule():
    for grouping in (TradeGrouping.FIFO, TradeGrouping.LIFO):
        trades = build_trades(_two_round_trips(), grouping)
        closed = [t for t in trades if t.is_closed]
        assert closed and all(t.open_quantity == 0 for t in closed)
        assert sum(t.open_quantity for t in trades if not t.is_closed) == D("0.002")
