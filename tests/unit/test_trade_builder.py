"""Round-trip trades and PnL (trading-rules.md, "Trades (round trips) built from fills").

Expected numbers are computed by hand in the comments, not by the code under test.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from domain import (
    InvalidValueError,
    MissingConversionRateError,
    TradeGrouping,
    TradeSide,
    build_trades,
)
from tests.factories import at, make_fill

D = Decimal
G = TradeGrouping


def fills(*rows, pair="XRP/USD", exchange="kraken", fee_asset=None):
    """rows: (side, quantity, price, commission)"""
    quote = pair.split("/")[1]
    return [
        make_fill(
            f"F{i:03d}",
            side=side,
            quantity_filled=D(q),
            fill_price=D(p),
            commission=D(c),
            commission_asset=fee_asset or quote,
            trading_pair=pair,
            exchange=exchange,
            filled_at=at(i),
        )
        for i, (side, q, p, c) in enumerate(rows)
    ]


@pytest.mark.parametrize("grouping", list(G))
def test_freqtrade_worked_example(grouping):
    # LONG 30 @ 2.0, exit @ 2.1, 0.25% fee each side: 60*0.0025 = 0.15, 63*0.0025 = 0.1575
    (trade,) = build_trades(
        fills(("BUY", "30", "2.0", "0.15"), ("SELL", "30", "2.1", "0.1575")), grouping
    )
    assert trade.side is TradeSide.LONG
    assert trade.realized_pnl == D("2.6925")  # 62.8425 - 60.15
    assert trade.total_commission == D("0.3075")
    assert trade.gross_pnl == D("3")
    assert trade.entry_cash == D("60.15")
    assert trade.realized_pnl_pct == D("4.476309226932668329")  # 100 * 2.6925 / 60.15
    assert (trade.average_entry_price, trade.average_exit_price) == (D("2.0"), D("2.1"))
    assert trade.exit_timestamp == at(1)
    assert trade.open_quantity == 0


def nautilus_fills():
    rows = [("BUY", 12, 100), ("BUY", 17, 99), ("SELL", 9, 101), ("SELL", 4, 105), ("BUY", 3, 103)]
    return fills(*[(s, str(q), str(p), str(D(q) * D(p) / D(10000))) for s, q, p in rows])


def test_nautilus_worked_example_realized_so_far_on_average_cost():
    # avg entry (1200 + 1683) / 29 = 99.413793103448275862...
    # realized: 9*(101-avg) + 4*(105-avg) = 36.62068965..., fees 0.12+0.1683+0.0909+0.042 = 0.4212
    (trade,) = build_trades(nautilus_fills()[:4])
    assert trade.average_entry_price == D("99.413793103448275862")
    assert trade.realized_pnl.quantize(D("0.00000001")) == D("36.19948966")
    assert trade.exit_timestamp is None
    assert trade.average_exit_price is None
    assert trade.realized_pnl_pct is None
    assert trade.open_quantity == D(16)


def test_the_open_trade_keeps_paying_commissions():
    (trade,) = build_trades(nautilus_fills())
    # one more BUY 3 @ 103 adds a 0.0309 fee; quantity entered is 12 + 17 + 3
    assert trade.realized_pnl.quantize(D("0.00000001")) == D("36.16858966")
    assert trade.quantity == D(32)
    assert trade.open_quantity == D(19)
    assert trade.average_entry_price == D("99.75")  # (1200 + 1683 + 309) / 32


def test_fifo_and_lifo_split_lots():
    rows = fills(("BUY", "1", "10", "0"), ("BUY", "1", "20", "0"), ("SELL", "1.5", "30", "0"))
    fifo = build_trades(rows, G.FIFO)
    # closes lot 1 (1 @ 10 -> +20) and half of lot 2 (0.5 @ 20 -> +5); 0.5 @ 20 stays open
    assert [(t.quantity, t.realized_pnl, t.is_closed) for t in fifo] == [
        (D(1), D(20), True),
        (D("0.5"), D(5), True),
        (D("0.5"), D(0), False),
    ]
    lifo = build_trades(rows, G.LIFO)
    # closes lot 2 (1 @ 20 -> +10) and half of lot 1 (0.5 @ 10 -> +10); 0.5 @ 10 stays open
    assert sorted((t.quantity, t.realized_pnl, t.is_closed) for t in lifo) == [
        (D("0.5"), D(0), False),
        (D("0.5"), D(10), True),
        (D(1), D(10), True),
    ]


@pytest.mark.parametrize("grouping", list(G))
def test_a_fill_crossing_zero_is_split_pro_rata(grouping):
    # long 1 @ 100 (fee 0.1); sell 3 @ 110 (fee 0.3): 1/3 closes, 2/3 opens a short
    trades = build_trades(
        fills(("BUY", "1", "100", "0.1"), ("SELL", "3", "110", "0.3"), ("BUY", "2", "105", "0.2")),
        grouping,
    )
    assert [(t.side, t.quantity, t.realized_pnl, t.total_commission) for t in trades] == [
        (TradeSide.LONG, D(1), D("9.8"), D("0.2")),  # 110 - 100 - 0.1 - 0.1
        (TradeSide.SHORT, D(2), D("9.6"), D("0.4")),  # 220 - 210 - 0.2 - 0.2
    ]
    assert trades[1].entry_timestamp == at(1)


def test_short_to_long_crossing():
    trades = build_trades(
        fills(("SELL", "2", "50", "0"), ("BUY", "5", "40", "0"), ("SELL", "3", "45", "0"))
    )
    assert [(t.side, t.quantity, t.realized_pnl) for t in trades] == [
        (TradeSide.SHORT, D(2), D(20)),
        (TradeSide.LONG, D(3), D(15)),
    ]


def test_a_base_asset_fee_on_a_buy_reduces_what_is_held():
    # buy 1.0 BTC @ 100 paying 0.001 BTC: holds 0.999; selling 0.999 @ 110 closes it
    rows = [
        make_fill(
            "A",
            quantity_filled=D("1.0"),
            fill_price=D(100),
            commission=D("0.001"),
            commission_asset="BTC",
            filled_at=at(1),
        ),
        make_fill(
            "B",
            side="SELL",
            quantity_filled=D("0.999"),
            fill_price=D(110),
            commission=D(0),
            filled_at=at(2),
        ),
    ]
    (trade,) = build_trades(rows)
    assert trade.is_closed
    assert trade.realized_pnl == D("9.89")  # 109.89 - 100: the fee is inside the quantities
    assert trade.total_commission == D("0.1")  # 0.001 BTC at 100
    assert trade.gross_pnl == D("9.99")


def test_a_base_asset_fee_on_a_sell_removes_more():
    rows = [
        make_fill(
            "A", quantity_filled=D("1.001"), fill_price=D(100), commission=D(0), filled_at=at(1)
        ),
        make_fill(
            "B",
            side="SELL",
            quantity_filled=D("1.0"),
            fill_price=D(110),
            commission=D("0.001"),
            commission_asset="BTC",
            filled_at=at(2),
        ),
    ]
    (trade,) = build_trades(rows)
    assert trade.is_closed
    assert trade.realized_pnl == D("9.9")  # 110 - 100.1
    assert trade.total_commission == D("0.11")


def test_a_third_asset_fee_needs_a_rate():
    rows = fills(("BUY", "10", "1", "2"), ("SELL", "10", "1.5", "2"), fee_asset="KFEE")
    with pytest.raises(MissingConversionRateError, match="KFEE/USD"):
        build_trades(rows)
    (trade,) = build_trades(rows, conversion_rates={"KFEE/USD": D("0.01")})
    assert trade.total_commission == D("0.04")
    assert trade.realized_pnl == D("4.96")


def test_pairs_and_exchanges_are_separate_round_trips():
    mixed = (
        fills(("BUY", "1", "10", "0"), ("SELL", "1", "12", "0"), pair="XRP/USD")
        + fills(("BUY", "2", "5", "0"), ("SELL", "2", "4", "0"), pair="DOGE/USD")
        + fills(("BUY", "1", "10", "0"), pair="XRP/USD", exchange="binance")
    )
    random.Random(3).shuffle(mixed)
    trades = build_trades(mixed)
    assert [(t.exchange, t.trading_pair, t.realized_pnl, t.is_closed) for t in trades] == [
        ("binance", "XRP/USD", D(0), False),
        ("kraken", "DOGE/USD", D(-2), True),
        ("kraken", "XRP/USD", D(2), True),
    ]


def test_trade_ids_are_deterministic_and_order_independent():
    rows = nautilus_fills() + fills(("SELL", "19", "110", "0"), pair="XRP/USD")[0:0]
    first = build_trades(rows, G.FIFO)
    shuffled = list(rows)
    random.Random(1).shuffle(shuffled)
    second = build_trades(shuffled, G.FIFO)
    assert [t.trade_id for t in first] == [t.trade_id for t in second]
    assert len({t.trade_id for t in first}) == len(first)


def test_no_fills_no_trades():
    assert build_trades([]) == []


def test_entry_and_exit_order_keys_come_from_the_fills():
    rows = fills(("BUY", "1", "10", "0"), ("SELL", "1", "11", "0"))
    rows[0].order_pk, rows[1].order_pk = 7, 8
    (trade,) = build_trades(rows)
    assert (trade.entry_order_pk, trade.exit_order_pk) == (7, 8)


@pytest.mark.parametrize("grouping", list(G))
def test_a_closed_trade_with_zero_pnl_has_a_zero_percentage_not_none(grouping):
    # buy 1 @ 10 and sell 1 @ 10 without fees: realized 0, so 0 %, and the trade is closed
    (trade,) = build_trades(fills(("BUY", "1", "10", "0"), ("SELL", "1", "10", "0")), grouping)
    assert trade.is_closed
    assert trade.realized_pnl == 0
    assert trade.realized_pnl_pct == 0
    assert trade.realized_pnl_pct is not None


@pytest.mark.parametrize("fee", ["1", "1.5"])
def test_a_base_fee_that_eats_a_whole_buy_is_a_clear_error(fee):
    # a buy of 1 BTC paying 1 BTC or more moves nothing (or less than nothing): refuse it
    rows = [
        make_fill("A", quantity_filled=D(1), commission=D(fee), commission_asset="BTC"),
        make_fill("B", side="SELL", quantity_filled=D(1), commission=D(0), filled_at=at(2)),
    ]
    for grouping in G:
        with pytest.raises(InvalidValueError, match="^commission: fill 'A'"):
            build_trades(rows, grouping)
