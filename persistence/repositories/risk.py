"""Risk figures from the trades table (docs/reads.md, "Risk figures").

Realized PnL over ``[since, until)`` by exit time is one ``SUM`` per pair over the
covering index on ``(exit_timestamp, trade_pk)`` (PostgreSQL; summed exactly in Python
on SQLite, :mod:`.exact_sums`). The streak reads closed trades newest exit first, a
page of :data:`STREAK_PAGE` at a time, and stops at the first trade that ends the run.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, bindparam, select, tuple_

from gal_friday.domain.risk import ClosedResult, Streak, StreakCounter
from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.repositories.exact_sums import grouped_sums
from gal_friday.persistence.tables import definitions as t

#: Closed trades a streak reads per query.
STREAK_PAGE = 32


class RiskRepository(Repository):
    """Realized PnL by exit time, and the current streak."""

    def realized_pnl(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        trading_pair: str | None = None,
    ) -> dict[str, tuple[Decimal, int]]:
        """Per pair: ``(Σ realized_pnl, count)`` of trades that exited in ``[since, until)``."""
        c = t.trades.c
        where: list[ColumnElement[bool]] = [c.exit_timestamp.is_not(None)]
        if since is not None:
            where.append(c.exit_timestamp >= since)
        if until is not None:
            where.append(c.exit_timestamp < until)
        if trading_pair is not None:
            where.append(c.trading_pair == trading_pair)
        sums = grouped_sums(self.session, [c.trading_pair], [[c.realized_pnl]], where)
        return {pair: (group.sums[0], group.rows) for (pair,), group in sorted(sums.items())}

    def streak(self, trading_pair: str | None = None, as_of: datetime | None = None) -> Streak:
        """The run of wins or losses of the trades that exited by ``as_of`` (default: all),
        newest exit first (see the domain's rules)."""
        c = t.trades.c
        base = select(c.trading_pair, c.exit_timestamp, c.realized_pnl, c.trade_pk).where(
            c.exit_timestamp.is_not(None)
        )
        if trading_pair is not None:
            base = base.where(c.trading_pair == trading_pair)
        if as_of is not None:
            base = base.where(c.exit_timestamp <= as_of)
        base = base.order_by(c.exit_timestamp.desc(), c.trade_pk.desc()).limit(STREAK_PAGE)
        counter = StreakCounter()
        after: tuple[datetime, int] | None = None
        while True:
            stmt = base
            if after is not None:
                mark = tuple_(
                    bindparam(None, after[0], type_=c.exit_timestamp.type),
                    bindparam(None, after[1], type_=c.trade_pk.type),
                )
                stmt = stmt.where(tuple_(c.exit_timestamp, c.trade_pk) < mark)
            rows = self.session.execute(stmt).all()
            for pair, exit_at, pnl, key in rows:
                if not counter.add(ClosedResult(pair, exit_at, pnl)):
                    return counter.streak()
                after = (exit_at, key)
            if len(rows) < STREAK_PAGE:
                return counter.streak()
