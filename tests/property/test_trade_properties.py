"""Properties of round-trip trades and realized PnL across groupings."""

from __future__ import annotations

from decimal import Decimal

import attrs
from hypothesis import given
from hypothesis import strategies as st

from domain import Side, TradeGrouping, build_trades
from domain.values import quantize_computed
from tests.property.strategies import fill, flat_sequences, prices, quantities

D = Decimal
TOLERANCE = D("1e-15")  # each trade's figures are rounded to 18 places once


def total(trades, name):
    return sum((getattr(t, name) for t in trades), D(0))


def cash_flow(fills):
    flow = D(0)
    for f in fills:
        notional = f.quantity_filled * f.fill_price
        flow += notional if f.side is Side.SELL else -notional
    return flow - sum((f.commission for f in fills), D(0))


@given(flat_sequences())
def test_every_grouping_gives_the_same_total_when_flat(fills):
    totals = {g: build_trades(fills, g) for g in TradeGrouping}
    expected = quantize_computed(cash_flow(fills))
    for trades in totals.values():
        assert all(t.is_closed for t in trades)
        assert abs(total(trades, "realized_pnl") - expected) <= TOLERANCE * len(trades)
        assert abs(
            total(trades, "gross_pnl")
            - total(trades, "realized_pnl")
            - sum((f.commission for f in fills), D(0))
        ) <= TOLERANCE * len(trades)


@given(flat_sequences())
def test_quantity_and_commission_are_conserved(fills):
    for grouping in TradeGrouping:
        trades = build_trades(fills, grouping)
        paid = sum((f.commission for f in fills), D(0))
        assert abs(total(trades, "total_commission") - paid) <= TOLERANCE * len(trades)
        moved = sum((f.quantity_filled for f in fills), D(0))
        assert abs(2 * total(trades, "quantity") - moved) <= TOLERANCE * len(trades)


@given(
    st.lists(st.tuples(st.sampled_from(["BUY", "SELL"]), quantities), min_size=1, max_size=8),
    prices,
)
def test_a_round_trip_at_one_price_without_fees_has_zero_pnl(moves, price):
    rows = [fill(f"F{i}", side, q, price, D(0), i) for i, (side, q) in enumerate(moves)]
    position = sum((q if s == "BUY" else -q for s, q in moves), D(0))
    if position:
        rows.append(fill("Z", "SELL" if position > 0 else "BUY", abs(position), price, D(0), 99))
    for grouping in TradeGrouping:
        assert total(build_trades(rows, grouping), "realized_pnl") == 0


@given(flat_sequences(), prices)
def test_long_and_short_are_mirror_images(fills, reference):
    """Flipping every side negates gross PnL; so does reflecting every price move."""
    plain = [attrs.evolve(f, commission=D(0)) for f in fills]
    flipped = [attrs.evolve(f, side=f.side.opposite) for f in plain]
    top = max(f.fill_price for f in fills) + reference
    reflected = [attrs.evolve(f, fill_price=top - f.fill_price + D("0.01")) for f in plain]
    for grouping in TradeGrouping:
        gross = total(build_trades(plain, grouping), "gross_pnl")
        assert abs(gross + total(build_trades(flipped, grouping), "gross_pnl")) <= TOLERANCE * 20
        assert abs(gross + total(build_trades(reflected, grouping), "gross_pnl")) <= TOLERANCE * 20


@given(flat_sequences())
def test_no_float_in_any_trade_field(fills):
    for grouping in TradeGrouping:
        for trade in build_trades(fills, grouping):
            for field in attrs.fields(type(trade)):
                assert not isinstance(getattr(trade, field.name), float), field.name
