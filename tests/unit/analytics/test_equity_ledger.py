"""The equity curve from a ledger: opening balances, flows, income, and the curve's notes."""

from __future__ import annotations

import decimal
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from gal_friday.domain import FillRecord, MissingConversionRateError, Side
from gal_friday.domain.equity import MoveKind, Movement, account_curve, valued_as
from gal_friday.domain.equity_notes import CurveEnd, NegativeBalance, StalePrice
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.ledger_holdings import ledger_holdings
from gal_friday.domain.returns import DailyMark, time_weighted


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


def row(refid, day, hour, type_, asset, amount, fee, balance, subtype=None, wallet=None):
    return LedgerEntry(
        exchange="kraken",
        txid=f"L-{refid}-{asset}-{wallet}",
        refid=refid,
        time=at(day, hour),
        type=type_,
        asset=asset,
        amount=D(amount),
        fee=D(fee),
        balance=D(balance),
        subtype=subtype,
        wallet=wallet,
    )


# 1000 EUR deposited, 5 BTC bought for 500 (fee 1), a 0.1 BTC reward, 1 BTC deposited
LEDGER = [
    row("D1", 1, 9, "deposit", "EUR", "1000", "0", "1000"),
    row("T1", 1, 10, "trade", "EUR", "-500", "1", "499"),
    row("T1", 1, 10, "trade", "BTC", "5", "0", "5"),
    row("R1", 2, 12, "earn", "BTC.F", "0.1", "0", "0.1", subtype="reward"),
    row("D2", 3, 9, "deposit", "BTC", "1", "0", "6"),
]
# the daily close of day d is known at the end of day d (the next day's 00:00)
CLOSES = {"BTC/EUR": [(at(2), D(100)), (at(3), D(110)), (at(4), D(121))]}
T1 = FillRecord("kraken", "BTC/EUR", Side.BUY, D(5), D(100), D(1), "EUR", at(1, 10), "T1", None)


def curve_of(entries, fills=(), closes=CLOSES, **options):
    holdings = ledger_holdings(entries)
    covered = {(f.exchange, f.fill_id) for f in fills if holdings.covers(f)}
    return account_curve(
        fills,
        [],
        closes,
        currency="EUR",
        opening=holdings.opening,
        movements=holdings.movements,
        covered=covered,
        **options,
    )


def test_flows_are_not_profit_and_income_is_a_holding_at_no_cost():
    curve = curve_of(LEDGER)
    days = curve.days
    assert [d.date for d in days] == [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)]
    # day 1: 499 EUR + 5 BTC at 100; day 2: + 0.1 BTC at 110 earned; day 3: 6.1 BTC at 121
    assert [d.equity for d in days] == [D(999), D(1060), D("1237.1")]
    # the BTC deposit is taken at the start of day 3, at day 2's close
    assert [d.flows for d in days] == [D(1000), D(0), D(110)]
    assert [d.income for d in days] == [D(0), D(11), D(11)]
    assert [(f.asset, f.amount, f.value) for f in curve.flows] == [
        ("EUR", D(1000), D(1000)),
        ("BTC", D(1), D(110)),
    ]
    # unrealized = equity - (opening + flows) - realized - income
    assert [d.unrealized_pnl for d in days] == [D(-1), D(49), D("116.1")]
    weighted = time_weighted(curve.opening_value, [DailyMark(d.equity, d.flows) for d in days])
    with decimal.localcontext() as context:
        context.prec = 50
        hand = D(999) / 1000 * (D(1060) / 999) * (D("1237.1") / 1170) - 1
    assert weighted.total == hand.quantize(D("1e-18"))


def test_a_fill_already_in_the_ledger_moves_nothing_twice_but_its_fee_counts():
    alone = curve_of(LEDGER)
    with_fill = curve_of(LEDGER, fills=[T1])
    assert [d.equity for d in with_fill.days] == [d.equity for d in alone.days]
    assert [d.fees for d in with_fill.days] == [D(1), D(1), D(1)]


def test_opening_balances_are_inferred_per_wallet_and_summed_per_asset():
    entries = [
        row("A", 2, 9, "earn", "DOT", "-10", "0", "90", "allocation", "spot / main"),
        row("A", 2, 9, "earn", "DOT", "10", "0", "50", "allocation", "earn / bonded"),
        row("W", 3, 9, "withdrawal", "DOT", "-20", "0.5", "69.5", None, "spot / main"),
    ]
    holdings = ledger_holdings(entries)
    assert holdings.opening == {"DOT": D(140)}  # 100 in spot, 40 bonded
    # the withdrawal's amount is the flow, its fee a cost
    assert [(m.change, m.kind) for m in holdings.movements if m.at == at(3, 9)] == [
        (D(-20), MoveKind.FLOW),
        (D("-0.5"), MoveKind.HOLDING),
    ]


def test_the_curve_says_which_pair_cut_it_short_and_what_lies_past_its_end():
    late = FillRecord(
        "kraken", "BTC/EUR", Side.SELL, D(1), D(120), D(0), "EUR", at(6, 10), "late", None
    )
    curve = curve_of(LEDGER, fills=[T1, late])
    assert curve.end == CurveEnd(date(2026, 1, 3), "BTC/EUR", fills_after=1, rows_after=0)
    assert curve.days[-1].date == date(2026, 1, 3)


def test_a_close_carried_over_more_days_than_allowed_is_listed():
    gap = {"BTC/EUR": [(at(2), D(100)), (at(3), D(110)), (at(8), D(130))]}
    curve = curve_of(LEDGER, closes=gap)
    assert curve.days[-1].date == date(2026, 1, 7)
    # day 2's close values days 3 to 6: four days carried, more than 3
    assert curve.stale_prices == [
        StalePrice("BTC/EUR", date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 6), 4)
    ]
    assert curve_of(LEDGER, closes=gap, max_stale_days=4).stale_prices == []


def test_a_start_capital_that_leaves_cash_negative_is_reported():
    buy = FillRecord("kraken", "BTC/EUR", Side.BUY, D(5), D(100), D(1), "EUR", at(1, 10), "b", None)
    sell = FillRecord(
        "kraken", "BTC/EUR", Side.SELL, D(2), D(110), D(0), "EUR", at(2, 10), "s", None
    )
    curve = account_curve([buy, sell], [], CLOSES, currency="EUR", start_capital=D(100))
    assert curve.negative_balances == [NegativeBalance("EUR", at(1, 10), D(-401))]
    enough = account_curve([buy, sell], [], CLOSES, currency="EUR", start_capital=D(501))
    assert enough.negative_balances == []


def test_staked_variants_are_valued_as_their_asset_and_kfee_is_not_valued():
    assert [valued_as(a) for a in ("DOT.S", "ETH2.S", "BTC.M", "ADA.MARGIN", "KFEE", "EUR")] == [
        "DOT",
        "ETH",
        "BTC",
        "ADA",
        None,
        "EUR",
    ]
    entries = [*LEDGER, row("K1", 2, 8, "credit", "KFEE", "100", "0", "100")]
    curve = curve_of(entries)
    assert curve.unvalued == ["KFEE"]
    assert [d.equity for d in curve.days] == [D(999), D(1060), D("1237.1")]


def test_movements_alone_make_a_curve_and_need_a_price_only_for_held_assets():
    moves = [Movement(at(1, 9), "EUR", D(50), MoveKind.FLOW)]
    curve = account_curve([], [], {}, currency="EUR", movements=moves)
    assert [(d.date, d.equity, d.flows) for d in curve.days] == [(date(2026, 1, 1), D(50), D(50))]
    assert curve.end == CurveEnd(date(2026, 1, 1), None, 0, 0)
    with pytest.raises(MissingConversionRateError, match="no price of ADA"):
        account_curve(
            [], [], {}, currency="EUR", movements=[Movement(at(1, 9), "ADA", D(5), MoveKind.FLOW)]
        )


def test_an_asset_sold_beyond_what_was_held_is_reported_but_a_margin_short_is_not():
    sold = FillRecord(
        "kraken", "BTC/EUR", Side.SELL, D(2), D(100), D(0), "EUR", at(1, 10), "s", None
    )
    short = FillRecord(
        "kraken", "BTC.MARGIN/EUR", Side.SELL, D(1), D(100), D(0), "EUR", at(1, 11), "m", None
    )
    curve = account_curve([sold, short], [], CLOSES, currency="EUR", start_capital=D(10))
    assert curve.negative_balances == [NegativeBalance("BTC", at(1, 10), D(-2))]
    # the margin short is marked at BTC's price: 10 + 200 - 2 x 100 + 100 - 1 x 100
    assert curve.days[0].equity == D(10)


def test_every_commission_of_a_fill_moves_its_asset_and_counts_in_the_fees():
    paid = FillRecord(
        "kraken",
        "BTC/EUR",
        Side.BUY,
        D(1),
        D(100),
        D(1),
        "EUR",
        at(1, 10),
        "f",
        None,
        {"BTC": D("0.01")},
    )
    (day, *_) = account_curve([paid], [], CLOSES, currency="EUR", start_capital=D(1000)).days
    # 1000 - 100 - 1 EUR and 0.99 BTC at 100; fees 1 EUR and 0.01 BTC at 100
    assert (day.equity, day.fees) == (D(998), D(2))


def test_fills_older_than_the_ledger_are_in_its_opening_and_later_unknown_ones_are_folded():
    holdings = ledger_holdings(LEDGER)
    older = FillRecord("kraken", "BTC/EUR", Side.BUY, D(1), D(90), D(0), "EUR", at(1, 8), "o", None)
    later = FillRecord(
        "kraken", "BTC/EUR", Side.SELL, D(1), D(110), D(0), "EUR", at(2, 15), "x", None
    )
    other = FillRecord(
        "binance", "BTC/EUR", Side.BUY, D(1), D(90), D(0), "EUR", at(2, 8), "T1", None
    )
    assert [holdings.covers(f) for f in (older, T1, later, other)] == [True, True, False, False]
    assert [holdings.before_start(f) for f in (older, T1, later)] == [True, False, False]
    curve = curve_of(LEDGER, fills=[older, T1, later])
    # the later sale is folded: 1 BTC fewer, 110 EUR more (even on day 2, 11 less on day 3)
    assert [d.equity for d in curve.days] == [D(999), D(1060), D("1226.1")]
    assert curve.days[1].balances["BTC"] == D(4)
