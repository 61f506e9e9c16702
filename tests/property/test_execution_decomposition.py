"""The execution decomposition sums exactly to the realized PnL (docs/execution.md).

Random fills of one pair (quote, base-asset and third-asset fees, flips, partial exits)
are grouped by every grouping; each closed trade gets random signal, order and exit
reference prices. ``signal edge + entry slippage + exit slippage - fees`` must equal
the trade's realized PnL to the last digit, and with quote fees only the "fees" part
is the trade's commission up to the 18-place rounding of its average prices.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from gal_friday.domain import values as v
from gal_friday.domain.enums import TradeGrouping
from gal_friday.domain.execution import (
    ClosedTradeFigures,
    PriceReference,
    execution_of,
    missing,
    total_execution,
)
from gal_friday.domain.trade_builder import build_trades
from tests.property.strategies import RATES, flat_sequences, mixed_sequences, prices

groupings = st.sampled_from(list(TradeGrouping))
QUANTUM = Decimal("1E-18")


def _figures(trade) -> ClosedTradeFigures:
    return ClosedTradeFigures(
        side=trade.side,
        quantity=trade.quantity,
        average_entry_price=trade.average_entry_price,
        average_exit_price=trade.average_exit_price,
        realized_pnl=trade.realized_pnl,
        total_commission=trade.total_commission,
    )


@settings(max_examples=150, deadline=None)
@given(mixed_sequences(), groupings, st.data())
def test_the_parts_sum_exactly_to_the_realized_pnl(fills, grouping, data):
    closed = [t for t in build_trades(fills, grouping, RATES) if t.is_closed]
    executions = []
    for trade in closed:
        signal = PriceReference(data.draw(prices), "signal")
        order = PriceReference(data.draw(prices), "limit")
        exit_ = PriceReference(data.draw(prices), "limit")
        execution = execution_of(_figures(trade), signal, order, exit_)
        assert execution.decomposed
        with v.exact():  # the default context's 28 digits would round the sum
            parts = (
                execution.signal_edge
                + execution.entry_slippage
                + execution.exit_slippage
                - execution.fees
            )
        assert parts == trade.realized_pnl
        executions.append(execution)
    totals = total_execution(executions)
    assert totals.decomposed == len(closed)
    with v.exact():
        parts = totals.signal_edge + totals.entry_slippage + totals.exit_slippage
        assert parts - totals.decomposed_fees == totals.decomposed_realized_pnl
        assert totals.decomposed_realized_pnl == sum((t.realized_pnl for t in closed), Decimal(0))


@settings(max_examples=150, deadline=None)
@given(flat_sequences(), groupings)
def test_with_quote_fees_the_fees_part_is_the_commission(fills, grouping):
    for trade in (t for t in build_trades(fills, grouping) if t.is_closed):
        reference = PriceReference(trade.average_entry_price, "signal")
        execution = execution_of(_figures(trade), reference, reference, reference)
        # the averages are stored to 18 places: each may be off by half a quantum per unit
        with v.exact():
            bound = (trade.quantity + 1) * QUANTUM
            assert abs(execution.fees - trade.total_commission) <= bound


@settings(max_examples=60, deadline=None)
@given(flat_sequences())
def test_a_trade_without_a_signal_says_so_and_is_left_out_of_the_decomposition(fills):
    closed = [t for t in build_trades(fills) if t.is_closed]
    executions = [
        execution_of(
            _figures(t), missing("no signal"), missing("no entry order"), missing("no exit order")
        )
        for t in closed
    ]
    for execution in executions:
        assert not execution.decomposed
        assert execution.signal_edge is None and execution.entry_slippage is None
        assert execution.missing == ("no signal", "no entry order", "no exit order")
    totals = total_execution(executions)
    assert totals.decomposed == 0 and totals.signal_edge == 0
    with v.exact():
        assert totals.realized_pnl == sum((t.realized_pnl for t in closed), Decimal(0))
