"""The order's aggregates, kept fill by fill, equal the figures computed from the whole fill list."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from gal_friday.domain import Order
from gal_friday.domain.order import fill_aggregates
from tests.property.strategies import fill

#: Stored amounts as wide as NUMERIC(38, 18) allows, with all 18 places used.
long_quantities = st.decimals(
    min_value=Decimal("0.000000000000000001"), max_value=Decimal("100000"), places=18
)
long_prices = st.decimals(
    min_value=Decimal("0.000000000000000001"), max_value=Decimal("10000000"), places=18
)
assets = st.sampled_from(["USD", "BTC", "BNB"])
fill_specs = st.lists(
    st.tuples(long_quantities, long_prices, st.decimals(0, 1, places=18), assets).filter(
        lambda spec: spec[3] != "BTC" or spec[2] < spec[0]  # a base fee is below the quantity
    ),
    min_size=1,
    max_size=25,
)


def _fills(specs):
    return [
        fill(f"F{n}", "BUY", quantity, price, fee, n, fee_asset=asset)
        for n, (quantity, price, fee, asset) in enumerate(specs)
    ]


def _reference_vwap(fills):
    """The VWAP as the fill-list path computed it: exact sums, one half-even rounding."""
    with localcontext() as context:
        context.prec = 200
        quantity = sum((f.quantity_filled for f in fills), Decimal(0))
        notional = sum((f.quantity_filled * f.fill_price for f in fills), Decimal(0))
        return (notional / quantity).quantize(Decimal("1e-18"), rounding=ROUND_HALF_EVEN)


def _order(total):
    return Order(
        trading_pair="BTC/USD",
        exchange="kraken",
        side="BUY",
        order_type="MARKET",
        quantity_ordered=total,
    )


@given(fill_specs)
def test_aggregates_kept_fill_by_fill_equal_the_fill_list_computation(specs):
    fills = _fills(specs)
    total = fill_aggregates(fills).filled_quantity
    with_list, without_list = _order(total), _order(total)
    for f in fills:
        assert with_list.apply_fill(f)
        without_list.apply_new_fill(f)
    expected = fill_aggregates(fills)
    for order in (with_list, without_list):
        assert order.filled_quantity == expected.filled_quantity == total
        assert order.fill_notional == expected.fill_notional
        assert order.average_fill_price == expected.average_fill_price == _reference_vwap(fills)
        assert order.commissions == expected.commissions
        assert order.status.value == "FILLED"
    assert without_list.fills == []  # applied to the aggregates only


@given(fill_specs, st.randoms(use_true_random=False))
def test_the_aggregates_do_not_depend_on_the_arrival_order(specs, rnd):
    fills = _fills(specs)
    total = fill_aggregates(fills).filled_quantity
    shuffled = list(fills)
    rnd.shuffle(shuffled)
    order = _order(total)
    for f in shuffled:
        order.apply_new_fill(f)
    expected = fill_aggregates(fills)
    assert (order.fill_notional, order.average_fill_price, order.commissions) == (
        expected.fill_notional,
        expected.average_fill_price,
        expected.commissions,
    )
