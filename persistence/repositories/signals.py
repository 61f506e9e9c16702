"""Trading signals."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from gal_friday.domain import (
    Signal,
    SignalStatus,
)
from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.tables import definitions as t


class SignalRepository(Repository):
    """Trading signals."""

    def add(self, signal: Signal) -> None:
        """Stage a new signal."""
        self.session.add(signal)

    def get(self, signal_id: uuid.UUID) -> Signal | None:
        """The signal with this id."""
        return self.session.get(Signal, signal_id)

    def by_status(self, status: SignalStatus, trading_pair: str | None = None) -> list[Signal]:
        """Signals in ``status``, oldest first."""
        stmt = select(Signal).where(t.signals.c.status == status)
        if trading_pair is not None:
            stmt = stmt.where(t.signals.c.trading_pair == trading_pair)
        return self._all(stmt.order_by(t.signals.c.created_at))
