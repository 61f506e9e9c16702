"""Closed trades totalled per strategy, signal or exit reason, and currency.

Behind ``gal-friday report --by strategy|signal|exit-reason`` (docs/reporting.md,
"Strategies, signals and exit reasons"). A trade belongs to the group its attribution
names (docs/attribution.md); a trade whose attribution is None is in the *unattributed*
group of its currency, listed after the named ones. The rows of one currency add up
exactly to that currency's totals: every closed trade is in exactly one row, and the
amounts are summed exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.trade import ReportedTrade

#: What ``--by`` may group closed trades by, besides periods.
GROUPS = ("strategy", "signal", "exit-reason")
#: How an unattributed group is shown in a table or a CSV cell.
UNATTRIBUTED = "(unattributed)"
_ZERO = Decimal(0)


def group_of(trade: ReportedTrade, by: str) -> str | None:
    """The group ``trade`` belongs to when grouped ``by``; None when it is unattributed."""
    if by == "strategy":
        return trade.strategy_id
    if by == "signal":
        return None if trade.signal_id is None else str(trade.signal_id)
    if by == "exit-reason":
        return trade.exit_reason
    raise ValueError(f"unknown group {by!r}; expected one of {', '.join(GROUPS)}")


@attrs.frozen
class GroupTotals:
    """The closed trades of one currency in one group (``group`` None: unattributed)."""

    by: str
    group: str | None
    currency: str
    trades: int
    wins: int
    losses: int
    realized_pnl: Decimal
    total_commission: Decimal

    @property
    def label(self) -> str:
        """The group's name, or :data:`UNATTRIBUTED`."""
        return UNATTRIBUTED if self.group is None else self.group


def _order(key: tuple[str, str | None]) -> tuple[str, bool, str]:
    currency, group = key
    return currency, group is None, group or ""


def group_totals(closed: Iterable[tuple[str, ReportedTrade]], by: str) -> list[GroupTotals]:
    """Totals of ``[(currency of the amounts, closed trade), ...]`` per currency and group.

    Rows are ordered by currency, then group name; each currency's unattributed row last.
    """
    if by not in GROUPS:
        raise ValueError(f"unknown group {by!r}; expected one of {', '.join(GROUPS)}")
    groups: dict[tuple[str, str | None], list[ReportedTrade]] = defaultdict(list)
    for currency, trade in closed:
        if trade.exit_timestamp is None:
            raise ValueError("only closed trades are totalled per group")
        groups[(currency, group_of(trade, by))].append(trade)
    rows = []
    with v.exact():
        for key in sorted(groups, key=_order):
            trades = groups[key]
            pnls = [trade.realized_pnl for trade in trades]
            rows.append(
                GroupTotals(
                    by=by,
                    group=key[1],
                    currency=key[0],
                    trades=len(trades),
                    wins=sum(1 for pnl in pnls if pnl > 0),
                    losses=sum(1 for pnl in pnls if pnl < 0),
                    realized_pnl=v.tidy(sum(pnls, _ZERO)),
                    total_commission=v.tidy(sum((t.total_commission for t in trades), _ZERO)),
                )
            )
    return rows
