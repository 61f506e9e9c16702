"""Daily statistics against quantstats, drawdowns and trade statistics against hand computation."""

from __future__ import annotations

import random
import warnings
from datetime import UTC, date, datetime, timedelta
from decimal import Context, localcontext
from decimal import Decimal as D

import pandas as pd
import pytest

from gal_friday.domain.statistics import (
    Drawdown,
    closed_trade_statistics,
    daily_statistics,
    deepest_drawdowns,
    drawdowns,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import quantstats as qs

START = date(2024, 1, 1)


def curve(equities: list[str]) -> list[tuple[date, D]]:
    return [(START + timedelta(days=i), D(e)) for i, e in enumerate(equities)]


def random_curve(seed: int, n: int, drift: float, scale: float) -> list[tuple[date, D]]:
    rng = random.Random(seed)
    equity = D(10000)
    values = []
    for _ in range(n):
        step = D(str(round(rng.gauss(drift, scale), 6)))
        equity = (equity * (1 + step)).quantize(D("0.01"))
        values.append(str(equity))
    return curve(values)


SERIES = {
    "up-and-down": random_curve(1, 250, 0.001, 0.02),
    "losing": random_curve(2, 90, -0.002, 0.03),
    "first-day-loss": curve(["9500", "9700", "9400", "9900", "10100", "10050", "9800", "10400"]),
    "long": random_curve(3, 1095, 0.0005, 0.01),
}


@pytest.mark.parametrize("name", sorted(SERIES))
def test_daily_statistics_agree_with_quantstats(name):
    days = SERIES[name]
    ours = daily_statistics(D(10000), days)
    index = pd.DatetimeIndex([pd.Timestamp(d) for d, _ in days])
    equity = pd.Series([float(e) for _, e in days], index=index)
    returns = equity / pd.Series([10000.0, *equity.iloc[:-1]], index=index) - 1
    # quantstats' drawdown starts from the first return's level: a zero return first
    padded = pd.concat([pd.Series([0.0], index=[index[0] - pd.Timedelta(days=1)]), returns])
    reference = {
        "total_return": qs.stats.comp(returns),
        "cagr": qs.stats.cagr(returns, periods=365),
        "volatility": qs.stats.volatility(returns, periods=365),
        "sharpe": qs.stats.sharpe(returns, periods=365),
        "sortino": qs.stats.sortino(returns, periods=365),
        "max_drawdown": qs.stats.max_drawdown(padded),
        "best_day": returns.max(),
        "worst_day": returns.min(),
    }
    reference["calmar"] = reference["cagr"] / abs(reference["max_drawdown"])
    for key, expected in reference.items():
        value = getattr(ours, key)
        assert isinstance(value, D), key
        assert float(value) == pytest.approx(float(expected), abs=1e-9, rel=1e-9), key


def test_undefined_ratios_are_none():
    flat = daily_statistics(D(100), curve(["100", "100"]))
    assert (flat.sharpe, flat.sortino, flat.calmar, flat.volatility) == (None, None, None, D(0))
    assert flat.max_drawdown == 0 and flat.longest_drawdown_days == 0
    one_day = daily_statistics(D(100), curve(["110"]))
    assert one_day.volatility is None and one_day.sharpe is None and one_day.sortino is None
    assert one_day.total_return == D("0.1") and one_day.best_day == D("0.1")
    rising = daily_statistics(D(100), curve(["101", "103"]))
    assert rising.sortino is None and rising.calmar is None and rising.sharpe is not None
    wiped = daily_statistics(D(100), curve(["50", "0"]))
    assert wiped.cagr is None and wiped.max_drawdown == -1


def test_cagr_is_a_correctly_rounded_power():
    # 121 over 2 days for 100: (1.21) ** (365 / 2) - 1, exactly 1.1 ** 365 - 1
    stats = daily_statistics(D(100), curve(["110", "121"]))
    with localcontext(Context(prec=60)):
        expected = D("1.1") ** 365 - 1  # correctly rounded to 60 digits: 34 are kept
        assert stats.cagr == expected.quantize(D("1e-18"))
    assert stats.cagr == D("1283305580313351.696899448007897966")  # exact, 400 digits


def test_drawdowns_peak_trough_recovery_depth_days():
    days = curve(["95", "100", "104", "98", "90", "104", "110", "99", "105"])
    found = drawdowns(D(100), days)
    assert found == [
        Drawdown(
            peak=date(2023, 12, 31),
            trough=date(2024, 1, 1),
            recovery=date(2024, 1, 2),
            depth=D("-0.05"),
            days=2,
        ),
        Drawdown(
            peak=date(2024, 1, 3),
            trough=date(2024, 1, 5),
            recovery=date(2024, 1, 6),
            depth=(D(90) / D(104) - 1).quantize(D("1e-18")),
            days=3,
        ),
        Drawdown(
            peak=date(2024, 1, 7), trough=date(2024, 1, 8), recovery=None, depth=D("-0.1"), days=2
        ),
    ]
    assert [d.depth for d in deepest_drawdowns(found, 2)] == [found[1].depth, D("-0.1")]
    stats = daily_statistics(D(100), days)
    assert stats.longest_drawdown_days == 3 and stats.max_drawdown == found[1].depth


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=UTC)


def test_trade_statistics_hand_computed():
    # exit order: +10, +20, -5, 0, -15, +30  (the zero breaks both runs)
    closed = [
        (D(20), at(1), at(3)),  # 2 days
        (D(10), at(1), at(2)),  # 1 day
        (D(-5), at(3), at(4)),
        (D(0), at(4), at(5)),
        (D(-15), at(5), at(6)),
        (D(30), at(6), at(7, 12)),  # 1.5 days
    ]
    s = closed_trade_statistics(closed)
    assert (s.trades, s.wins, s.losses) == (6, 3, 2)
    assert s.win_rate == D("0.5")
    assert s.profit_factor == D(3)  # 60 / 20
    assert s.expectancy == D("6.666666666666666667")  # 40 / 6, rounded to 18 places
    assert s.payoff_ratio == D(2)  # average win 20 / average loss 10
    assert s.expectancy_ratio == D("0.5")  # (1 + 2) * 0.5 - 1
    # pnl: mean 20/3; squared deviations sum = Σp² - n·mean² = 1650 - 6·400/9 = 1383.33..
    variance = (D(1650) - D(6) * (D(20) / 3) ** 2) / 5
    assert s.sqn == (D(6).sqrt() * (D(20) / 3) / variance.sqrt()).quantize(D("1e-18"))
    assert (s.largest_win, s.largest_loss) == (D(30), D(-15))
    assert (s.max_consecutive_wins, s.max_consecutive_losses) == (2, 1)
    # durations: 2d, 1d, 1d, 1d, 1d, 1.5d -> 7.5 days / 6
    assert s.avg_duration_s == D("108000")


def test_trade_statistics_without_losses_or_trades():
    only_wins = closed_trade_statistics([(D(5), at(1), at(2))])
    assert only_wins.profit_factor is None and only_wins.payoff_ratio is None
    assert only_wins.sqn is None and only_wins.largest_loss is None and only_wins.win_rate == 1
    none = closed_trade_statistics([])
    assert none.trades == 0 and none.win_rate is None and none.expectancy is None
    assert none.avg_duration_s is None and none.max_consecutive_wins == 0


def test_trade_statistics_by_pair_and_currency_use_closed_trades_only():
    from gal_friday.domain import Trade, TradeSide
    from gal_friday.domain.statistics import trade_statistics_by_currency, trade_statistics_by_pair

    def trade(pair, pnl, closed=True):
        return Trade(
            trading_pair=pair,
            exchange="kraken",
            side=TradeSide.LONG,
            entry_timestamp=at(1),
            quantity=D(1),
            average_entry_price=D(1),
            realized_pnl=D(pnl),
            exit_timestamp=at(2) if closed else None,
            average_exit_price=D(1) if closed else None,
        )

    trades = [
        trade("BTC/USD", 5),
        trade("BTC/USD", -1),
        trade("ETH/BTC", "0.1"),
        trade("XRP/USD", 2),
        trade("XRP/USD", 9, closed=False),
    ]
    by_pair = trade_statistics_by_pair(trades)
    assert list(by_pair) == [("kraken", "BTC/USD"), ("kraken", "ETH/BTC"), ("kraken", "XRP/USD")]
    assert (
        by_pair[("kraken", "BTC/USD")].profit_factor == 5
        and by_pair[("kraken", "XRP/USD")].trades == 1
    )
    by_currency = trade_statistics_by_currency(trades)
    assert by_currency["USD"].trades == 3 and by_currency["USD"].expectancy == 2
    assert by_currency["BTC"].largest_win == D("0.1")
