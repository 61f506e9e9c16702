"""The report arithmetic (``domain.performance``): per pair, per quote currency, pnl_pct."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from gal_friday.domain import InvalidValueError, Trade, TradeGrouping, TradeSide
from gal_friday.domain.performance import currency_totals, quote_currency, summarize

T0 = datetime(2024, 1, 1, tzinfo=UTC)
D = Decimal


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def closed(pair: str, pnl: str, *, entered: float = 0, exited: float = 1, **kw: Any) -> Trade:
    values: dict[str, Any] = {
        "trading_pair": pair,
        "exchange": "kraken",
        "side": TradeSide.LONG,
        "entry_timestamp": day(entered),
        "exit_timestamp": day(exited),
        "quantity": D("1"),
        "average_entry_price": D("100"),
        "average_exit_price": D("101"),
        "realized_pnl": D(pnl),
        "total_commission": D("0.5"),
        "entry_cash": D("100.25"),
        **kw,
    }
    return Trade(**values)


def still_open(pair: str, **kw: Any) -> Trade:
    values: dict[str, Any] = {
        "trading_pair": pair,
        "exchange": "kraken",
        "side": TradeSide.LONG,
        "entry_timestamp": day(5),
        "quantity": D("2"),
        "open_quantity": D("2"),
        "average_entry_price": D("0.1"),
        "realized_pnl": D("-0.01"),
        **kw,
    }
    return Trade(**values)


def test_per_pair_counts_sums_best_worst_and_open_positions():
    trades = [
        closed("BTC/USD", "10", exited=1),
        closed("BTC/USD", "-4", exited=2),
        closed("BTC/USD", "0", exited=3),  # neither a win nor a loss
        still_open("BTC/USD"),
    ]
    (btc,) = summarize(trades).pairs
    assert (btc.trades, btc.wins, btc.losses) == (3, 1, 1)
    assert btc.realized_pnl == D("6")
    assert btc.total_commission == D("1.5")
    assert (btc.best_trade, btc.worst_trade) == (D("10"), D("-4"))
    assert btc.grouping is TradeGrouping.FLAT_TO_FLAT
    (position,) = btc.open_trades
    assert (position.quantity_held, position.realized_pnl) == (D("2"), D("-0.01"))
    assert [t.realized_pnl for t in btc.closed_trades] == [D("10"), D("-4"), D("0")]


def test_period_selects_closed_trades_by_exit_time_half_open_and_keeps_open_ones():
    trades = [
        closed("XRP/USD", "1", exited=1),
        closed("XRP/USD", "2", exited=2),  # at since: in
        closed("XRP/USD", "4", exited=3),  # at until: out
        still_open("XRP/USD"),
    ]
    (xrp,) = summarize(trades, since=day(2), until=day(3)).pairs
    assert (xrp.trades, xrp.realized_pnl) == (1, D("2"))
    assert len(xrp.open_trades) == 1


def test_a_pair_with_nothing_in_the_period_and_nothing_open_is_left_out():
    report = summarize([closed("XRP/USD", "1", exited=1)], since=day(10))
    assert report.pairs == ()
    assert report.totals == ()


def test_totals_are_per_quote_currency_never_mixed():
    trades = [
        closed("BTC/USD", "100"),
        closed("ETH/USD", "-30", exchange="binance"),
        closed("DOT/BTC", "0.0005891", total_commission=D("0.00000012"), entry_cash=D("0.01")),
        closed("ETH/BTC", "-0.001", total_commission=D("0.00003"), entry_cash=D("0.05")),
    ]
    totals = {t.currency: t for t in summarize(trades).totals}
    assert set(totals) == {"BTC", "USD"}
    assert (totals["USD"].trades, totals["USD"].realized_pnl) == (2, D("70"))
    assert totals["USD"].total_commission == D("1")
    assert totals["USD"].pairs == 2
    assert (totals["BTC"].trades, totals["BTC"].realized_pnl) == (2, D("-0.0004109"))
    assert totals["BTC"].total_commission == D("0.00003012")
    assert totals["BTC"].pnl_pct is not None
    assert abs(Fraction(totals["BTC"].pnl_pct) - Fraction(-4109, 6000)) < Fraction(1, 10**70)


def test_pnl_pct_is_the_exact_quotient_not_rounded_to_the_stored_scale():
    # entry cash 3 -> 100/3 % has no finite decimal; 18 places would be wrong from digit 20
    trades = [closed("BTC/USD", "1", entry_cash=D("3"))]
    (pair,) = summarize(trades).pairs
    assert pair.pnl_pct is not None
    assert abs(Fraction(pair.pnl_pct) - Fraction(100, 3)) < Fraction(1, 10**70)


def test_pnl_pct_is_none_without_positive_entry_cash():
    (pair,) = summarize([closed("BTC/USD", "1", entry_cash=D("0"))]).pairs
    assert pair.pnl_pct is None


def test_pairs_on_two_exchanges_are_separate_but_share_a_currency_total():
    trades = [closed("BTC/USD", "1"), closed("BTC/USD", "2", exchange="binance")]
    report = summarize(trades)
    assert [(p.exchange, p.realized_pnl) for p in report.pairs] == [
        ("binance", D("2")),
        ("kraken", D("1")),
    ]
    assert [(t.currency, t.realized_pnl) for t in currency_totals(report.pairs)] == [
        ("USD", D("3"))
    ]


def test_a_pair_built_with_two_groupings_is_refused_naming_it():
    trades = [closed("BTC/USD", "1"), closed("BTC/USD", "2", grouping=TradeGrouping.FIFO)]
    with pytest.raises(InvalidValueError, match=r"BTC/USD \(kraken\).*trades rebuild"):
        summarize(trades)


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(InvalidValueError, match="since"):
        summarize([], since=day(2), until=day(1))
    with pytest.raises(InvalidValueError, match="since"):
        summarize([], since=day(2), until=day(2))


def test_quote_currency():
    assert quote_currency("DOT/BTC") == "BTC"


def test_open_trades_are_listed_by_entry_time_whatever_order_they_come_in():
    later, earlier = still_open("XRP/USD", entry_timestamp=day(7)), still_open("XRP/USD")
    (xrp,) = summarize([later, closed("XRP/USD", "1"), earlier]).pairs
    assert [p.entry_timestamp for p in xrp.open_trades] == [day(5), day(7)]
