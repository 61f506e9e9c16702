"""Hypothesis strategies for fills and fill sequences (Decimal, aware UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from domain import Fill

T0 = datetime(2024, 1, 1, tzinfo=UTC)

quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"), places=4)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
fees = st.decimals(min_value=Decimal(0), max_value=Decimal("5"), places=4)


def fill(
    fill_id: str,
    side: str,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    minute: int,
    pair: str = "BTC/USD",
) -> Fill:
    """A fill with its commission in the quote asset."""
    return Fill(
        fill_id=fill_id,
        trading_pair=pair,
        exchange="kraken",
        side=side,
        quantity_filled=quantity,
        fill_price=price,
        commission=fee,
        commission_asset=pair.split("/")[1],
        filled_at=T0 + timedelta(minutes=minute),
    )


@st.composite
def buy_fills(draw: st.DrawFn, max_size: int = 12) -> list[Fill]:
    """Buy fills of one order."""
    rows = draw(st.lists(st.tuples(quantities, prices, fees), min_size=1, max_size=max_size))
    return [fill(f"F{i}", "BUY", q, p, c, i) for i, (q, p, c) in enumerate(rows)]


@st.composite
def flat_sequences(draw: st.DrawFn) -> list[Fill]:
    """Buys and sells of one pair that end flat, crossing zero on the way when they like."""
    moves = draw(
        st.lists(
            st.tuples(st.sampled_from(["BUY", "SELL"]), quantities, prices, fees),
            min_size=1,
            max_size=10,
        )
    )
    position = Decimal(0)
    result = []
    for i, (side, q, p, c) in enumerate(moves):
        result.append(fill(f"F{i:03d}", side, q, p, c, i))
        position += q if side == "BUY" else -q
    if position:
        p, c = draw(prices), draw(fees)
        result.append(fill("F999", "SELL" if position > 0 else "BUY", abs(position), p, c, 999))
    return result
