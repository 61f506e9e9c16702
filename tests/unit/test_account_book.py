"""The ledger as the book of record: fills in several fee assets, conversions, margin, the
differences with trades.csv (docs/ledgers.md). No database."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from gal_friday.domain import Fill, Order, OrderType, Side, TradeGrouping
from gal_friday.domain.account_book import (
    book_differences,
    book_groups,
    count_by_type,
    reported_figures,
    row_key,
)
from gal_friday.domain.errors import InvalidValueError, MissingConversionRateError
from gal_friday.domain.fees import third_asset_fees, unvalued_fee
from gal_friday.domain.fill import FillKind, FillRecord, margin_pair, spot_pair
from gal_friday.domain.ledger import LedgerEntry, classify_trade, trade_amounts
from gal_friday.domain.ledger_kinds import LedgerKind
from gal_friday.domain.order import fill_aggregates
from gal_friday.domain.trade_builder import build_trades
from gal_friday.importers.kraken import parse_kraken_trades

T0 = datetime(2024, 5, 2, 10, tzinfo=UTC)
D = Decimal


def row(n, refid, type_, asset, amount, fee="0", subtype=None):
    return LedgerEntry(
        exchange="kraken",
        txid=f"L{n}",
        refid=refid,
        time=T0 + timedelta(minutes=n),
        type=type_,
        subtype=subtype,
        asset=asset,
        amount=D(amount),
        fee=D(fee),
        balance=None,
        source_line=n + 1,
    )


def grouped(*rows):
    groups: dict[str, list[LedgerEntry]] = {}
    for entry in rows:
        groups.setdefault(entry.refid, []).append(entry)
    return groups


def fill(
    fill_id="T1", side=Side.BUY, qty="1000", price="0.7880758", fee="1.447", asset="GBP", **kw
):
    return Fill(fill_id, "USDT/GBP", "kraken", side, D(qty), D(price), D(fee), asset, T0, **kw)


# -- fees on both legs ----------------------------------------------------------------------


def test_a_trade_charged_on_both_legs_keeps_both_fees_quote_first():
    trade = classify_trade(
        [
            row(1, "T1", "trade", "GBP", "-788.0758", "1.447"),
            row(2, "T1", "trade", "USDT", "1000", "2"),
        ]
    )
    figures = trade_amounts(trade, "USDT/GBP")
    assert (figures.commission, figures.commission_asset) == (D("1.447"), "GBP")
    assert figures.extra_commissions == {"USDT": D(2)}
    assert figures.price == D("0.7880758")  # |quote moved| / |base moved|, exact


def test_kfee_is_valued_on_usd_pairs_and_listed_elsewhere_beside_other_fees():
    usd = classify_trade(
        [
            row(1, "T2", "trade", "XRP", "-100", "0.5"),
            row(2, "T2", "trade", "USD", "50", "0.1"),
            row(3, "T2", "trade", "KFEE", "0", "20"),
        ]
    )
    figures = trade_amounts(usd, "XRP/USD")
    assert figures.commissions == {"USD": D("0.3"), "XRP": D("0.5")}
    btc = classify_trade(
        [
            row(1, "T3", "trade", "ETH", "-0.029984"),
            row(2, "T3", "trade", "BTC", "0.001019456"),
            row(3, "T3", "trade", "KFEE", "0", "2.63"),
        ]
    )
    figures = trade_amounts(btc, "ETH/BTC")
    assert (figures.commission, figures.unvalued_kfee, figures.extra_commissions) == (
        D(0),
        D("2.63"),
        {},
    )


def test_a_fill_carries_extra_commissions_and_its_order_adds_them_up():
    first = fill(extra_commissions={"USDT": D(2)})
    second = fill("T2", qty="10", fee="0.01")
    order = Order.filled_by([first, second], order_type=OrderType.MARKET, exchange_order_id="O1")
    assert first.commissions == {"GBP": D("1.447"), "USDT": D(2)}
    assert order.commissions == {"GBP": D("1.457"), "USDT": D(2)}
    assert fill_aggregates(order.fills).commissions == order.commissions


def test_extra_commissions_are_checked():
    with pytest.raises(InvalidValueError, match="extra_commissions"):
        fill(extra_commissions={"GBP": D(1)})  # its commission asset
    with pytest.raises(InvalidValueError, match="extra_commissions"):
        fill(extra_commissions={"USDT": D(0)})
    with pytest.raises(InvalidValueError, match="below the quantity"):
        fill(qty="2", extra_commissions={"USDT": D(2)})  # a base fee must leave some units


def test_an_order_takes_the_ledger_amounts_of_a_fill_and_recomputes_its_aggregates():
    trades_csv = fill(fee="3.0231516")
    order = Order.filled_by([trades_csv], order_type=OrderType.MARKET, exchange_order_id="O1")
    reported = reported_figures(trades_csv.fill_price, trades_csv.commission)
    changed = order.take_ledger_amounts(
        "T1",
        fill_price=D("0.7880758"),
        commissions={"GBP": D("1.447"), "USDT": D(2)},
        commission_asset="GBP",
        reported=reported,
    )
    assert changed
    assert (trades_csv.commission, trades_csv.extra_commissions) == (D("1.447"), {"USDT": D(2)})
    assert trades_csv.reported == {"fill_price": D("0.7880758"), "commission": D("3.0231516")}
    assert order.commissions == {"GBP": D("1.447"), "USDT": D(2)}
    again = order.take_ledger_amounts(
        "T1",
        fill_price=D("0.7880758"),
        commissions={"GBP": D("1.447"), "USDT": D(2)},
        commission_asset="GBP",
        reported=reported,
    )
    assert not again


def test_the_trade_builder_values_each_commission_as_the_rules_say():
    # buy 1000 USDT paying 1.447 GBP (cash) and 2 USDT (units); sell the 998 held
    buy = fill(extra_commissions={"USDT": D(2)})
    sell = Fill(
        "T2", "USDT/GBP", "kraken", Side.SELL, D(998), D("0.8"), D("1.2774"), "GBP",
        T0 + timedelta(days=1),
    )  # fmt: skip
    (trade,) = build_trades([buy, sell], TradeGrouping.FLAT_TO_FLAT)
    assert trade.open_quantity == 0  # the base fee removed 2 units: no phantom position
    assert trade.realized_pnl == D("798.4") - D("788.0758") - D("1.447") - D("1.2774")
    # a third asset is valued through a rate, one of several commissions
    bnb = FillRecord(
        "kraken", "USDT/GBP", Side.BUY, D(10), D(1), D("0.1"), "GBP", T0, "T3", None,
        {"BNB": D("0.01")},
    )  # fmt: skip
    with pytest.raises(MissingConversionRateError, match="BNB"):
        build_trades([bnb], TradeGrouping.FLAT_TO_FLAT)
    (open_trade,) = build_trades(
        [bnb], TradeGrouping.FLAT_TO_FLAT, conversion_rates={"BNB/GBP": D(300)}
    )
    assert open_trade.total_commission == D("0.1") + D("0.01") * 300


def test_a_third_asset_among_extra_commissions_needs_a_rate():
    paid = fill(extra_commissions={"BNB": D("0.01")})
    assert [fee.key for fee in third_asset_fees(paid)] == ["BNB/GBP"]
    assert unvalued_fee(paid, None, T0) is not None


# -- differences ----------------------------------------------------------------------------


def test_kraken_rounded_cost_is_a_price_and_cost_difference():
    found = book_differences(
        "kraken",
        "T1",
        "ETH/BTC",
        D("0.02"),
        reported_figures(D("0.033180"), D("0.0000017")),
        D("0.0332"),
        {"BTC": D("0.0000017")},
    )
    assert [(d.field, d.trades_csv, d.ledger) for d in found] == [
        ("price", "0.03318 BTC", "0.0332 BTC"),
        ("cost", "0.0006636 BTC", "0.000664 BTC"),
    ]


def test_a_fee_split_across_legs_is_a_fee_difference_in_plain_notation():
    found = book_differences(
        "kraken",
        "T1",
        "USDT/GBP",
        D(1000),
        reported_figures(D("0.78807580"), D("3.02315160")),
        D("0.7880758"),
        {"GBP": D("1.447"), "USDT": D(2)},
    )
    assert [(d.field, d.trades_csv, d.ledger) for d in found] == [
        ("fee", "3.0231516 GBP", "1.447 GBP + 2 USDT")
    ]
    tiny = book_differences(
        "kraken", "T2", "ETH/BTC", D("0.01"), reported_figures(D("0.0335"), D("0.00000054")),
        D("0.0335"), {"ETH": D("0.000016")},
    )  # fmt: skip
    assert tiny[0].trades_csv == "0.00000054 BTC"


def test_agreeing_files_have_no_difference():
    assert not book_differences(
        "kraken", "T1", "BTC/USD", D(1), reported_figures(D(100), D(1)), D(100), {"USD": D(1)}
    )


# -- conversions and margin rows ------------------------------------------------------------


def test_spend_receive_and_sale_pairs_are_conversions_margin_rows_pay_fees():
    book = book_groups(
        grouped(
            row(1, "T1", "trade", "EUR", "-500", "0.8"),
            row(2, "T1", "trade", "ADA", "1000"),
            row(3, "S1", "sale", "ADA", "-400"),
            row(4, "S1", "sale", "EUR", "372", "3.72"),
            row(5, "B1", "spend", "EUR", "-507.46"),
            row(6, "B1", "receive", "BTC", "0.012"),
            row(7, "M1", "margin", "EUR", "0", "0.96"),
            row(8, "M1", "rollover", "EUR", "0", "1.2"),
            row(9, "M1", "rollover", "EUR", "0", "1.52"),
            row(10, "A1", "adjustment", "ETH", "-1"),
            row(11, "A1", "adjustment", "ETH2", "1"),  # two assets: a conversion
            row(12, "A2", "adjustment", "DOT", "5"),  # lone: an external flow
            row(13, "S2", "sale", "SOL", "-1"),  # one leg only
            row(14, "M2", "margin", "EUR", "15"),  # a close charged nothing: a fee of 0
        )
    )
    assert [t.refid for t in book.trades] == ["T1"]
    assert sorted(t.refid for t in book.conversions) == ["A1", "B1", "S1"]
    assert book.incomplete_conversions == ["S2"]
    assert book.margin_fees == {"M1": {"EUR": D("3.68")}, "M2": {}}
    kinds = {trade.refid: kind for trade, kind in book.fill_groups}
    assert kinds == {
        "T1": FillKind.TRADE,
        "S1": FillKind.CONVERSION,
        "B1": FillKind.CONVERSION,
        "A1": FillKind.CONVERSION,
    }
    instant = trade_amounts(next(t for t in book.conversions if t.refid == "B1"), "BTC/EUR")
    assert (instant.side, instant.quantity, instant.quote_amount) == (
        Side.BUY,
        D("0.012"),
        D("507.46"),
    )


def test_rows_are_counted_by_type_and_kind():
    rows = [
        row(1, "D1", "deposit", "EUR", "100"),
        row(2, "E1", "earn", "BTC", "0.1", subtype="allocation"),
        row(3, "E2", "earn", "BTC", "0.001", subtype="reward"),
        row(4, "X1", "mystery", "BTC", "1"),
        row(5, "D2", "deposit", "EUR", "5"),
    ]
    counts: dict = {}
    for entry in rows:
        counts[row_key(entry)] = counts.get(row_key(entry), 0) + 1
    listed = [(c.type, c.kind, c.rows) for c in count_by_type(counts)]
    assert listed == [
        ("earn", LedgerKind.INCOME, 1),
        ("earn", LedgerKind.INTERNAL, 1),
        ("deposit", LedgerKind.EXTERNAL, 2),
        ("mystery", LedgerKind.UNKNOWN, 1),
    ]
    assert "does not know" in count_by_type(counts)[-1].meaning


# -- margin in trades.csv -------------------------------------------------------------------

HEADER = "txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers,posstatus"


def kraken(*lines: str) -> list[Fill]:
    text = "\n".join([HEADER, *lines]) + "\n"
    return [r.fill for r in parse_kraken_trades(io.BytesIO(text.encode())).records]


def test_margin_rows_are_margin_fills_on_a_marked_pair():
    fills = kraken(
        "T1,O1,ADAEUR,2026-01-05 10:00:00,buy,limit,0.5,500,0.8,1000,0,,,",
        "T2,O2,ADAEUR,2026-01-06 11:00:00,sell,limit,0.6,600,0.96,1000,120,initiated,,",
        "T3,O3,ADAEUR,2026-01-07 11:00:00,buy,limit,0.48,480,0.77,1000,,closing,,",
        "T4,O4,ADAEUR,2026-01-08 11:00:00,buy,limit,0.48,480,0.77,1000,0,,,open",
        "T5,O5,ADAEUR,2026-01-09 11:00:00,buy,limit,0.48,480,0.77,1000,0,closing,,",
    )
    assert [(f.trading_pair, f.kind) for f in fills] == [
        ("ADA/EUR", FillKind.TRADE),
        ("ADA.MARGIN/EUR", FillKind.MARGIN),
        ("ADA.MARGIN/EUR", FillKind.MARGIN),  # no margin stated: misc decides
        ("ADA.MARGIN/EUR", FillKind.MARGIN),  # a position status
        ("ADA/EUR", FillKind.TRADE),  # an explicit margin of 0 is spot
    ]
    assert (margin_pair("ADA/EUR"), spot_pair("ADA.MARGIN/EUR")) == ("ADA.MARGIN/EUR", "ADA/EUR")


def test_a_bad_margin_figure_names_its_line_and_column():
    with pytest.raises(Exception, match=r":2: column 'margin' \(11\)"):
        kraken("T1,O1,ADAEUR,2026-01-05 10:00:00,buy,limit,0.5,500,0.8,1000,lots,,,")
