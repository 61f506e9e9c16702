"""The equity curve folded from streams (`streamed_curve`): read once, the list form's result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from gal_friday.domain.enums import Side
from gal_friday.domain.equity import CurveSpan, account_curve, streamed_curve
from gal_friday.domain.fill import FillRecord

T0 = datetime(2024, 1, 1, 12, tzinfo=UTC)
CLOSES = {
    pair: [(T0 + timedelta(days=day, hours=12), D(price + day)) for day in range(4)]
    for pair, price in (("BTC/USD", 100), ("ETH/USD", 10))
}


def _fill(fill_id: str, pair: str, hours: int, side: Side = Side.BUY) -> FillRecord:
    return FillRecord("kraken", pair, side, D(1), D(50), D("0.1"), "USD",
                      T0 + timedelta(hours=hours), fill_id, None)  # fmt: skip


FILLS = [_fill("a", "BTC/USD", 1), _fill("b", "BTC/USD", 30, Side.SELL), _fill("c", "BTC/USD", 50)]


def _span(fills: list[FillRecord]) -> CurveSpan:
    span = CurveSpan()
    for fill in fills:
        span.fill(fill, False)
    return span


def test_generators_read_once_give_the_list_forms_curve():
    listed = account_curve(FILLS, [], CLOSES, currency="USD", start_capital=D(1000))
    streamed = streamed_curve(
        _span(FILLS),
        ((fill, False) for fill in FILLS),
        iter(()),
        iter(()),
        CLOSES,
        currency="USD",
        start_capital=D(1000),
    )
    assert streamed == listed
    assert [day.equity for day in streamed.days] == [day.equity for day in listed.days]


def test_a_fill_stored_between_the_two_passes_is_folded_not_a_crash():
    # a live bot stored an ETH/USD fill after the span was read: the fold still takes it
    late = _fill("d", "ETH/USD", 40)
    fills = sorted([*FILLS, late], key=lambda fill: fill.filled_at)
    curve = streamed_curve(
        _span(FILLS),
        ((fill, False) for fill in fills),
        iter(()),
        iter(()),
        CLOSES,
        currency="USD",
        start_capital=D(1000),
    )
    assert curve.days[-1].balances["ETH"] == D(1)
