"""`audit` and `equity` read the history as streams and keep O(1) records of it at a time.

The services run on the in-memory fakes behind a guard: the reads that return the whole
history at once (``trades.all``, ``ledger.trades``, ``ledger.fills_by_ids``, a pair's fills
loaded one pair after another) raise, and every record the streams hand out is counted
while it is alive. Memory is then flat by construction: the most records alive at once
is the same small number for a history of 200 fills and for one of 2,000, and the results
are those of the plain fakes. No timing and no memory bound: CPython frees a record when
its last reference goes, so the count is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Self

import attrs
import pytest

from gal_friday.domain import Order, build_trades
from gal_friday.domain.candles import Candle
from gal_friday.domain.fill import FillRecord
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.services.audit import audit
from gal_friday.services.equity import build_equity
from tests.factories import make_fill

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 20
LOT = Decimal("0.01")
FEE = Decimal("0.01")


class Alive:
    """How many counted records are alive now, and the most at once."""

    now = 0
    most = 0

    @classmethod
    def born(cls) -> None:
        cls.now += 1
        cls.most = max(cls.most, cls.now)

    @classmethod
    def reset(cls) -> None:
        cls.now = cls.most = 0


class CountedFill(FillRecord):
    def __init__(self, *_args: Any) -> None:
        Alive.born()

    def __del__(self) -> None:
        Alive.now -= 1


class CountedEntry(LedgerEntry):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        Alive.born()

    def __del__(self) -> None:
        Alive.now -= 1


class CountedExit(tuple):  # type: ignore[type-arg]
    def __init__(self, *_args: Any) -> None:
        Alive.born()

    def __del__(self) -> None:
        Alive.now -= 1


def _fill(record: FillRecord | None) -> FillRecord | None:
    return None if record is None else CountedFill(*record)


def _entry(entry: LedgerEntry) -> LedgerEntry:
    return CountedEntry(**attrs.asdict(entry, recurse=False))


class Guard:
    """A repository whose whole-history reads raise and whose streams count their records."""

    def __init__(self, inner: object, forbidden: set[str], counted: dict[str, Callable]) -> None:
        self._inner = inner
        self._forbidden = forbidden
        self._counted = counted

    def __getattr__(self, name: str) -> Any:
        if name in self._forbidden:
            raise RuntimeError(f"{name} reads the whole history into a list")
        method = getattr(self._inner, name)
        wrap = self._counted.get(name)
        if wrap is None:
            return method

        def streamed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            for item in method(*args, **kwargs):
                yield wrap(item)

        return streamed


class GuardedUnitOfWork(InMemoryUnitOfWork):
    """The in-memory unit of work behind :class:`Guard`s."""

    forbidden: ClassVar[dict[str, set[str]]] = {
        "fills": {"stream", "pairs", "get", "for_order"},
        "trades": {"all", "figures", "in_period", "by_pair", "open"},
        "ledger": {"trades", "fills_by_ids", "fill_keys_in_ledger"},
    }

    def __enter__(self) -> Self:
        super().__enter__()
        self.fills = Guard(  # type: ignore[assignment]
            self.fills,
            self.forbidden["fills"],
            {
                "stream_with_ledger_marks": lambda item: (_fill(item[0]), item[1]),
                "closed_exits": CountedExit,
            },
        )
        self.trades = Guard(self.trades, self.forbidden["trades"], {})  # type: ignore[assignment]
        self.ledger = Guard(  # type: ignore[assignment]
            self.ledger,
            self.forbidden["ledger"],
            {
                "stream": _entry,
                "stream_by_time": _entry,
                "trades_with_fills": lambda item: ([_entry(e) for e in item[0]], _fill(item[1])),
            },
        )
        return self


def history(uow: InMemoryUnitOfWork, count: int) -> None:
    """``count`` fills of BTC/USD over :data:`DAYS` days, buys and sells in turn, each a
    two-row ledger trade after a deposit, daily candles and the rebuilt trades."""
    step = timedelta(seconds=DAYS * 86400 // count)
    usd, btc = Decimal(100_000), Decimal(0)
    entries = [
        LedgerEntry("kraken", "D0", "RD0", T0, "deposit", "USD", usd, Decimal(0), usd),
    ]
    fills = []
    with uow:
        for n in range(count):
            side = "BUY" if n % 2 == 0 else "SELL"
            price = Decimal(40_000 + (n * 37) % 2_000)
            when = T0 + timedelta(hours=1) + n * step
            fill = make_fill(
                f"T{n:06d}",
                side=side,
                quantity_filled=LOT,
                fill_price=price,
                commission=FEE,
                filled_at=when,
            )
            order = Order(
                trading_pair="BTC/USD",
                exchange="kraken",
                side=side,
                order_type="MARKET",
                quantity_ordered=LOT,
                created_at=when,
            )
            order.apply_fill(fill)
            uow.orders.add(order)
            fills.append(fill)
            sign = 1 if side == "BUY" else -1
            btc += sign * LOT
            usd -= sign * LOT * price + FEE
            entries.append(
                LedgerEntry(
                    "kraken",
                    f"A{n}",
                    fill.fill_id,
                    when,
                    "trade",
                    "BTC",
                    sign * LOT,
                    Decimal(0),
                    btc,
                )
            )
            entries.append(
                LedgerEntry(
                    "kraken",
                    f"B{n}",
                    fill.fill_id,
                    when,
                    "trade",
                    "USD",
                    -sign * LOT * price,
                    FEE,
                    usd,
                )
            )
        uow.ledger.add_all(entries)
        uow.candles.insert(
            [
                Candle(
                    exchange="kraken",
                    trading_pair="BTC/USD",
                    interval_s=86400,
                    open_time=T0 + timedelta(days=day),
                    open=Decimal(41_000),
                    high=Decimal(42_000),
                    low=Decimal(40_000),
                    close=Decimal(40_000 + day * 50),
                    volume=Decimal(1),
                )
                for day in range(DAYS + 2)
            ]
        )
        uow.trades.add_all(build_trades(fills))
        uow.commit()


def _run(uow_factory: InMemoryUnitOfWork) -> tuple[object, object, object]:
    return (
        build_equity(uow_factory, currency="USD", start_capital=Decimal(1000)),
        build_equity(uow_factory, currency="USD"),
        audit(uow_factory),
    )


@pytest.fixture(scope="module")
def stores() -> dict[int, InMemoryUnitOfWork]:
    made = {}
    for count in (200, 2_000):
        uow = InMemoryUnitOfWork()
        history(uow, count)
        made[count] = uow
    return made


def test_the_old_list_reads_are_refused_by_the_guard(stores):
    guarded = GuardedUnitOfWork(stores[200].store)
    with guarded as uow, pytest.raises(RuntimeError, match="whole history"):
        uow.trades.all()


@pytest.mark.parametrize("count", [200, 2_000])
def test_audit_and_equity_stream_and_give_the_plain_results(stores, count):
    plain = _run(stores[count])
    Alive.reset()
    streamed = _run(GuardedUnitOfWork(stores[count].store))
    assert Alive.most > 0  # the streams were read through the counting guard
    assert streamed == plain
    fills_mode, ledger_mode, found = streamed
    assert len(fills_mode.days) == DAYS + 2  # type: ignore[attr-defined]
    assert ledger_mode.source == "ledger"  # type: ignore[attr-defined]
    assert found.fills_checked == count and found.balanced  # type: ignore[attr-defined]


def test_records_alive_at_once_do_not_grow_with_the_history(stores):
    most = {}
    for count in (200, 2_000):
        Alive.reset()
        _run(GuardedUnitOfWork(stores[count].store))
        most[count] = Alive.most
        assert Alive.now == 0
    assert most[200] == most[2_000] <= 8
