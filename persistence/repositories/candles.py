"""The candles repository: price history in, closes out (docs/analytics.md, "Prices").

Candles are written and read with Core statements (no ORM objects: a history is
long and read-only once stored). Nothing here commits: the unit of work does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from gal_friday.domain import values as v
from gal_friday.domain.candles import Candle
from gal_friday.persistence.tables import definitions as t

_COLUMNS = (
    "exchange",
    "trading_pair",
    "interval_s",
    "open_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "trade_count",
)
#: How many rows a server-side cursor fetches at a time when closes are read.
ROWS_PER_FETCH = 5000

#: A close as the equity computation reads it: ``(close time, close price)``.
Close = tuple[datetime, Decimal]


class CandleRepository:
    """Candles of one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def stored_between(
        self, exchange: str, trading_pair: str, interval_s: int, first: datetime, last: datetime
    ) -> dict[datetime, Candle]:
        """The stored candles of one series opened in ``[first, last]``, by open time.

        ``exchange`` is normalised as a stored candle's is (``kraken-demo`` is ``krakendemo``).
        """
        c = t.candles.c
        stmt = select(*(c[name] for name in _COLUMNS)).where(
            c.exchange == v.exchange_id(exchange),
            c.trading_pair == trading_pair,
            c.interval_s == interval_s,
            c.open_time >= first,
            c.open_time <= last,
        )
        return {row.open_time: Candle(**row._asdict()) for row in self.session.execute(stmt)}

    def insert(self, candles: Sequence[Candle]) -> None:
        """Insert new candles (one executemany)."""
        if candles:
            self.session.execute(
                insert(t.candles),
                [{name: getattr(candle, name) for name in _COLUMNS} for candle in candles],
            )

    def flush(self) -> None:
        """Send the staged candles, so a later read in the transaction sees them."""
        self.session.flush()

    def series(self) -> list[tuple[str, str, int, int]]:
        """Every stored ``(exchange, trading_pair, interval_s, candle count)``."""
        c = t.candles.c
        stmt = (
            select(c.exchange, c.trading_pair, c.interval_s, func.count())
            .group_by(c.exchange, c.trading_pair, c.interval_s)
            .order_by(c.exchange, c.trading_pair, c.interval_s)
        )
        return [(r[0], r[1], r[2], r[3]) for r in self.session.execute(stmt)]

    def closes(
        self, exchange: str, trading_pair: str, interval_s: int | None = None
    ) -> list[Close]:
        """``(close time, close)`` of a pair's candles on an exchange, by close time.

        With several intervals stored, every candle is read; ``interval_s`` keeps one.
        ``exchange`` is normalised as a stored candle's is.
        """
        c = t.candles.c
        stmt = select(c.open_time, c.interval_s, c.close).where(
            c.exchange == v.exchange_id(exchange), c.trading_pair == trading_pair
        )
        if interval_s is not None:
            stmt = stmt.where(c.interval_s == interval_s)
        rows = self.session.execute(
            stmt.order_by(c.open_time, c.interval_s).execution_options(yield_per=ROWS_PER_FETCH)
        )
        points = [(row.open_time + timedelta(seconds=row.interval_s), row.close) for row in rows]
        points.sort(key=lambda point: point[0])
        return points

    def exchanges_of(self, trading_pairs: Iterable[str]) -> dict[str, list[str]]:
        """For each pair, the exchanges that have candles of it."""
        c = t.candles.c
        pairs = list(trading_pairs)
        found: dict[str, list[str]] = {pair: [] for pair in pairs}
        if not pairs:
            return found
        stmt = (
            select(c.trading_pair, c.exchange)
            .where(c.trading_pair.in_(pairs))
            .distinct()
            .order_by(c.trading_pair, c.exchange)
        )
        for pair, exchange in self.session.execute(stmt):
            found[pair].append(exchange)
        return found
