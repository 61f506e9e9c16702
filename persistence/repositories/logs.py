"""Application log records and structured subsystem logs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from gal_friday.domain import (
    Log,
    SystemLog,
)
from gal_friday.persistence.repositories.base import Repository, between
from gal_friday.persistence.tables import definitions as t


class LogRepository(Repository):
    """Application log records."""

    def add(self, log: Log) -> None:
        """Stage a record."""
        self.session.add(log)

    def add_all(self, logs: Iterable[Log]) -> None:
        """Stage records."""
        self.session.add_all(logs)

    def between(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        logger_name: str | None = None,
        min_level: int | None = None,
    ) -> list[Log]:
        """Records in ``[start, end)``, optionally of one logger or at least a level."""
        stmt = between(select(Log), t.logs.c.timestamp, start, end)
        if logger_name is not None:
            stmt = stmt.where(t.logs.c.logger_name == logger_name)
        if min_level is not None:
            stmt = stmt.where(t.logs.c.level_no >= min_level)
        return self._all(stmt.order_by(t.logs.c.timestamp, t.logs.c.id))


class SystemLogRepository(Repository):
    """Structured subsystem logs."""

    def add(self, entry: SystemLog) -> None:
        """Stage an entry."""
        self.session.add(entry)

    def between(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        source_module: str | None = None,
        log_level: str | None = None,
    ) -> list[SystemLog]:
        """Entries in ``[start, end)``, optionally of one module or level."""
        stmt = between(select(SystemLog), t.system_logs.c.log_timestamp, start, end)
        if source_module is not None:
            stmt = stmt.where(t.system_logs.c.source_module == source_module)
        if log_level is not None:
            stmt = stmt.where(t.system_logs.c.log_level == log_level.upper())
        return self._all(stmt.order_by(t.system_logs.c.log_timestamp, t.system_logs.c.log_pk))
