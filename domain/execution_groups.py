"""Execution figures totalled per strategy, signal or exit reason (docs/execution.md; no ORM).

The groups are those of ``report --by`` (:func:`gal_friday.domain.attribution_groups.group_of`),
per quote currency. Each group sums its trades' decomposition
(:func:`gal_friday.domain.execution.total_execution`), averages the slippage in basis
points and the R-multiples over the trades that have them, sums MAE and MFE over the
trades whose candles give them, and counts why the other trades lack a figure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.attribution_groups import GROUPS, UNATTRIBUTED, group_of
from gal_friday.domain.excursions import Excursion
from gal_friday.domain.execution import ExecutionTotals, TradeExecution, total_execution
from gal_friday.domain.trade import Trade

_CENT = Decimal("0.01")
_R_PLACES = Decimal("0.0001")


class TradeFiguresForGroup(Protocol):
    """What a group needs of one closed trade (``services.execution.TradeQuality`` is one)."""

    @property
    def trade(self) -> Trade: ...
    @property
    def execution(self) -> TradeExecution: ...
    @property
    def excursion(self) -> Excursion: ...
    @property
    def r_multiple(self) -> Decimal | None: ...


@attrs.frozen
class ExecutionGroup:
    """One group's execution figures, in ``currency`` (``group`` None: unattributed)."""

    by: str
    group: str | None
    currency: str
    totals: ExecutionTotals
    mean_entry_slippage_bps: Decimal | None
    mean_exit_slippage_bps: Decimal | None
    mae: Decimal
    mfe: Decimal
    with_excursions: int
    mean_r_multiple: Decimal | None
    missing: tuple[tuple[str, int], ...]

    @property
    def label(self) -> str:
        """The group's name, or the unattributed label."""
        return UNATTRIBUTED if self.group is None else self.group


def _mean(values: Sequence[Decimal], places: Decimal) -> Decimal | None:
    if not values:
        return None
    with v.exact():
        return (sum(values, Decimal(0)) / len(values)).quantize(places)


def _reason(text: str) -> str:
    return "no candle at the order's time" if text.startswith("no candle at") else text


def _group(
    by: str, group: str | None, currency: str, rows: list[TradeFiguresForGroup]
) -> ExecutionGroup:
    executions = [row.execution for row in rows]
    measured = [row.excursion for row in rows if row.excursion.mae is not None]
    with v.exact():
        mae = v.tidy(sum((e.mae or Decimal(0) for e in measured), Decimal(0)))
        mfe = v.tidy(sum((e.mfe or Decimal(0) for e in measured), Decimal(0)))
    missing = Counter(_reason(reason) for e in executions for reason in e.missing)
    return ExecutionGroup(
        by=by,
        group=group,
        currency=currency,
        totals=total_execution(executions),
        mean_entry_slippage_bps=_mean(
            [e.entry_slippage_bps for e in executions if e.entry_slippage_bps is not None], _CENT
        ),
        mean_exit_slippage_bps=_mean(
            [e.exit_slippage_bps for e in executions if e.exit_slippage_bps is not None], _CENT
        ),
        mae=mae,
        mfe=mfe,
        with_excursions=len(measured),
        mean_r_multiple=_mean(
            [row.r_multiple for row in rows if row.r_multiple is not None], _R_PLACES
        ),
        missing=tuple(sorted(missing.items())),
    )


def execution_groups(rows: Iterable[TradeFiguresForGroup], by: str) -> list[ExecutionGroup]:
    """The groups of ``rows`` by ``by``, per quote currency; each currency's unattributed last."""
    if by not in GROUPS:
        raise ValueError(f"unknown group {by!r}; expected one of {', '.join(GROUPS)}")
    grouped: dict[tuple[str, str | None], list[TradeFiguresForGroup]] = defaultdict(list)
    for row in rows:
        currency = v.split_pair(row.trade.trading_pair)[1]
        grouped[(currency, group_of(row.trade, by))].append(row)
    order = sorted(grouped, key=lambda key: (key[0], key[1] is None, key[1] or ""))
    return [_group(by, group, currency, grouped[(currency, group)]) for currency, group in order]
