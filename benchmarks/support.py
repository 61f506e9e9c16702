"""Shared pieces of the benchmarks: a throwaway PostgreSQL database, timers, data generators."""

from __future__ import annotations

import contextlib
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from gal_friday.domain import Fill
from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine

ADMIN_URL = os.environ.get(
    "GALFRIDAY_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Row:
    """One line of the results table."""

    name: str
    ours: str
    baseline: str
    ratio: float
    target: str
    met: bool | None

    def cells(self) -> list[str]:
        verdict = "-" if self.met is None else ("yes" if self.met else "NO")
        return [self.name, self.ours, self.baseline, f"{self.ratio:.2f}", self.target, verdict]


def libpq(url: URL) -> str:
    """A psycopg connection string for a SQLAlchemy URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def scratch_database() -> Iterator[URL]:
    """A migrated PostgreSQL database, dropped afterwards."""
    admin = make_url(ADMIN_URL).set(drivername="postgresql+psycopg")
    name = f"gf_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq(admin), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = admin.set(database=name)
    engine = create_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with psycopg.connect(libpq(admin), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def timed(action: Callable[[], object]) -> float:
    """Seconds ``action`` took."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) of samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def median(samples: list[float]) -> float:
    """The median."""
    return statistics.median(samples)


T0 = datetime(2024, 1, 1, tzinfo=UTC)
PAIRS = [
    ("XXBTZUSD", "BTC/USD", Decimal("42000")),
    ("XXRPZUSD", "XRP/USD", Decimal("0.5")),
    ("XDGUSD", "DOGE/USD", Decimal("0.08")),
]


def kraken_file(path: Path, count: int) -> Path:
    """A Kraken 24-column trades export of ``count`` fills: round trips over three pairs."""
    header = (
        "txid,ordertxid,pair,aclass,subclass,time,type,ordertype,price,cost,fee,vol,margin,"
        "misc,ledgers,posttxid,posstatuscode,cprice,ccost,cfee,cvol,cmargin,net,trades\n"
    )
    lines = [header]
    for n in range(count):
        code, _, base_price = PAIRS[n % 3]
        cycle = n // 3
        side = "buy" if cycle % 2 == 0 else "sell"
        price = base_price * (Decimal(1000 + (cycle % 50)) / Decimal(1000))
        vol = Decimal("0.01") if code == "XXBTZUSD" else Decimal(100)
        cost = (price * vol).quantize(Decimal("0.00001"))
        fee = (cost * Decimal("0.0026")).quantize(Decimal("0.00001"))
        when = (T0 + timedelta(seconds=n)).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(
            f"T{n:08d},O{n:08d},{code},forex,crypto,{when},{side},market,{price},{cost},"
            f'{fee},{vol},0,,"L{n}",,,,,,,,,\n'
        )
    path.write_text("".join(lines))
    return path


def synthetic_fills(count: int) -> list[Fill]:
    """``count`` fills of one pair: a long position built in 4 fills, closed in 2, repeated."""
    fills = []
    for n in range(count):
        step = n % 6
        side = "BUY" if step < 4 else "SELL"
        quantity = Decimal("0.5") if step < 4 else Decimal("1")
        price = Decimal(100 + (n % 97)) / Decimal(4)
        fills.append(
            Fill(
                fill_id=f"F{n:09d}",
                trading_pair="BTC/USD",
                exchange="kraken",
                side=side,
                quantity_filled=quantity,
                fill_price=price,
                commission=Decimal("0.01"),
                commission_asset="USD",
                filled_at=T0 + timedelta(seconds=n),
            )
        )
    return fills
