"""Portfolio snapshots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from gal_friday.domain import (
    PortfolioSnapshot,
)
from gal_friday.persistence.repositories.base import Repository, between
from gal_friday.persistence.tables import definitions as t


class SnapshotRepository(Repository):
    """Portfolio snapshots."""

    def add(self, snapshot: PortfolioSnapshot) -> None:
        """Stage a snapshot."""
        self.session.add(snapshot)

    def delete(self, snapshot: PortfolioSnapshot) -> None:
        """Stage the removal of a stored snapshot (one read from this repository)."""
        self.session.delete(snapshot)

    def latest(self) -> PortfolioSnapshot | None:
        """The most recent snapshot."""
        stmt = select(PortfolioSnapshot).order_by(
            t.portfolio_snapshots.c.snapshot_timestamp.desc(),
            t.portfolio_snapshots.c.snapshot_pk.desc(),
        )
        return self.session.scalars(stmt.limit(1)).first()

    def between(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[PortfolioSnapshot]:
        """Snapshots taken in ``[start, end)``, oldest first."""
        column = t.portfolio_snapshots.c.snapshot_timestamp
        stmt = between(select(PortfolioSnapshot), column, start, end)
        return self._all(stmt.order_by(column, t.portfolio_snapshots.c.snapshot_pk))
