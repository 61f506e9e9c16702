"""Round-trip trades and PnL (docs/trading-rules.md, "Round-trip trades").

Expected numbers are worked out by hand: in the comments, or with exact fractions
(``fractions.Fraction``) rounded half-even to 18 places by :func:`q18` below, never by
calling the code under test.
"""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from gal_friday.domain import (
    InvalidValueError,
    MissingConversionRateError,
    Trade,
    TradeGrouping,
    TradeSide,
    build_trades,
    iter_trades,
)
from gal_friday.domain.fill import Fill, FillRecord
from gal_friday.domain.trade_builder import TRADES_PER_BATCH
from tests.factories import at, make_fill

D = Decimal
F = Fraction
G = TradeGrouping
LONG, SHORT = TradeSide.LONG, TradeSide.SHORT


def q18(value: Fraction) -> Decimal:
    """``value`` rounded half-even to 18 decimal places, by integer arithmetic."""
    scaled = value * 10**18
    units, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest > scaled.denominator or (2 * rest == scaled.denominator and units % 2):
        units += 1
    return Decimal(f"{units}E-18")


def fills(*rows, pair="XRP/USD", exchange="kraken", fee_asset=None, start=0):
    """rows: (side, quantity, price, commission), one minute apart from ``start``."""
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
        for i, (side, q, p, c) in enumerate(rows, start)
    ]


def summary(trade: Trade) -> tuple:
    return (trade.side, trade.quantity, trade.realized_pnl, trade.total_commission)


def every_field(trade: Trade) -> dict:
    return attrs.asdict(trade, recurse=False)


# -- the worked examples ----------------------------------------------------------------------


@pytest.mark.parametrize("grouping", list(G))
def test_freqtrade_worked_example(grouping):
    # LONG 30 @ 2.0, exit @ 2.1, 0.25% fee each side: 60*0.0025 = 0.15, 63*0.0025 = 0.1575
    (trade,) = build_trades(
        fills(("BUY", "30", "2.0", "0.15"), ("SELL", "30", "2.1", "0.1575")), grouping
    )
    assert trade.side is LONG
    assert trade.grouping is grouping
    assert trade.quantity == D(30)
    assert trade.realized_pnl == D("2.6925")  # 62.8425 - 60.15
    assert trade.total_commission == D("0.3075")  # 0.15 + 0.1575
    assert trade.gross_pnl == D("3")  # 63 - 60
    assert trade.entry_cash == D("60.15")
    assert trade.realized_pnl_pct == D("4.476309226932668329")  # 100 * 2.6925 / 60.15
    assert str(trade.realized_pnl_pct).startswith("4.4763092")
    assert trade.realized_pnl_pct == q18(100 * F("2.6925") / F("60.15"))
    assert (trade.average_entry_price, trade.average_exit_price) == (D("2.0"), D("2.1"))
    assert (trade.entry_timestamp, trade.exit_timestamp) == (at(0), at(1))
    assert trade.open_quantity == 0
    assert trade.is_closed


NAUTILUS = [("BUY", 12, 100), ("BUY", 17, 99), ("SELL", 9, 101), ("SELL", 4, 105), ("BUY", 3, 103)]


def nautilus_fills(count: int = 5):
    """NautilusTrader's example: commission 1 bp of notional, in quote."""
    rows = NAUTILUS[:count]
    return fills(*[(s, str(q), str(p), str(D(q) * D(p) / D(10000))) for s, q, p in rows])


def fee(quantity: int, price: int) -> Fraction:
    return F(quantity * price, 10000)


AVG_ENTRY = F(12 * 100 + 17 * 99, 29)  # 2883 / 29 = 99.41379310344827586206...
FEES_SO_FAR = fee(12, 100) + fee(17, 99) + fee(9, 101) + fee(4, 105)  # 0.4212


@pytest.mark.parametrize("grouping", list(G))
def test_nautilus_average_entry_after_the_two_buys(grouping):
    trades = build_trades(nautilus_fills(2), grouping)
    assert all(not t.is_closed for t in trades)
    held = sum((t.open_quantity for t in trades), D(0))
    weighted = sum((F(t.open_quantity) * F(t.average_entry_price) for t in trades), F(0))
    assert held == 29
    assert q18(weighted / 29) == q18(AVG_ENTRY) == D("99.413793103448275862")
    assert str(q18(AVG_ENTRY)).startswith("99.41379310")


def test_nautilus_realized_so_far_on_average_cost():
    (trade,) = build_trades(nautilus_fills(4))
    # 9 * (101 - avg) + 4 * (105 - avg) - fees = 36.62068965... - 0.4212
    expected = 9 * (101 - AVG_ENTRY) + 4 * (105 - AVG_ENTRY) - FEES_SO_FAR
    assert trade.average_entry_price == D("99.413793103448275862")
    assert trade.realized_pnl == q18(expected)
    assert trade.realized_pnl.quantize(D("0.00000001")) == D("36.19948966")
    assert trade.exit_timestamp is None
    assert trade.average_exit_price is None
    assert trade.realized_pnl_pct is None
    assert trade.open_quantity == D(16)
    assert trade.quantity == D(29)
    assert trade.total_commission == D("0.4212")
    assert trade.side is LONG


def test_nautilus_open_trade_keeps_paying_commissions():
    (trade,) = build_trades(nautilus_fills())
    # one more BUY 3 @ 103 adds a 0.0309 fee; quantity entered is 12 + 17 + 3
    expected = 9 * (101 - AVG_ENTRY) + 4 * (105 - AVG_ENTRY) - FEES_SO_FAR - fee(3, 103)
    assert trade.realized_pnl == q18(expected)
    assert trade.realized_pnl.quantize(D("0.00000001")) == D("36.16858966")
    assert trade.quantity == D(32)
    assert trade.open_quantity == D(19)
    assert trade.average_entry_price == D("99.75")  # (1200 + 1683 + 309) / 32
    assert trade.total_commission == D("0.4521")  # 0.4212 + 0.0309


def test_nautilus_fifo_closes_the_oldest_lot_first():
    trades = build_trades(nautilus_fills(4), G.FIFO)
    # lot 1 = 12 @ 100 (fee 0.12), lot 2 = 17 @ 99 (fee 0.1683)
    # SELL 9 @ 101 (fee 0.0909) closes 9 of lot 1; SELL 4 @ 105 (fee 0.042) closes lot 1's
    # last 3 and 1 of lot 2; 16 of lot 2 stay open, carrying 16/17 of its fee.
    expected = [
        (LONG, D(9), D(9) - D("0.09") - D("0.0909"), True),  # 9 * 1 - 9/12 of 0.12 - 0.0909
        (LONG, D(3), D(15) - D("0.03") - D("0.0315"), True),  # 3 * 5, 3/12 of 0.12, 3/4 of 0.042
        (LONG, D(1), D(6) - D("0.0099") - D("0.0105"), True),  # 1 * 6, 1/17 of 0.1683, 1/4
        (LONG, D(16), -D("0.1584"), False),  # 16/17 of 0.1683
    ]
    assert [(t.side, t.quantity, t.realized_pnl, t.is_closed) for t in trades] == expected
    assert sum((t.realized_pnl for t in trades), D(0)) == D(30) - D("0.4212")
    assert [t.average_entry_price for t in trades] == [D(100), D(100), D(99), D(99)]
    assert [t.average_exit_price for t in trades] == [D(101), D(105), D(105), None]


def test_nautilus_lifo_closes_the_newest_lot_first():
    trades = build_trades(nautilus_fills(4), G.LIFO)
    # SELL 9 @ 101 closes 9 of lot 2 (17 @ 99); SELL 4 @ 105 closes 4 more of lot 2
    expected = [
        (LONG, D(9), D(18) - D("0.0891") - D("0.0909"), True),  # 9 * 2, 9/17 of 0.1683
        (LONG, D(4), D(24) - D("0.0396") - D("0.042"), True),  # 4 * 6, 4/17 of 0.1683
        (LONG, D(12), -D("0.12"), False),  # lot 1 untouched
        (LONG, D(4), -D("0.0396"), False),  # what is left of lot 2
    ]
    assert [(t.side, t.quantity, t.realized_pnl, t.is_closed) for t in trades] == expected
    assert sum((t.realized_pnl for t in trades), D(0)) == D(42) - D("0.4212")


# -- FIFO / LIFO lots -------------------------------------------------------------------------


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
    assert [(t.quantity, t.realized_pnl, t.is_closed) for t in lifo] == [
        (D("0.5"), D(10), True),
        (D(1), D(10), True),
        (D("0.5"), D(0), False),
    ]
    assert [t.average_entry_price for t in lifo] == [D(10), D(20), D(10)]


def test_an_open_lot_piece_reports_open_fields():
    (_, _, piece) = build_trades(
        fills(("BUY", "1", "10", "0.01"), ("BUY", "1", "20", "0.02"), ("SELL", "1.5", "30", "0")),
        G.FIFO,
    )
    assert piece.exit_timestamp is None
    assert piece.average_exit_price is None
    assert piece.realized_pnl_pct is None
    assert piece.open_quantity == D("0.5")
    assert piece.realized_pnl == D("-0.01")  # half of lot 2's 0.02 fee
    assert piece.entry_cash == D("10.01")  # 0.5 * 20 + 0.01
    assert piece.entry_timestamp == at(1)


# -- zero crossings ---------------------------------------------------------------------------


@pytest.mark.parametrize("grouping", list(G))
def test_a_fill_crossing_zero_from_long_to_short_is_split_pro_rata(grouping):
    # long 1 @ 100 (fee 0.1); sell 3 @ 110 (fee 0.3): 1/3 closes, 2/3 opens a short
    trades = build_trades(
        fills(("BUY", "1", "100", "0.1"), ("SELL", "3", "110", "0.3"), ("BUY", "2", "105", "0.2")),
        grouping,
    )
    assert [summary(t) for t in trades] == [
        (LONG, D(1), D("9.8"), D("0.2")),  # 110 - 100 - 0.1 - 0.1
        (SHORT, D(2), D("9.6"), D("0.4")),  # 220 - 210 - 0.2 - 0.2
    ]
    assert [t.entry_timestamp for t in trades] == [at(0), at(1)]
    assert [t.exit_timestamp for t in trades] == [at(1), at(2)]
    assert trades[1].average_entry_price == D(110)
    assert trades[1].entry_cash == D("219.8")  # SHORT: 220 - 0.2
    assert trades[1].realized_pnl_pct == q18(100 * F("9.6") / F("219.8"))
    # quantity and commission conserved: 1 + 2 entered, 0.1 + 0.3 + 0.2 paid
    assert sum((t.total_commission for t in trades), D(0)) == D("0.6")


@pytest.mark.parametrize("grouping", list(G))
def test_a_fill_crossing_zero_from_short_to_long_is_split_pro_rata(grouping):
    # short 2 @ 50 (fee 0.2); buy 5 @ 40 (fee 0.5): 2/5 closes (0.2), 3/5 opens a long (0.3)
    trades = build_trades(
        fills(("SELL", "2", "50", "0.2"), ("BUY", "5", "40", "0.5"), ("SELL", "3", "45", "0.3")),
        grouping,
    )
    assert [summary(t) for t in trades] == [
        (SHORT, D(2), D("19.6"), D("0.4")),  # 100 - 80 - 0.2 - 0.2
        (LONG, D(3), D("14.4"), D("0.6")),  # 135 - 120 - 0.3 - 0.3
    ]
    assert [t.entry_cash for t in trades] == [D("99.8"), D("120.3")]
    assert trades[0].realized_pnl_pct == q18(100 * F("19.6") / F("99.8"))
    assert trades[1].realized_pnl_pct == q18(100 * F("14.4") / F("120.3"))
    assert trades[1].entry_timestamp == trades[0].exit_timestamp == at(1)
    assert [t.gross_pnl for t in trades] == [D(20), D(15)]


def test_a_crossing_whose_rest_stays_open():
    # long 1 @ 10; sell 4 @ 12 with fee 0.4: closes 1 (fee 0.1), opens short 3 (fee 0.3)
    trades = build_trades(fills(("BUY", "1", "10", "0"), ("SELL", "4", "12", "0.4")))
    assert [summary(t) for t in trades] == [
        (LONG, D(1), D("1.9"), D("0.1")),
        (SHORT, D(3), D("-0.3"), D("0.3")),
    ]
    assert trades[1].open_quantity == D(3)
    assert not trades[1].is_closed


def test_a_crossing_with_an_uneven_split_conserves_the_commission():
    # long 1; sell 3 paying 0.1: 1/3 and 2/3 of 0.1 do not terminate, their sum must
    buy, sell = fills(("BUY", "1", "10", "0"), ("SELL", "3", "10", "0.1"))
    trades = build_trades([buy, sell])
    assert [t.total_commission for t in trades] == [q18(F(1, 30)), q18(F(2, 30))]
    assert [t.total_commission for t in trades] == [
        D("0.033333333333333333"),
        D("0.066666666666666667"),
    ]
    assert sum((t.total_commission for t in trades), D(0)) == D("0.1")


# -- FLAT_TO_FLAT averages and cycles ---------------------------------------------------------


def test_flat_to_flat_weights_entry_and_exit_prices_by_quantity():
    trades = build_trades(
        fills(
            ("BUY", "1", "10", "0"),
            ("BUY", "1", "20", "0"),
            ("SELL", "0.5", "30", "0"),
            ("SELL", "1.5", "40", "0"),
        )
    )
    (trade,) = trades
    assert trade.average_entry_price == D(15)  # (10 + 20) / 2
    assert trade.average_exit_price == D("37.5")  # (15 + 60) / 2
    assert trade.realized_pnl == D(45)  # 75 - 30
    assert trade.realized_pnl_pct == D(150)  # 100 * 45 / 30
    assert trade.exit_timestamp == at(3)


def test_each_flat_to_flat_cycle_is_its_own_trade():
    rows = fills(
        ("BUY", "1", "10", "0"),
        ("SELL", "1", "11", "0"),
        ("SELL", "2", "20", "0"),
        ("BUY", "2", "19", "0"),
    )
    rows[0].order_pk, rows[1].order_pk, rows[2].order_pk, rows[3].order_pk = 1, 2, 3, 4
    first, second = build_trades(rows)
    assert (first.side, first.realized_pnl, first.entry_order_pk, first.exit_order_pk) == (
        LONG,
        D(1),
        1,
        2,
    )
    assert (second.side, second.realized_pnl, second.entry_order_pk, second.exit_order_pk) == (
        SHORT,
        D(2),
        3,
        4,
    )
    assert first.trade_id != second.trade_id


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


@pytest.mark.parametrize("grouping", list(G))
def test_a_short_whose_entry_fees_exceed_its_notional_has_no_percentage(grouping):
    # SELL 1 @ 1 paying 2: entry cash 1 - 2 = -1, a percentage of it means nothing
    (trade,) = build_trades(fills(("SELL", "1", "1", "2"), ("BUY", "1", "0.5", "0")), grouping)
    assert trade.is_closed
    assert trade.entry_cash == D(-1)
    assert trade.realized_pnl == D("-1.5")  # 1 - 0.5 - 2
    assert trade.realized_pnl_pct is None


# -- commissions in the base asset ------------------------------------------------------------


@pytest.mark.parametrize("grouping", list(G))
def test_a_base_asset_fee_on_a_buy_reduces_what_is_held(grouping):
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
    (trade,) = build_trades(rows, grouping)
    assert trade.is_closed
    assert trade.quantity == D(1)
    assert trade.realized_pnl == D("9.89")  # 109.89 - 100: the fee is inside the quantities
    assert trade.total_commission == D("0.1")  # 0.001 BTC at 100
    assert trade.gross_pnl == D("9.99")
    assert trade.entry_cash == D("100.1")  # 100 + 0.1
    assert trade.realized_pnl_pct == q18(100 * F("9.89") / F("100.1"))


@pytest.mark.parametrize("grouping", list(G))
def test_a_base_asset_fee_on_a_buy_leaves_less_open(grouping):
    (trade,) = build_trades(
        [make_fill("A", quantity_filled=D(1), commission=D("0.001"), commission_asset="BTC")],
        grouping,
    )
    assert (trade.quantity, trade.open_quantity) == (D(1), D("0.999"))
    assert trade.realized_pnl == 0  # no cash fee paid
    assert trade.total_commission == D("0.1")  # 0.001 * 100


@pytest.mark.parametrize("grouping", list(G))
def test_a_base_asset_fee_on_a_sell_removes_more(grouping):
    # buy 1.001 @ 100; sell 1.0 @ 110 paying 0.001 BTC removes 1.001: flat
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
    (trade,) = build_trades(rows, grouping)
    assert trade.is_closed
    assert trade.realized_pnl == D("9.9")  # 110 - 100.1
    assert trade.total_commission == D("0.11")  # 0.001 BTC at 110
    assert trade.gross_pnl == D("10.01")
    # prices are averaged over the quantities the exchange reported, not over net units
    assert (trade.average_entry_price, trade.average_exit_price) == (D(100), D(110))
    assert trade.quantity == D("1.001")


@pytest.mark.parametrize("fee", ["1", "1.5"])
def test_a_base_fee_that_eats_a_whole_buy_is_a_clear_error(fee):
    # a buy of 1 BTC paying 1 BTC or more moves nothing (or less than nothing): refuse it
    with pytest.raises(InvalidValueError, match="^commission: fill 'A' pays"):
        make_fill("A", quantity_filled=D(1), commission=D(fee), commission_asset="BTC")
    rows = [  # as stored rows (never made into Fills), the builder refuses them too
        stored(make_fill("A", quantity_filled=D(1), commission=D(0)), D(fee), "BTC"),
        stored(make_fill("B", side="SELL", quantity_filled=D(1), filled_at=at(2))),
    ]
    for grouping in G:
        with pytest.raises(InvalidValueError, match="^commission: fill 'A'"):
            build_trades(rows, grouping)


# -- commissions in a third asset -------------------------------------------------------------


@pytest.mark.parametrize("grouping", list(G))
def test_a_third_asset_fee_needs_a_rate(grouping):
    rows = fills(("BUY", "10", "1", "2"), ("SELL", "10", "1.5", "2"), fee_asset="KFEE")
    with pytest.raises(MissingConversionRateError, match=r"'F000'.*KFEE.*'KFEE/USD'"):
        build_trades(rows, grouping)
    (trade,) = build_trades(rows, grouping, conversion_rates={"KFEE/USD": D("0.01")})
    assert trade.total_commission == D("0.04")  # (2 + 2) KFEE at 0.01 USD
    assert trade.realized_pnl == D("4.96")  # 15 - 10 - 0.04
    assert trade.entry_cash == D("10.02")


def test_a_rate_for_another_asset_does_not_help():
    rows = fills(("BUY", "10", "1", "2"), fee_asset="KFEE")
    with pytest.raises(MissingConversionRateError):
        build_trades(rows, conversion_rates={"BNB/USD": D(300), "KFEE/EUR": D("0.01")})


def test_a_zero_third_asset_fee_needs_no_rate():
    rows = fills(("BUY", "10", "1", "0"), ("SELL", "10", "2", "0"), fee_asset="KFEE")
    (trade,) = build_trades(rows)
    assert (trade.total_commission, trade.realized_pnl) == (D(0), D(10))


@pytest.mark.parametrize(
    ("rate", "message"),
    [(D(0), "greater than zero"), (D(-1), "greater than zero"), (0.01, "float")],
)
def test_a_bad_rate_is_refused(rate, message):
    rows = fills(("BUY", "10", "1", "2"), fee_asset="KFEE")
    with pytest.raises(InvalidValueError, match=rf"^conversion_rates\['KFEE/USD'\]: .*{message}"):
        build_trades(rows, conversion_rates={"KFEE/USD": rate})


@pytest.mark.parametrize("grouping", list(G))
def test_commissions_in_three_assets_on_one_trade(grouping):
    rows = [
        make_fill("A", quantity_filled=D(1), fill_price=D(100), commission=D("0.5")),  # USD
        make_fill(
            "B",
            quantity_filled=D(1),
            fill_price=D(100),
            commission=D(3),
            commission_asset="KFEE",
            filled_at=at(2),
        ),
        make_fill(  # removes 1.998 + 0.002 = 2: flat
            "C",
            side="SELL",
            quantity_filled=D("1.998"),
            fill_price=D(120),
            commission=D("0.002"),
            commission_asset="BTC",
            filled_at=at(3),
        ),
    ]
    trades = build_trades(rows, grouping, conversion_rates={"KFEE/USD": D("0.01")})
    assert all(t.is_closed for t in trades)
    # 0.5 USD + 3 KFEE at 0.01 + 0.002 BTC at 120
    assert sum((t.total_commission for t in trades), D(0)) == D("0.77")
    # 1.998 * 120 - 200 - 0.5 - 0.03: the BTC fee is already inside the quantities
    assert sum((t.realized_pnl for t in trades), D(0)) == D("39.23")
    assert sum((t.gross_pnl for t in trades), D(0)) == D(40)


# -- grouping by pair and exchange, order, identity -------------------------------------------


@pytest.mark.parametrize("grouping", list(G))
def test_pairs_and_exchanges_are_separate_round_trips(grouping):
    mixed = (
        fills(("BUY", "1", "10", "0"), ("SELL", "1", "12", "0"), pair="XRP/USD")
        + fills(("BUY", "2", "5", "0"), ("SELL", "2", "4", "0"), pair="DOGE/USD")
        + fills(("BUY", "1", "10", "0"), pair="XRP/USD", exchange="binance")
    )
    random.Random(3).shuffle(mixed)
    trades = build_trades(mixed, grouping)
    assert [(t.exchange, t.trading_pair, t.realized_pnl, t.is_closed) for t in trades] == [
        ("binance", "XRP/USD", D(0), False),
        ("kraken", "DOGE/USD", D(-2), True),  # 8 - 10
        ("kraken", "XRP/USD", D(2), True),  # 12 - 10
    ]


def test_interleaved_fills_of_two_pairs_do_not_net_against_each_other():
    # BUY XRP, SELL DOGE, SELL XRP, BUY DOGE: each pair flat on its own
    rows = [
        *fills(("BUY", "100", "0.5", "0"), pair="XRP/USD", start=0),
        *fills(("SELL", "100", "0.1", "0"), pair="DOGE/USD", start=1),
        *fills(("SELL", "100", "0.6", "0"), pair="XRP/USD", start=2),
        *fills(("BUY", "100", "0.08", "0"), pair="DOGE/USD", start=3),
    ]
    doge, xrp = build_trades(rows)
    assert (doge.trading_pair, doge.side, doge.realized_pnl) == ("DOGE/USD", SHORT, D(2))
    assert (xrp.trading_pair, xrp.side, xrp.realized_pnl) == ("XRP/USD", LONG, D(10))


def test_ties_in_time_are_broken_by_fill_id():
    # both at the same minute: the lower id comes first and opens the trade
    sell = make_fill("A", side="SELL", quantity_filled=D(1), fill_price=D(10), commission=D(0))
    buy = make_fill("B", side="BUY", quantity_filled=D(1), fill_price=D(12), commission=D(0))
    (trade,) = build_trades([buy, sell])
    assert (trade.side, trade.realized_pnl) == (SHORT, D(-2))  # sold at 10, bought back at 12
    sell.fill_id, buy.fill_id = "B", "A"
    (trade,) = build_trades([sell, buy])
    assert (trade.side, trade.realized_pnl) == (LONG, D(-2))  # bought at 12, sold at 10


def rebuildable():
    return nautilus_fills() + fills(("SELL", "19", "110", "0.2"), start=5)


@pytest.mark.parametrize("grouping", list(G))
def test_trade_ids_are_deterministic_across_rebuilds(grouping):
    first = build_trades(rebuildable(), grouping)
    second = build_trades(rebuildable(), grouping)  # new Fill objects, same data
    assert [t.trade_id for t in first] == [t.trade_id for t in second]
    assert len({t.trade_id for t in first}) == len(first)


def test_trade_ids_differ_between_groupings():
    ids = {g: {t.trade_id for t in build_trades(rebuildable(), g)} for g in G}
    assert not ids[G.FIFO] & ids[G.LIFO]
    assert not ids[G.FIFO] & ids[G.FLAT_TO_FLAT]
    assert not ids[G.LIFO] & ids[G.FLAT_TO_FLAT]


@pytest.mark.parametrize("grouping", list(G))
def test_shuffled_input_gives_the_same_trades(grouping):
    rows = rebuildable() + fills(("SELL", "3", "1", "0.01"), ("BUY", "5", "2", "0"), pair="A/USD")
    expected = [every_field(t) for t in build_trades(rows, grouping)]
    for seed in range(5):
        shuffled = list(rows)
        random.Random(seed).shuffle(shuffled)
        assert [every_field(t) for t in build_trades(shuffled, grouping)] == expected


@pytest.mark.parametrize("grouping", list(G))
def test_no_fills_no_trades(grouping):
    assert build_trades([], grouping) == []


def test_the_grouping_may_be_named_and_must_exist():
    rows = fills(("BUY", "1", "10", "0"))
    assert build_trades(rows, "fifo")[0].grouping is G.FIFO  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="^grouping: 'AVERAGE' is not one of"):
        build_trades(rows, "AVERAGE")  # type: ignore[arg-type]


def test_no_float_and_utc_times_in_every_trade():
    for grouping in G:
        for trade in build_trades(rebuildable(), grouping):
            for field in attrs.fields(Trade):
                assert not isinstance(getattr(trade, field.name), float), field.name
            assert trade.entry_timestamp.utcoffset() is not None


# -- streaming (iter_trades) ------------------------------------------------------------------


def test_streaming_refuses_fills_out_of_time_order():
    stream = fills(("BUY", 1, 10, 0), ("SELL", 1, 11, 0))
    with pytest.raises(InvalidValueError, match="'F000' comes before 'F001' in time"):
        list(iter_trades(reversed(stream)))


def test_streaming_refuses_a_second_pair():
    stream = fills(("BUY", 1, 10, 0)) + fills(("SELL", 1, 11, 0), pair="DOGE/USD", start=1)
    with pytest.raises(InvalidValueError, match="DOGE/USD, not kraken XRP/USD"):
        list(iter_trades(stream))


def test_streaming_nothing_gives_nothing():
    assert list(iter_trades([])) == []


def test_streaming_leaves_the_callers_decimal_context_alone():
    import decimal

    contexts = []
    for _trade in iter_trades(fills(("BUY", 1, 10, 0), ("SELL", 1, 11, 0), ("BUY", 1, 12, 0))):
        contexts.append(decimal.getcontext().prec)
    assert contexts == [decimal.getcontext().prec] * 2
    assert decimal.getcontext().prec != 80


def test_streaming_reads_fills_only_as_far_as_the_trades_it_yields():
    """Round trips of two fills: the first trade comes out after one batch of fills is read."""
    read = 0

    def history():
        nonlocal read
        for n in range(100 * TRADES_PER_BATCH):
            read += 1
            yield make_fill(
                f"F{n:09d}",
                side="BUY" if n % 2 == 0 else "SELL",
                quantity_filled=D(1),
                fill_price=D(10 + n % 2),
                commission=D(0),
                commission_asset="USD",
                filled_at=at(n),
            )

    stream = iter_trades(history())
    first = next(stream)
    assert first.is_closed and first.realized_pnl == D(1)
    assert read == 2 * TRADES_PER_BATCH  # one batch of trades, two fills each
    assert sum(1 for _ in stream) == 50 * TRADES_PER_BATCH - 1


# -- rebates (issue 13.14) ----------------------------------------------------------------------


def test_a_quote_rebate_raises_the_realized_pnl_by_its_amount():
    fills = [
        make_fill("A", quantity_filled=D(1), fill_price=D(100), commission=D("-0.3")),
        make_fill(
            "B",
            side="SELL",
            quantity_filled=D(1),
            fill_price=D(110),
            commission=D("0.1"),
            filled_at=at(2),
        ),
    ]
    for grouping in TradeGrouping:
        (trade,) = build_trades(fills, grouping)
        assert (trade.realized_pnl, trade.total_commission) == (D("10.2"), D("-0.2"))
        assert trade.gross_pnl == D(10)


def test_a_base_rebate_adds_units_to_a_buy_and_must_stay_below_a_sales_quantity():
    buy = make_fill("A", quantity_filled=D(1), commission=D("-0.001"), commission_asset="BTC")
    (trade,) = build_trades([buy])
    assert trade.open_quantity == D("1.001")
    message = r"^commission: .*rebate of 1 BTC on a sale of 1 BTC"
    with pytest.raises(InvalidValueError, match=message):
        make_fill("B", side="SELL", quantity_filled=D(1), commission=D(-1), commission_asset="BTC")
    sale = stored(make_fill("B", side="SELL", quantity_filled=D(1), filled_at=at(2)), D(-1), "BTC")
    with pytest.raises(InvalidValueError, match=message):
        build_trades([buy, sale])


def stored(fill: Fill, commission: D | None = None, asset: str | None = None) -> FillRecord:
    """``fill`` as the store streams it, with another commission if given (unchecked)."""
    return FillRecord(
        fill.exchange,
        fill.trading_pair,
        fill.side,
        fill.quantity_filled,
        fill.fill_price,
        fill.commission if commission is None else commission,
        asset or fill.commission_asset,
        fill.filled_at,
        fill.fill_id,
        None,
    )
