"""Random live fill histories for the incremental trade tests (docs/live-fills.md).

Partial exits, exits that cross zero, commissions in the quote, the base (dust) or a third
asset, rebates (negative commissions), and an arrival order that may differ from the time
order (late fills).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from gal_friday.domain import Fill
from tests.property.strategies import THIRD_ASSET, fill, prices, quantities, units

D = Decimal
#: A commission in the quote or a third asset; negative is a rebate.
cash_fees = st.decimals(min_value=D("-0.5"), max_value=D("2"), places=4)
#: A base-asset commission as a share of the quantity; negative is a rebate.
base_rates = st.decimals(min_value=D("-0.005"), max_value=D("0.01"), places=4)
shares = st.decimals(min_value=D("0.01"), max_value=D("0.99"), places=2)

_TRADE = st.tuples(
    st.just("trade"),
    st.sampled_from(["BUY", "SELL"]),
    quantities,
    prices,
    st.sampled_from(["q", "b", "t"]),
    cash_fees,
    base_rates,
)
_MOVE = st.one_of(
    _TRADE,
    st.tuples(st.just("close"), prices, st.sampled_from(["exact", "dust", "short"]), shares),
    st.tuples(st.just("flip"), quantities, prices),
    st.tuples(st.just("partial"), shares, prices),
)


@st.composite
def live_fills(draw: st.DrawFn, max_moves: int = 14) -> list[Fill]:
    """Fills of one pair in time order (ids ``F000``..., one minute apart)."""
    result: list[Fill] = []
    position = D(0)
    base_fees = D(0)
    moves = [draw(_TRADE), *draw(st.lists(_MOVE, max_size=max_moves - 1))]
    for move in moves:
        i = len(result)
        fill_id = f"F{i:03d}"
        if move[0] == "trade":
            _, side, quantity, price, kind, fee, rate = move
            if kind == "b":
                made = fill(fill_id, side, quantity, price, quantity * rate, i, fee_asset="BTC")
            else:
                asset = THIRD_ASSET if kind == "t" else None
                made = fill(fill_id, side, quantity, price, fee, i, fee_asset=asset)
        elif not position:
            continue
        elif move[0] == "close":
            _, price, kind, share = move
            left = D(0)
            if kind == "dust" and base_fees > 0:
                left = (base_fees * share).quantize(D("1e-12"))
            elif kind == "short":
                left = D("0.0001")
            size = abs(position) - left
            if size <= 0:
                continue
            made = fill(fill_id, "SELL" if position > 0 else "BUY", size, price, D("0.01"), i)
        elif move[0] == "flip":
            _, quantity, price = move
            side = "SELL" if position > 0 else "BUY"
            made = fill(fill_id, side, abs(position) + quantity, price, D("0.02"), i)
        else:
            _, share, price = move
            size = (abs(position) * share).quantize(D("1e-12"))
            if size <= 0:
                continue
            made = fill(fill_id, "SELL" if position > 0 else "BUY", size, price, D("0.01"), i)
        before = position
        position += units(made)
        if made.commission_asset == "BTC":
            base_fees += made.commission
        if not position or (before > 0) != (position > 0):
            base_fees = D(0)
        result.append(made)
    return result


@st.composite
def arrival_orders(draw: st.DrawFn, count: int) -> list[int]:
    """The order fills arrive in: the time order with some of them late (moved later)."""
    order = list(range(count))
    for _ in range(draw(st.integers(0, min(3, count)))):
        if count < 2:
            break
        i = draw(st.integers(0, count - 2))
        j = draw(st.integers(i + 1, count - 1))
        order.insert(j, order.pop(i))  # fill i arrives after the ones up to j
    return order
