"""Properties of the dust rule (docs/dust.md)."""

from __future__ import annotations

from decimal import Decimal
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from gal_friday.domain import TradeSide, build_trades, iter_trades, trade_builder
from tests.property.strategies import fill, prices, quantities, units

D = Decimal
SETTINGS = settings(max_examples=80, deadline=None)
fee_rates = st.decimals(min_value=D("0.0001"), max_value=D("0.01"), places=4)
shares = st.decimals(min_value=D("0.01"), max_value=D("0.99"), places=2)


@st.composite
def round_trips(draw: st.DrawFn, leftover: bool) -> list:
    """Round trips of buys (fees in BTC or USD) then sells (fees in USD).

    Without ``leftover`` each trip sells exactly what it holds; with it the last sell
    leaves nothing, part of the trip's BTC fees, or more than them.
    """
    result: list = []
    minute = 0
    for _ in range(draw(st.integers(1, 4))):
        held = base_fees = D(0)
        for _ in range(draw(st.integers(1, 3))):
            quantity, price, rate = draw(quantities), draw(prices), draw(fee_rates)
            in_base = draw(st.booleans())
            fee = (quantity * rate) if in_base else D("0.01")
            result.append(
                fill(
                    f"F{minute:04d}",
                    "BUY",
                    quantity,
                    price,
                    fee,
                    minute,
                    fee_asset="BTC" if in_base else None,
                )
            )
            held += units(result[-1])
            base_fees += fee if in_base else 0
            minute += 1
        left = D(0)
        if leftover:
            kind = draw(st.sampled_from(["none", "within", "beyond"]))
            if kind == "within" and base_fees:
                left = (base_fees * draw(shares)).quantize(D("1e-12"))
            elif kind == "beyond":
                left = base_fees + D("0.0001")
        to_sell = held - left
        for _ in range(draw(st.integers(0, 2))):  # partial exits, maybe down to dust, then more
            part = (to_sell * draw(shares)).quantize(D("1e-12"))
            if 0 < part < to_sell:
                result.append(fill(f"F{minute:04d}", "SELL", part, draw(prices), D("0.01"), minute))
                to_sell -= part
                minute += 1
        if to_sell > 0:
            result.append(fill(f"F{minute:04d}", "SELL", to_sell, draw(prices), D("0.01"), minute))
            minute += 1
    return result


def _without_the_rule(fills):
    with patch.object(trade_builder._Cycle, "at_dust", property(lambda self: False)):
        return build_trades(fills)


def _figures(trades):
    return [
        (
            t.trade_id,
            t.entry_timestamp,
            t.exit_timestamp,
            t.quantity,
            t.open_quantity,
            t.realized_pnl,
            t.total_commission,
            t.average_exit_price,
        )
        for t in trades
    ]


@SETTINGS
@given(round_trips(leftover=False))
def test_a_history_returning_exactly_to_zero_is_never_changed(fills):
    with_rule = build_trades(fills)
    assert _figures(with_rule) == _figures(_without_the_rule(fills))
    assert all(t.is_closed and t.open_quantity == 0 for t in with_rule)


def _base_fees_within(fills, trade):
    """The BTC fees of the fills of the trade's cycle (no zero crossing in these histories)."""
    return sum(
        (
            f.commission
            for f in fills
            if f.commission_asset == "BTC"
            and trade.entry_timestamp <= f.filled_at <= trade.exit_timestamp
        ),
        D(0),
    )


@SETTINGS
@given(round_trips(leftover=True))
def test_dust_never_exceeds_the_cycles_base_fees_and_quantity_is_conserved(fills):
    trades = build_trades(fills)
    for trade in trades:
        if trade.is_closed and trade.open_quantity:
            assert trade.open_quantity <= _base_fees_within(fills, trade)
    signed = sum(
        (t.open_quantity if t.side is TradeSide.LONG else -t.open_quantity for t in trades), D(0)
    )
    assert signed == sum((units(f) for f in fills), D(0))  # every unit held is on a trade
    assert len([t for t in trades if not t.is_closed]) <= 1
    assert [t.trade_id for t in iter_trades(fills)] == [t.trade_id for t in trades]
