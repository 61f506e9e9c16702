"""Attribution survives every rebuild: fill by fill refreshes equal one full rebuild.

Random fill sequences of one pair, each fill on one of a few orders per side whose
strategy, signal and reason are drawn too; the fills are recorded one at a time with the
pair's refresh after each (the live path), then the pair is rebuilt whole. Both give the
same trades with the same attribution, and that attribution is the entry order's signal and
strategy and the closing order's reason, for every grouping.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from gal_friday.domain import Signal, TradeGrouping, build_trades
from gal_friday.domain.attribution import USUAL_REASONS, OrderAttribution, attribute
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.services.trade_rebuild import rebuild_trades, refresh_pair
from tests.factories import make_order
from tests.property.strategies import PAIR, fees, fill, prices, quantities, sides

SETTINGS = settings(max_examples=60, deadline=None)
SIGNALS = {uuid.UUID(int=1): "alpha", uuid.UUID(int=2): "beta"}

#: An order's attribution: (signal or None, strategy or None, reason or None).
attributions = st.one_of(
    st.tuples(st.none(), st.sampled_from([None, "alpha", "gamma"]), st.none()),
    st.tuples(
        st.sampled_from([None, *SIGNALS]),
        st.none(),
        st.sampled_from([None, *USUAL_REASONS, "my own reason"]),
    ),
    st.tuples(st.none(), st.sampled_from(["alpha", "gamma"]), st.sampled_from(USUAL_REASONS)),
)


@st.composite
def histories(draw: st.DrawFn):
    moves = draw(
        st.lists(
            st.tuples(sides, quantities, prices, fees, st.integers(0, 2)), min_size=1, max_size=9
        )
    )
    orders = {(side, k): draw(attributions) for side in ("BUY", "SELL") for k in range(3)}
    fills = [
        (fill(f"F{i:03d}", side, q, p, c, i), (side, k))
        for i, (side, q, p, c, k) in enumerate(moves)
    ]
    return orders, fills


def _store(orders):
    uow = InMemoryUnitOfWork()
    with uow() as work:
        for signal_id, strategy in SIGNALS.items():
            work.signals.add(
                Signal(
                    trading_pair=PAIR,
                    exchange="kraken",
                    strategy_id=strategy,
                    side="BUY",
                    entry_type="MARKET",
                    signal_id=signal_id,
                )
            )
        made = {}
        for (side, k), (signal_id, strategy, reason) in orders.items():
            order = make_order(
                side=side,
                order_type="MARKET",
                limit_price=None,
                quantity_ordered=Decimal(100_000),
                signal_id=signal_id,
                strategy_id=strategy,
                reason=reason,
            )
            work.orders.add(order)
            made[(side, k)] = order.client_order_id
        work.commit()
    return uow, made


def _attributed(trades):
    return sorted(
        (t.trade_id, t.exit_timestamp, t.realized_pnl, t.signal_id, t.strategy_id, t.exit_reason)
        for t in trades
    )


@SETTINGS
@given(history=histories(), grouping=st.sampled_from(list(TradeGrouping)))
def test_refreshing_fill_by_fill_equals_a_full_rebuild_with_the_orders_attribution(
    history, grouping
):
    orders, fills = history
    uow, client_ids = _store(orders)
    for index, (new, key) in enumerate(fills):
        with uow() as work:
            work.orders.get_by_client_id(client_ids[key]).apply_fill(new)
            work.flush()  # the fill's order key, as the store gives it
            if index == 0:
                work.commit()
                rebuild_trades(uow, grouping)  # the pair's grouping, kept by refreshes
                continue
            refresh_pair(work, "kraken", PAIR, new.filled_at)
            work.commit()
    with uow() as work:
        incremental = _attributed(work.trades.all())
        stored = {o.order_pk: o for o in work.orders.items}
        signals = {s.signal_id: s for s in work.signals.items}
        all_fills = [f for o in work.orders.items for f in o.fills]
    rebuild_trades(uow, grouping)
    with uow() as work:
        rebuilt = _attributed(work.trades.all())
    assert incremental == rebuilt
    by_pk = {pk: OrderAttribution.of(o, signals.get(o.signal_id)) for pk, o in stored.items()}
    expected = _attributed(attribute(build_trades(all_fills, grouping), by_pk))
    assert rebuilt == expected
    for _, exit_time, _, signal_id, strategy, reason in rebuilt:
        if signal_id is not None:
            assert strategy == SIGNALS[signal_id]  # a signal's strategy, never another
        if exit_time is None:
            assert reason is None  # an open trade has no exit reason yet
