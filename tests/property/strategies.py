"""Hypothesis strategies for fills and fill sequences (Decimal amounts, aware UTC times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from gal_friday.domain import Fill

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PAIR = "BTC/USD"
THIRD_ASSET = "KFEE"
#: The conversion rate of the third commission asset, quote per unit.
RATES = {f"{THIRD_ASSET}/USD": Decimal("0.37")}

quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"), places=4)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
#: Commissions; a negative one is a maker rebate.
fees = st.decimals(min_value=Decimal("-1"), max_value=Decimal("5"), places=4)
#: A base-asset fee (or rebate, negative) as a share of the fill's quantity (at most 1%).
base_fee_rates = st.decimals(min_value=Decimal("-0.01"), max_value=Decimal("0.01"), places=3)
sides = st.sampled_from(["BUY", "SELL"])


def fill(
    fill_id: str,
    side: str,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    minute: int,
    pair: str = PAIR,
    fee_asset: str | None = None,
) -> Fill:
    """A fill on kraken; its commission is in the quote asset unless ``fee_asset`` says."""
    return Fill(
        fill_id=fill_id,
        trading_pair=pair,
        exchange="kraken",
        side=side,
        quantity_filled=quantity,
        fill_price=price,
        commission=fee,
        commission_asset=fee_asset or pair.split("/")[1],
        filled_at=T0 + timedelta(minutes=minute),
    )


def units(f: Fill) -> Decimal:
    """The signed base quantity a fill moves, after a commission paid in the base asset."""
    base_fee = f.commission if f.commission_asset == f.base_asset else Decimal(0)
    return f.quantity_filled - base_fee if f.side == "BUY" else -(f.quantity_filled + base_fee)


def closing_fill(position: Decimal, price: Decimal, fee: Decimal, minute: int) -> Fill:
    """The quote-fee fill that brings ``position`` (net base units) back to zero."""
    side = "SELL" if position > 0 else "BUY"
    return fill("Z999", side, abs(position), price, fee, minute)


@st.composite
def buy_fills(draw: st.DrawFn, max_size: int = 12) -> list[Fill]:
    """Buy fills of one order, with commissions in the quote, the base or a third asset."""
    rows = draw(
        st.lists(
            st.tuples(
                quantities,
                prices,
                fees,
                base_fee_rates,
                st.sampled_from(["USD", "BTC", THIRD_ASSET]),
            ),
            min_size=1,
            max_size=max_size,
        )
    )
    return [  # a base-asset fee is a share of the quantity: it cannot eat the whole buy
        fill(f"F{i:03d}", "BUY", q, p, q * r if a == "BTC" else c, i, fee_asset=a)
        for i, (q, p, c, r, a) in enumerate(rows)
    ]


@st.composite
def flat_sequences(draw: st.DrawFn) -> list[Fill]:
    """Buys and sells of one pair, quote fees only, that end flat (crossing zero at will)."""
    moves = draw(st.lists(st.tuples(sides, quantities, prices, fees), min_size=1, max_size=10))
    result = [fill(f"F{i:03d}", s, q, p, c, i) for i, (s, q, p, c) in enumerate(moves)]
    position = sum((units(f) for f in result), Decimal(0))
    if position:
        result.append(closing_fill(position, draw(prices), draw(fees), 999))
    return result


@st.composite
def mixed_sequences(draw: st.DrawFn, flat: bool = True) -> list[Fill]:
    """Fills whose commissions are in the quote, the base or a third asset (see ``RATES``).

    With ``flat`` a last quote-fee fill brings the net base position back to zero.
    """
    moves = draw(
        st.lists(
            st.tuples(
                sides, quantities, prices, fees, base_fee_rates, st.sampled_from(["q", "b", "t"])
            ),
            min_size=1,
            max_size=10,
        )
    )
    result = []
    for i, (side, q, p, fee, rate, kind) in enumerate(moves):
        if kind == "b":
            result.append(fill(f"F{i:03d}", side, q, p, q * rate, i, fee_asset="BTC"))
        else:
            asset = THIRD_ASSET if kind == "t" else None
            result.append(fill(f"F{i:03d}", side, q, p, fee, i, fee_asset=asset))
    position = sum((units(f) for f in result), Decimal(0))
    if flat and position:
        result.append(closing_fill(position, draw(prices), draw(fees), 999))
    return result


def without_fees(fills: list[Fill]) -> list[Fill]:
    """The same fills with no commission at all."""
    return [attrs.evolve(f, commission=Decimal(0), commission_asset="USD") for f in fills]
