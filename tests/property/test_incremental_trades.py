"""The live path's incremental trades equal a full rebuild (docs/live-fills.md).

Fills applied one at a time, the running figures written out and read back between every
two fills (as the store keeps them), give exactly the trades ``build_trades`` makes from
the whole history, in every grouping: partial exits, zero crossings, base-asset fees and
dust, rebates, third-asset fees.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings

from gal_friday.domain import Fill, Trade, TradeGrouping, build_trades
from gal_friday.domain import incremental_trades as inc
from tests.property.strategies import RATES, fill
from tests.support.live_histories import live_fills

SETTINGS = settings(max_examples=150, deadline=None)


def figures(trades: list[Trade]) -> dict:
    """Every trade by id, with every field but the storage key."""
    return {
        t.trade_id: {k: v for k, v in attrs.asdict(t, recurse=False).items() if k != "trade_pk"}
        for t in trades
    }


class _Table:
    """A pair's trades as the store keeps them: rows by trade id, running figures as text."""

    def __init__(self, grouping: TradeGrouping) -> None:
        self.grouping = grouping
        self.rows: dict = {}
        self.cycle: str | None = None
        self.lots: list[str] = []  # open lots in opening order, as text

    def write(self, trades: list[Trade]) -> None:
        for trade in trades:
            self.rows[trade.trade_id] = trade

    def apply(self, fill_: Fill) -> None:
        leg = inc.leg_of(fill_, RATES)
        if self.grouping is TradeGrouping.FLAT_TO_FLAT:
            cycle = None if self.cycle is None else inc.load_cycle(self.cycle)
            step = inc.step_cycle(cycle, leg, "kraken", "BTC/USD")
            self.write(step.closed)
            self.cycle = None
            if step.cycle is not None:
                self.write([inc.cycle_trade(step.cycle, "kraken", "BTC/USD")])
                self.cycle = inc.dump_cycle(step.cycle)
            return
        source = _Lots(self.lots, self.grouping is TradeGrouping.FIFO)
        head = source.head()
        long = None if head is None else head.leg.is_buy
        step = inc.step_lots(source, long, leg, "kraken", "BTC/USD", self.grouping)
        self.write(step.closed)
        source.commit()
        if step.partly_closed is not None:
            trade = inc.lot_trade(step.partly_closed, long, "kraken", "BTC/USD", self.grouping)
            self.write([trade])
            source.replace_head(inc.dump_lot(step.partly_closed))
        if step.opened is not None:
            side = step.opened.leg.is_buy
            self.write([inc.lot_trade(step.opened, side, "kraken", "BTC/USD", self.grouping)])
            self.lots.append(inc.dump_lot(step.opened))


class _Lots:
    """Lots read back from text one at a time from their head, as the store reads them."""

    def __init__(self, lots: list[str], fifo: bool) -> None:
        self.lots = lots
        self.fifo = fifo
        self.dropped = 0
        self.current: inc.Lot | None = None

    def _index(self, k: int) -> int:
        return k if self.fifo else len(self.lots) - 1 - k

    def head(self) -> inc.Lot | None:
        if self.current is None and self.dropped < len(self.lots):
            self.current = inc.load_lot(self.lots[self._index(self.dropped)])
        return self.current

    def drop_head(self) -> None:
        self.dropped += 1
        self.current = None

    def commit(self) -> None:
        if self.fifo:
            del self.lots[: self.dropped]
        elif self.dropped:
            del self.lots[-self.dropped :]
        self.dropped = 0

    def replace_head(self, text: str) -> None:
        self.lots[0 if self.fifo else -1] = text


@SETTINGS
@given(live_fills())
def test_folding_one_fill_at_a_time_equals_the_full_rebuild(fills):
    for grouping in TradeGrouping:
        assert figures(list(inc.trades_of(fills, grouping, RATES))) == figures(
            build_trades(fills, grouping, RATES)
        )


@SETTINGS
@given(live_fills())
def test_running_figures_stored_between_fills_give_the_full_rebuild(fills):
    for grouping in TradeGrouping:
        table = _Table(grouping)
        for fill_ in fills:
            table.apply(fill_)
        assert figures(list(table.rows.values())) == figures(build_trades(fills, grouping, RATES))


def test_a_running_cycle_is_written_and_read_back_exactly():
    # a partial exit leaves a basis of 80 significant digits: text keeps every one
    legs = [
        fill("A", "BUY", Decimal(3), Decimal("100.01"), Decimal("0.003"), 0, fee_asset="BTC"),
        fill("B", "SELL", Decimal(1), Decimal("101"), Decimal("0.1"), 1),
    ]
    step = inc.step_cycle(None, inc.leg_of(legs[0]), "kraken", "BTC/USD")
    step = inc.step_cycle(step.cycle, inc.leg_of(legs[1]), "kraken", "BTC/USD")
    cycle = step.cycle
    again = inc.load_cycle(inc.dump_cycle(cycle))
    assert len(str(cycle.basis).replace(".", "")) > 30
    for name in ("units", "basis", "realized_gross", "cash_fees", "entry_notional", "base_fees"):
        assert getattr(again, name) == getattr(cycle, name)
    assert inc.dump_cycle(again) == inc.dump_cycle(cycle)


def test_a_fully_closed_lot_has_no_running_figures():
    lot = inc.Lot(inc.leg_of(fill("A", "BUY", Decimal(1), Decimal(10), Decimal(0), 0)))
    lot.take(Decimal(1))
    with pytest.raises(ValueError, match="closed lot"):
        inc.dump_lot(lot)
