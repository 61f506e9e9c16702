"""Equity invariants: trading at the marking price only costs the fees; grouping never matters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from gal_friday.domain import FillRecord, Side
from gal_friday.domain.equity import equity_curve

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PRICE = {"BTC/USD": D("40000.5"), "ETH/BTC": D("0.05"), "XRP/USD": D("0.5")}

fills = st.lists(
    st.tuples(
        st.sampled_from(sorted(PRICE)),
        st.sampled_from([Side.BUY, Side.SELL]),
        st.decimals(min_value=D("0.001"), max_value=D(50), places=3),
        st.decimals(min_value=D(0), max_value=D(2), places=4),
        st.integers(0, 20 * 86400),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(entries=fills)
def test_trading_at_the_marking_price_costs_exactly_the_fees(entries):
    records = [
        FillRecord(
            "kraken",
            pair,
            side,
            qty,
            PRICE[pair],
            fee,
            "USD",
            T0 + timedelta(seconds=s),
            f"F{i}",
            None,
        )
        for i, (pair, side, qty, fee, s) in enumerate(entries)
    ]
    closes = {
        pair: [(T0 + timedelta(days=d), price) for d in range(1, 23)]
        for pair, price in PRICE.items()
    }
    rows = equity_curve(records, [], closes, start_capital=D(10000), currency="USD")
    assert rows[-1].date == (T0 + timedelta(days=21)).date()
    for row in rows:
        assert row.equity == D(10000) - row.fees
        assert row.unrealized_pnl == -row.fees and row.drawdown <= 0
    assert rows[-1].fees == sum((fee for *_, fee, _s in entries), D(0))
