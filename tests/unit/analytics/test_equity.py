"""Daily mark-to-market equity, checked against a hand-computed three-day history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from gal_friday.domain import FillRecord, MissingConversionRateError, Side, Trade, TradeSide
from gal_friday.domain.equity import PriceBook, day_of_close, equity_curve


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, tzinfo=UTC)


def fill(fill_id, pair, side, qty, price, fee, fee_asset, when) -> FillRecord:
    return FillRecord(
        "kraken", pair, side, D(qty), D(price), D(fee), fee_asset, when, fill_id, None
    )


def closed(pair, pnl, exit_day) -> Trade:
    return Trade(
        trading_pair=pair,
        exchange="kraken",
        side=TradeSide.LONG,
        entry_timestamp=at(1),
        quantity=D(1),
        average_entry_price=D(1),
        realized_pnl=D(pnl),
        exit_timestamp=at(exit_day, 12),
        average_exit_price=D(1),
    )


# daily candles: the close of day d is known at the end of day d (the next day's 00:00)
CLOSES = {
    "BTC/USD": [(at(2), D(100)), (at(3), D(110)), (at(4), D(90))],
    "ETH/BTC": [(at(2), D("0.05")), (at(3), D("0.05")), (at(4), D("0.06"))],
}
FILLS = [
    fill("f1", "BTC/USD", Side.BUY, "1", "100", "1", "USD", at(1, 10)),
    fill("f2", "ETH/BTC", Side.BUY, "2", "0.05", "0.001", "BTC", at(2, 12)),
    fill("f3", "BTC/USD", Side.SELL, "0.5", "95", "0.5", "USD", at(3, 9)),
]
TRADES = [closed("BTC/USD", "-3", 3), closed("ETH/BTC", "0.01", 3)]


def test_hand_computed_equity_realized_unrealized_fees_and_drawdown():
    rows = equity_curve(FILLS, TRADES, CLOSES, start_capital=D(1000), currency="USD")
    assert [r.date for r in rows] == [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)]
    # day 1: +1 BTC at 100, -101 USD -> 1000 + 100 - 101
    # day 2: +2 ETH (0.05 BTC each = 5.5 USD), BTC 1 - 0.1 - 0.001 = 0.899 at 110
    # day 3: -0.5 BTC for 47.5 USD less 0.5 fee: BTC 0.399 at 90, ETH at 0.06 x 90, USD -54
    assert [r.equity for r in rows] == [D("999"), D("1008.89"), D("992.71")]
    assert [r.fees for r in rows] == [D("1"), D("1.11"), D("1.61")]  # 0.001 BTC at day 2's 110
    assert [r.realized_pnl for r in rows] == [D(0), D(0), D("-2.1")]  # 0.01 BTC at day 3's 90
    assert [r.unrealized_pnl for r in rows] == [D("-1"), D("8.89"), D("-5.19")]
    expected_dd = (D("992.71") / D("1008.89") - 1).quantize(D("1e-18"))
    assert [r.drawdown for r in rows] == [D("-0.001"), D(0), expected_dd]


def test_reporting_currency_of_an_inverted_pair():
    book = PriceBook({"BTC/USD": [(at(2), D(80))]}, "BTC")
    assert book.rate("USD", date(2024, 1, 1)) == D("0.0125")
    assert book.rate("BTC", date(2024, 1, 1)) == 1


def test_the_latest_close_by_the_end_of_the_day_marks_it():
    book = PriceBook({"BTC/USD": [(at(2), D(100)), (at(3, 12), D(105))]}, "USD")
    assert book.close("BTC/USD", date(2024, 1, 2)) == 100  # the 12:00 close is after day 2's end
    assert book.close("BTC/USD", date(2024, 1, 3)) == 105
    assert day_of_close(at(2)) == date(2024, 1, 1) and day_of_close(at(3, 12)) == date(2024, 1, 3)


def test_a_pair_without_a_candle_by_the_day_is_an_error_naming_pair_and_day():
    late = {"BTC/USD": [(at(3), D(110)), (at(4), D(90))]}
    with pytest.raises(
        MissingConversionRateError, match="no BTC/USD candle closes by the end of 2024-01-01"
    ):
        equity_curve(FILLS[:1], [], late, start_capital=D(1000), currency="USD")


def test_an_asset_without_any_price_path_is_an_error():
    with pytest.raises(MissingConversionRateError, match="no price of ETH in USD on 2024-01-02"):
        equity_curve(
            FILLS[1:2], [], {"BTC/USD": CLOSES["BTC/USD"]}, start_capital=D(1000), currency="USD"
        )


def test_rows_stop_at_the_last_day_every_needed_pair_has_a_close():
    short = {**CLOSES, "ETH/BTC": CLOSES["ETH/BTC"][:2]}
    rows = equity_curve(FILLS, TRADES, short, start_capital=D(1000), currency="USD")
    assert rows[-1].date == date(2024, 1, 2)


def test_the_grouping_does_not_change_equity():
    one = equity_curve(FILLS, TRADES, CLOSES, start_capital=D(1000), currency="USD")
    other = equity_curve(
        FILLS, [closed("BTC/USD", "-2.1", 3)], CLOSES, start_capital=D(1000), currency="USD"
    )
    assert [r.equity for r in one] == [r.equity for r in other]
    assert [r.realized_pnl for r in one] == [r.realized_pnl for r in other]
