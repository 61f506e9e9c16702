"""The ledger's rules: balance replay, trade legs, the fill a trade is, KFEE, disagreements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from gal_friday.domain import FillRecord, Side
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.ledger import (
    LedgerEntry,
    choose_pair,
    classify_trade,
    fill_disagreements,
    notional_agrees,
    replay_balances,
    trade_amounts,
)

T0 = datetime(2021, 3, 1, tzinfo=UTC)
D = Decimal


def entry(n, asset, amount, fee="0", balance=None, *, refid=None, kind="trade", txid=True):
    return LedgerEntry(
        exchange="kraken",
        txid=f"L{n}" if txid else None,
        refid=refid or f"R{n}",
        time=T0 + timedelta(hours=n),
        type=kind,
        asset=asset,
        amount=D(amount),
        fee=D(fee),
        balance=D(balance) if balance is not None else None,
    )


BTC_HISTORY = [
    entry(1, "BTC", "0.5", balance="0.5", kind="deposit"),
    entry(2, "BTC", "-0.1", "0.0002", "0.3998"),
    entry(3, "BTC", "0.2", balance="0.5998"),
    entry(4, "BTC", "-0.05", "0.0005", "0.5493", kind="withdrawal"),
]


def test_a_clean_history_balances_from_zero():
    (btc,) = replay_balances(BTC_HISTORY)
    assert (btc.asset, btc.opening, btc.closing, btc.entries, btc.balanced) == (
        "BTC",
        D(0),
        D("0.5493"),
        4,
        True,
    )


def test_an_export_starting_mid_history_infers_the_opening_balance():
    (btc,) = replay_balances(BTC_HISTORY[1:])
    assert (btc.opening, btc.closing, btc.balanced) == (D("0.5"), D("0.5493"), True)


def test_a_missing_row_is_named_by_the_next_row_of_its_asset():
    usd = entry(9, "USD", "100", balance="100", kind="deposit")
    replays = replay_balances([BTC_HISTORY[0], BTC_HISTORY[1], usd, BTC_HISTORY[3]])
    btc = next(r for r in replays if r.asset == "BTC")
    assert (btc.balanced, btc.divergences) == (False, 1)
    first = btc.first_divergence
    assert first is not None
    assert (first.time, first.refid, first.expected, first.found) == (
        BTC_HISTORY[3].time,
        "R4",
        D("0.3493"),
        D("0.5493"),
    )
    assert next(r for r in replays if r.asset == "USD").balanced


def test_the_replay_carries_on_from_the_ledger_balance_after_a_divergence():
    wrong = [
        *BTC_HISTORY[:2],
        entry(3, "BTC", "0.2", balance="0.6"),
        entry(5, "BTC", "1", balance="1.6"),
    ]
    (btc,) = replay_balances(wrong)
    assert (btc.divergences, btc.closing) == (1, D("1.6"))


def test_pending_rows_are_left_out_of_the_balance():
    pending = entry(2, "BTC", "7", txid=False, kind="deposit")
    (btc,) = replay_balances([BTC_HISTORY[0], pending, *BTC_HISTORY[1:]])
    assert (btc.entries, btc.balanced) == (4, True)


def doge_sell(fee_asset="DOGE", fee="15.559"):
    rows = [
        entry(1, "DOGE", "-5984.441", fee if fee_asset == "DOGE" else "0", refid="T3"),
        entry(1, "BTC", "0.0311190932", fee if fee_asset == "BTC" else "0", refid="T3"),
    ]
    if fee_asset == "KFEE":
        rows.append(entry(1, "KFEE", "0", fee, refid="T3"))
    return classify_trade(rows)


def test_a_sell_paying_its_fee_in_the_base_asset():
    trade = doge_sell()
    assert trade.complete and trade.assets == ["BTC", "DOGE"]
    figures = trade_amounts(trade, "DOGE/BTC")
    assert (figures.side, figures.quantity, figures.price) == (
        Side.SELL,
        D("5984.441"),
        D("0.0000052"),
    )
    assert (figures.commission, figures.commission_asset) == (D("15.559"), "DOGE")


def test_a_buy_paying_its_fee_in_the_quote_asset():
    trade = classify_trade(
        [entry(1, "USD", "-5000", "8", refid="T1"), entry(1, "BTC", "0.1", refid="T1")]
    )
    figures = trade_amounts(trade, choose_pair(trade.assets))
    assert (figures.trading_pair, figures.side, figures.price) == ("BTC/USD", Side.BUY, D(50000))
    assert (figures.commission, figures.commission_asset) == (D(8), "USD")


def test_kfee_is_worth_one_cent_on_a_usd_pair_and_unvalued_elsewhere():
    usd = classify_trade(
        [
            entry(1, "USD", "-1000", refid="T6"),
            entry(1, "XRP", "2000", refid="T6"),
            entry(1, "KFEE", "0", "250", refid="T6"),
        ]
    )
    assert usd.assets == ["USD", "XRP"]
    figures = trade_amounts(usd, "XRP/USD")
    assert (figures.commission, figures.commission_asset, figures.unvalued_kfee) == (
        D("2.5"),
        "USD",
        D(0),
    )
    mixed = classify_trade([*usd.entries, entry(1, "USD", "0", "0.4", refid="T6")])
    assert trade_amounts(mixed, "XRP/USD").commission == D("2.9")
    btc = trade_amounts(doge_sell("KFEE", "30"), "DOGE/BTC")
    assert (btc.commission, btc.commission_asset, btc.unvalued_kfee) == (D(0), "BTC", D(30))


def test_a_one_leg_trade_is_not_complete():
    trade = classify_trade([entry(1, "DOGE", "-100", "0.26", refid="T9")])
    assert not trade.complete
    with pytest.raises(InvalidValueError, match="does not move DOGE against BTC"):
        trade_amounts(trade, "DOGE/BTC")


def test_fees_on_both_legs_are_commissions_in_both_assets():
    trade = classify_trade(
        [
            entry(1, "DOGE", "-100", "0.26", refid="T9"),
            entry(1, "BTC", "0.001", "0.00001", refid="T9"),
        ]
    )
    figures = trade_amounts(trade, "DOGE/BTC")  # refused before: "more than one asset"
    assert (figures.commission, figures.commission_asset) == (D("0.00001"), "BTC")
    assert figures.extra_commissions == {"DOGE": D("0.26")}
    assert figures.commissions == {"BTC": D("0.00001"), "DOGE": D("0.26")}


def test_the_pair_is_the_one_already_stored_else_the_preferred_quote():
    assert choose_pair(["BTC", "DOGE"]) == "DOGE/BTC"
    assert choose_pair(["BTC", "USD"]) == "BTC/USD"
    assert choose_pair(["ETH", "BTC"], ["BTC/ETH"]) == "BTC/ETH"
    assert choose_pair(["ADA", "SOL"]) == "ADA/SOL"


def test_notional_tolerates_one_unit_of_the_ledger_last_place_only():
    assert notional_agrees(D("0.1"), D("50000.00049"), D("5000"), "USD")
    assert not notional_agrees(D("0.1"), D("50000.002"), D("5000"), "USD")
    assert not notional_agrees(D("5984.441"), D("0.00000521"), D("0.0311190932"), "BTC")


def record(side=Side.SELL, quantity="5984.441", price="0.0000052", fee="0.000030341", asset="BTC"):
    return FillRecord(
        "kraken", "DOGE/BTC", side, D(quantity), D(price), D(fee), asset, T0, "T3", None
    )


def test_fill_disagreements_name_each_field():
    figures = trade_amounts(doge_sell(), "DOGE/BTC")
    assert fill_disagreements(record(), figures, with_fee=False) == []
    assert fill_disagreements(record(), figures, with_fee=True) == [
        "fee: fill 0.000030341 BTC, ledger 15.559 DOGE"
    ]
    assert fill_disagreements(record(Side.BUY, "5984.44"), figures, with_fee=False) == [
        "side: fill BUY, ledger SELL",
        "quantity: fill 5984.44 DOGE, ledger 5984.441 DOGE",
    ]
    assert fill_disagreements(record(price="0.0000053"), figures, with_fee=False) == [
        "cost: fill 0.0317175373 BTC, ledger 0.0311190932 BTC"
    ]
