"""Import a candle file: one file, one transaction, re-imports change nothing (docs/analytics.md).

The file is read a batch at a time (memory stays flat). For each batch the stored
candles of the same keys are read: an identical candle is left alone, a candle with
the same key and different figures is refused naming its line, and the new ones are
inserted. Any error rolls the whole file back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs

from gal_friday.domain.candles import Candle, interval_code, parse_interval
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.values import exchange_id
from gal_friday.importers import PRICE_FORMATS
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.ohlcv import Located, Location, kraken_file_name
from gal_friday.importers.pairs import normalize_pair
from gal_friday.services.ports import CandleRepositoryProtocol, UnitOfWorkFactory

FORMATS = tuple(PRICE_FORMATS)
BATCH = 2000


@attrs.frozen
class PricesSummary:
    """What a candle import did."""

    path: str
    exchange: str
    trading_pair: str
    interval_s: int
    candles_in_file: int
    candles_added: int
    candles_already_stored: int

    @property
    def interval(self) -> str:
        """The interval as a code (``1d``)."""
        return interval_code(self.interval_s)


def resolve_series(
    path: str | Path, fmt: str, pair: str | None, interval: str | None
) -> tuple[str, int]:
    """The pair and interval of a file: from the options, else from a Kraken file name.

    A Kraken file name that names another pair or interval than the option is an error.
    """
    name = str(path)
    if fmt not in FORMATS:
        raise ImportFormatError(name, f"unknown format {fmt!r}; use one of {list(FORMATS)}")
    try:
        given_pair = normalize_pair(pair) if pair else None
    except InvalidValueError:
        raise ImportFormatError(name, f"--pair {pair!r}: give the pair as BASE/QUOTE") from None
    try:
        given_interval = parse_interval(interval, "--interval") if interval else None
        from_name = kraken_file_name(path) if fmt == "kraken-ohlcvt" else None
    except InvalidValueError as exc:
        raise ImportFormatError(name, str(exc)) from None
    if from_name is not None:
        named_pair, named_interval = from_name
        if given_pair is not None and given_pair != named_pair:
            raise ImportFormatError(
                name, f"--pair {given_pair} but the file name is of {named_pair}"
            )
        if given_interval is not None and given_interval != named_interval:
            raise ImportFormatError(
                name,
                f"--interval {interval_code(given_interval)} but the file name is of "
                f"{interval_code(named_interval)} candles",
            )
        return named_pair, named_interval
    if given_pair is None or given_interval is None:
        missing = " and ".join(
            option
            for option, value in (("--pair", given_pair), ("--interval", given_interval))
            if value is None
        )
        raise ImportFormatError(
            name, f"give {missing} (only a Kraken file name like XBTUSD_1440.csv carries them)"
        )
    return given_pair, given_interval


def read_candles(
    path: str | Path, fmt: str, trading_pair: str, interval_s: int, exchange: str
) -> Iterator[Located]:
    """The candles of a file in the named format, with where each was read."""
    return PRICE_FORMATS[fmt](
        path, trading_pair=trading_pair, interval_s=interval_s, exchange=exchange
    )


def _batches(candles: Iterator[Located]) -> Iterator[list[Located]]:
    batch: list[Located] = []
    for item in candles:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _conflict(where: Location, stored: Candle, new: Candle) -> ImportFormatError:
    return ImportFormatError(
        where.path,
        f"the candle of {new.trading_pair} opened at {new.open_time.isoformat()} is already "
        f"stored with other figures (close {stored.close}, here {new.close}); "
        "a stored candle is never overwritten",
        line=where.line,
        entry=where.entry,
    )


def store_candles(
    repository: CandleRepositoryProtocol, candles: Iterator[Located]
) -> tuple[int, int, int]:
    """Insert the new candles; ``(read, added, already stored)``. Raises on a changed candle.

    A step of :func:`import_prices`; runs in the caller's unit of work, which commits.
    """
    read = added = unchanged = 0
    for batch in _batches(candles):
        first = batch[0][1]
        times = [candle.open_time for _, candle in batch]
        stored = repository.stored_between(
            first.exchange, first.trading_pair, first.interval_s, min(times), max(times)
        )
        new: list[Candle] = []
        for where, candle in batch:
            read += 1
            known = stored.get(candle.open_time)
            if known is None:
                stored[candle.open_time] = candle
                new.append(candle)
            elif known.same_values(candle):
                unchanged += 1
            else:
                raise _conflict(where, known, candle)
        repository.insert(new)
        repository.flush()
        added += len(new)
    return read, added, unchanged


def import_prices(
    uow_factory: UnitOfWorkFactory,
    path: str | Path,
    fmt: str,
    *,
    pair: str | None = None,
    interval: str | None = None,
    exchange: str = "kraken",
) -> PricesSummary:
    """Read, check and store one candle file in one transaction (see the module docstring)."""
    trading_pair, interval_s = resolve_series(path, fmt, pair, interval)
    try:
        exchange = exchange_id(exchange, "exchange")
    except InvalidValueError as exc:
        raise ImportFormatError(str(path), str(exc)) from None
    with uow_factory() as uow:
        read, added, unchanged = store_candles(
            uow.candles, read_candles(path, fmt, trading_pair, interval_s, exchange)
        )
        uow.commit()
    return PricesSummary(
        path=str(path),
        exchange=exchange,
        trading_pair=trading_pair,
        interval_s=interval_s,
        candles_in_file=read,
        candles_added=added,
        candles_already_stored=unchanged,
    )
