"""How far a trade went against and for its holder, and its R-multiple (no ORM).

docs/execution.md, "Excursions". Over a trade's life, from its entry to its exit
(to ``now`` for an open trade), the stored candles give the lowest low and highest
high. For a LONG of ``quantity`` units entered at ``average entry``:

* MAE (maximum adverse excursion) = ``max(0, entry - lowest low) x quantity``;
* MFE (maximum favourable excursion) = ``max(0, highest high - entry) x quantity``;

mirrored for a SHORT. Both are in the quote currency (never negative) and in percent
of the entry price. The candles that overlap the trade are used whole, so a candle
that opened before the entry counts its whole range (the price of a candle's
resolution; a finer interval gives tighter figures). Where the candles do not cover
the trade's life, :attr:`Excursion.coverage` says which part they miss; with no
candle at all both figures are ``None``.

The R-multiple is ``realized PnL / initial risk``, the risk being
``|average entry - proposed stop| x quantity`` with the stop the signal proposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.candles import Candle
from gal_friday.domain.enums import TradeSide

HUNDRED = Decimal(100)


@attrs.frozen
class Excursion:
    """MAE and MFE of one trade (quote and percent), with what the candles cover."""

    mae: Decimal | None
    mfe: Decimal | None
    mae_pct: Decimal | None
    mfe_pct: Decimal | None
    coverage: str  # "full", "none", or which part of the trade's life no candle covers


def _coverage(candles: Sequence[Candle], start: datetime, end: datetime) -> str:
    if not candles:
        return "none"
    gaps = []
    first_open = min(candle.open_time for candle in candles)
    last_close = max(candle.close_time for candle in candles)
    if first_open > start:
        gaps.append(f"before {first_open.isoformat()}")
    if last_close < end:
        gaps.append(f"after {last_close.isoformat()}")
    reached = None
    for candle in sorted(candles, key=lambda candle: candle.open_time):
        if reached is not None and candle.open_time > reached:
            gaps.append(f"{reached.isoformat()} to {candle.open_time.isoformat()}")
        reached = candle.close_time if reached is None else max(reached, candle.close_time)
    return "full" if not gaps else "missing " + ", ".join(gaps)


def excursion_of(
    side: TradeSide,
    quantity: Decimal,
    average_entry_price: Decimal,
    start: datetime,
    end: datetime,
    candles: Sequence[Candle],
) -> Excursion:
    """MAE/MFE of a trade from the ``candles`` overlapping ``[start, end]`` (others ignored)."""
    inside = [c for c in candles if c.open_time <= end and c.close_time > start]
    coverage = _coverage(inside, start, end)
    if not inside:
        return Excursion(None, None, None, None, coverage)
    low = min(candle.low for candle in inside)
    high = max(candle.high for candle in inside)
    entry = average_entry_price
    with v.exact():
        against, toward = (entry - low, high - entry)
        if side is TradeSide.SHORT:
            against, toward = high - entry, entry - low
        against, toward = max(against, Decimal(0)), max(toward, Decimal(0))
        mae, mfe = against * quantity, toward * quantity
        mae_pct, mfe_pct = against / entry * HUNDRED, toward / entry * HUNDRED
    cent = Decimal("0.01")
    return Excursion(
        v.tidy(mae), v.tidy(mfe), mae_pct.quantize(cent), mfe_pct.quantize(cent), coverage
    )


def r_multiple(
    realized_pnl: Decimal,
    quantity: Decimal,
    average_entry_price: Decimal,
    proposed_stop: Decimal | None,
) -> Decimal | None:
    """``realized PnL / (|entry - stop| x quantity)``; ``None`` without a stop or risk."""
    if proposed_stop is None:
        return None
    with v.exact():
        risk = abs(average_entry_price - proposed_stop) * quantity
        if not risk:
            return None
        return (realized_pnl / risk).quantize(Decimal("0.0001"))
