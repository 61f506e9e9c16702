"""One pair's fills read straight through psycopg (PostgreSQL), for a trade rebuild.

:meth:`~gal_friday.persistence.repositories.FillRepository.stream` on a synchronous
PostgreSQL connection: the same records (the column types' own conversions: amounts
without trailing zeros, the side as its enum, times in UTC) from a server-side cursor,
without SQLAlchemy's per-row processing, which cost more than building the trades.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Connection

from gal_friday.domain import FillRecord, Side
from gal_friday.domain.fill import NO_EXTRA
from gal_friday.domain.invariants import InvariantError
from gal_friday.domain.values import tidy

_QUERY = sql.SQL(
    "SELECT {} FROM fills WHERE exchange = %s AND trading_pair = %s{} ORDER BY filled_at, fill_id"
)


def stream_fills(
    conn: Connection,
    exchange: str,
    trading_pair: str,
    batch_size: int,
    since: datetime | None = None,
) -> Iterator[FillRecord]:
    """The pair's fills in ``(filled_at, fill_id)`` order, ``batch_size`` rows per fetch."""
    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):  # FillRepository.stream checks the dialect
        raise InvariantError("stream_fills runs on a synchronous psycopg connection")
    params: list[Any] = [exchange, trading_pair]
    extra = sql.SQL("")
    if since is not None:
        extra = sql.SQL(" AND filled_at >= %s")
        params.append(since)
    query = _QUERY.format(sql.SQL(", ").join(map(sql.Identifier, FillRecord._fields)), extra)
    with driver.cursor(name=f"gf_fills_{uuid.uuid4().hex[:12]}") as cursor:
        cursor.itersize = batch_size
        cursor.execute(query, params)
        for row in cursor:
            yield FillRecord(
                row[0],
                row[1],
                Side(row[2]),
                tidy(row[3]),
                tidy(row[4]),
                tidy(row[5]),
                row[6],
                row[7].astimezone(UTC),
                row[8],
                row[9],
                _amounts(row[10]) if row[10] else NO_EXTRA,
            )


def _amounts(value: dict[str, Any]) -> dict[str, Decimal]:
    """A ``jsonb`` map of decimal strings (a DecimalMap column) as exact amounts."""
    return {asset: tidy(Decimal(amount)) for asset, amount in value.items()}
