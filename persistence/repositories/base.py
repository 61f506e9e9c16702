"""What every repository shares: its session, IN lists sized for the backend, list reads.

The repositories are written once against a synchronous ``Session``; the asyncio unit of
work runs the same methods through ``AsyncSession.run_sync``. Time ranges are half-open,
``[start, end)``, on indexed columns. Nothing here commits: the unit of work owns the
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from gal_friday.persistence.fastpath.batching import chunked
from gal_friday.persistence.fastpath.gc_pause import gc_paused

IN_LIST_CHUNK = 1000


def between(stmt: Select[Any], column: Any, start: datetime | None, end: datetime | None) -> Any:
    """``stmt`` restricted to ``start <= column < end`` (either bound may be open)."""
    if start is not None:
        stmt = stmt.where(column >= start)
    if end is not None:
        stmt = stmt.where(column < end)
    return stmt


class Repository:
    """A repository on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _among(self, column: ColumnElement[str], values: Iterable[str]) -> Iterator[Any]:
        """Conditions that together select ``column IN values``, in as few statements as the
        backend allows: one array parameter on PostgreSQL (``= ANY``: the planner looks it
        up in the index or hashes it, where an IN list of bound parameters is compared with
        every row it scans), lists of ``IN_LIST_CHUNK`` elsewhere.
        """
        distinct = list(dict.fromkeys(values))
        if not distinct:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            yield column == any_(bindparam(None, distinct, type_=postgresql.ARRAY(String)))
            return
        for chunk in chunked(distinct, IN_LIST_CHUNK):
            yield column.in_(chunk)

    def _all(self, stmt: Select[Any]) -> list[Any]:
        with gc_paused():  # loading makes many objects, no cycles: docs/performance.md
            return list(self.session.scalars(stmt))
