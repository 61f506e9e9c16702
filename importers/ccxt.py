"""ccxt's unified trades (``fetch_my_trades`` output saved as JSON).

The file holds a list of trades, or an object ``{"exchange": NAME, "trades": [...]}``.
Each trade: ``id``, ``order`` (fills sharing it belong to one order; without it
the fill is its own order), ``timestamp`` (epoch milliseconds; else ``datetime``
ISO 8601 with an offset; when both are given they must agree to within a second;
a timestamp that reads as seconds or microseconds, or a time before 2009-01-03 or
more than a day ahead, is refused: see ``importers.common``), ``symbol``
(``BASE/QUOTE``; a derivatives symbol ``BASE/QUOTE:SETTLE``
is refused: only spot trades make sense here), ``side``, ``type``,
``takerOrMaker``, ``price``, ``amount``, ``cost``, ``fee {cost, currency}`` and
``fees[]``. Numbers are read straight into ``Decimal`` (never through float). The file
is parsed incrementally, one trade in memory at a time (docs/import-flow.md).

Derivatives: a symbol ``BASE/QUOTE:SETTLE`` (a perpetual or future, ``BTC/USDT:USDT``) is
not a spot trade. By default it is skipped and counted (:attr:`CcxtFillStream.skipped`,
the import summary's note); with ``derivatives="refuse"`` it stops the file, naming the
entry and its ``symbol``.

Commissions: the entries of ``fees`` (or ``fee`` when ``fees`` is absent) with a
non-zero cost, summed per currency. The fill's ``commission`` is the sum in the quote
asset when there is one, else in the base asset, else in the first currency
alphabetically; the sums in the other currencies are its ``extra_commissions``, each
valued like a commission in that asset (a third asset through ``--rates``, as a BNB fee).
No fee is a zero commission in the quote asset. A negative fee is a maker rebate, kept
with its sign. The exchange is the ``exchange``
argument, else the file's ``exchange`` field, else an error; it is normalised to ccxt's
id (``Kraken`` -> ``kraken``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from gal_friday.domain import Fill, LiquidityType, OrderType
from gal_friday.domain.construction import checked
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.values import EXTERNAL_ID_LENGTH, enum_value, shown, utc
from gal_friday.importers.common import (
    ORDER_TYPES,
    ByteSource,
    Source,
    checked_exchange,
    epoch_millis,
    plausible_time,
    side,
)
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.json_stream import Event, build_value, json_events, skip_value
from gal_friday.importers.pairs import checked_pair_map, normalize_asset, normalize_pair
from gal_friday.importers.records import ImportBatch, ImportedFill
from gal_friday.importers.streaming import FillStream, collect

FIELD_NAMES = {
    "fill_id": "id",
    "trading_pair": "symbol",
    "pair": "symbol",
    "filled_at": "timestamp",
    "datetime": "datetime",
    "side": "side",
    "quantity_filled": "amount",
    "fill_price": "price",
    "commission": "fee",
    "commission_asset": "fee",
    "extra_commissions": "fees",
    "liquidity_type": "takerOrMaker",
    "exchange": "exchange",
    "order_type": "type",
    "exchange_order_id": "order",
}


def _number(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, str)):
        raise InvalidValueError(field, f"{shown(value)} is not a number")
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise InvalidValueError(field, f"{shown(value)} is not a number") from None
    if not number.is_finite():
        raise InvalidValueError(field, f"{shown(value)} is not a finite number")
    return number


#: How far ``timestamp`` and ``datetime`` may differ (a datetime cut to whole seconds).
DATETIME_TOLERANCE = timedelta(seconds=1)


def _iso_time(text: object) -> datetime:
    if not isinstance(text, str):
        raise InvalidValueError("datetime", f"{shown(text)} is not an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValueError("datetime", f"{shown(text)} is not ISO 8601") from None
    if parsed.tzinfo is None:
        raise InvalidValueError("datetime", f"{shown(text)} has no timezone")
    return utc(parsed, "datetime")


def _time(trade: dict[str, Any]) -> datetime:
    """``timestamp`` (epoch ms), else ``datetime``; when both are given they must agree."""
    stamp, text = trade.get("timestamp"), trade.get("datetime")
    if stamp is None and text is None:
        raise InvalidValueError("filled_at", "has neither timestamp nor datetime")
    if stamp is None:
        return plausible_time(_iso_time(text), "datetime")
    when = epoch_millis(_number(stamp, "filled_at"), "filled_at")
    if text is not None:
        stated = _iso_time(text)
        if abs(stated - when) >= DATETIME_TOLERANCE:
            raise InvalidValueError(
                "datetime",
                f"{shown(text)} disagrees with timestamp {stamp} ({when.isoformat()})",
            )
    return when


def _fee_totals(trade: dict[str, Any]) -> dict[str, Decimal]:
    """The non-zero fees of ``trade`` summed per currency (``fees``, else ``fee``)."""
    fees = trade.get("fees")
    entries = fees if isinstance(fees, list) and fees else [trade.get("fee")]
    totals: dict[str, Decimal] = {}
    for entry in entries:
        if entry is None:
            continue
        if not isinstance(entry, dict):
            raise InvalidValueError(
                "commission", f"{shown(entry)} is not a {{cost, currency}} object"
            )
        cost = entry.get("cost")
        if cost is None:
            continue
        amount = _number(cost, "commission")
        if amount == 0:
            continue
        currency = entry.get("currency")
        if not isinstance(currency, str) or not currency.strip():
            raise InvalidValueError("commission", "a non-zero fee needs its currency")
        code = normalize_asset(currency)
        totals[code] = totals.get(code, Decimal(0)) + amount
    return {code: amount for code, amount in totals.items() if amount}


def _commission(
    trade: dict[str, Any], base: str, quote: str
) -> tuple[Decimal, str, dict[str, Decimal]]:
    """``(commission, its asset, the extra commissions)`` (see the module docstring)."""
    totals = _fee_totals(trade)
    if not totals:
        return Decimal(0), quote, {}
    main = quote if quote in totals else base if base in totals else min(totals)
    amount = totals.pop(main)
    return amount, main, dict(sorted(totals.items()))


def _order_type(trade: dict[str, Any]) -> OrderType:
    kind = trade.get("type")
    if kind is None:
        return OrderType.MARKET
    if not isinstance(kind, str) or kind.strip().lower() not in ORDER_TYPES:
        raise InvalidValueError("order_type", f"{shown(kind)} is not a known order type")
    return ORDER_TYPES[kind.strip().lower()]


def _identifier(value: Any, field: str) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        if value.adjusted() >= EXTERNAL_ID_LENGTH:  # never build a huge int to refuse it
            raise InvalidValueError(field, f"{shown(value)} is longer than {EXTERNAL_ID_LENGTH}")
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise InvalidValueError(field, f"{shown(value)} is not an id")


def _record(trade: Any, exchange: str, pair_map: Mapping[str, str]) -> ImportedFill:
    if not isinstance(trade, dict):
        raise InvalidValueError("trade", "is not an object")
    symbol = trade.get("symbol")
    if not isinstance(symbol, str):
        raise InvalidValueError("symbol", f"{shown(symbol)} is not a symbol")
    if is_derivative(symbol):
        raise InvalidValueError(
            "symbol",
            f"{shown(symbol)} is a derivatives contract, not a spot pair "
            "(--derivatives skip leaves such trades out)",
        )
    pair = normalize_pair(symbol, pair_map)
    base, _, quote = pair.partition("/")
    amount, asset, extra = _commission(trade, base, quote)
    maker = trade.get("takerOrMaker")
    fill_id = _identifier(trade.get("id"), "fill_id")
    order = trade.get("order")
    order_ref = fill_id if order is None else _identifier(order, "order")
    fill = checked(
        Fill,
        {
            "fill_id": fill_id,
            "trading_pair": pair,
            "exchange": exchange,
            "side": side(str(trade.get("side", "")), "side"),
            "quantity_filled": _number(trade.get("amount"), "quantity_filled"),
            "fill_price": _number(trade.get("price"), "fill_price"),
            "commission": amount,
            "commission_asset": asset,
            "extra_commissions": extra,
            "filled_at": _time(trade),
            "liquidity_type": None
            if maker is None
            else enum_value(LiquidityType, maker, "liquidity_type"),
            "exchange_order_id": order_ref,
        },
    )
    return ImportedFill(line=0, fill=fill, order_ref=order_ref, order_type=_order_type(trade))


#: What :func:`read_ccxt_trades` does with a derivatives symbol: leave it out, or stop.
DERIVATIVES = ("skip", "refuse")


def is_derivative(symbol: str) -> bool:
    """True for ccxt's derivatives symbols, ``BASE/QUOTE:SETTLE`` (``BTC/USDT:USDT``)."""
    return ":" in symbol


@attrs.define
class SkippedTrades:
    """The derivatives trades a ccxt file held and the import left out, by symbol."""

    by_symbol: dict[str, int] = attrs.Factory(dict)

    @property
    def count(self) -> int:
        """How many trades were skipped."""
        return sum(self.by_symbol.values())

    def note(self) -> str | None:
        """One sentence for the import summary (None when nothing was skipped)."""
        if not self.by_symbol:
            return None
        symbols = ", ".join(f"{symbol} ({n})" for symbol, n in sorted(self.by_symbol.items()))
        return (
            f"{self.count} derivatives trades skipped: {symbols}; only spot trades are "
            "imported (--derivatives refuse stops at the first instead)"
        )


@attrs.define
class CcxtFillStream(FillStream):
    """A ccxt file's fills; :attr:`skipped` fills up as the stream is read."""

    skipped: SkippedTrades = attrs.Factory(SkippedTrades)

    @property
    def notes(self) -> list[str]:
        """What the import summary should say about the file (read after the stream)."""
        note = self.skipped.note()
        return [note] if note else []


def read_ccxt_trades(
    source: Source,
    exchange: str | None = None,
    pair_map: Mapping[str, str] | None = None,
    derivatives: str = "skip",
) -> CcxtFillStream:
    """The fills of a ccxt trades file as a stream; the document's shape is checked now.

    The JSON is parsed incrementally (``ijson``, numbers as ``Decimal``), so memory does
    not grow with the file: only one trade is held at a time (docs/import-flow.md).
    ``pair_map`` maps symbols to ``BASE/QUOTE`` by hand (see ``importers.pairs``);
    ``derivatives`` is ``"skip"`` (count and leave out) or ``"refuse"`` (module docstring).
    """
    if derivatives not in DERIVATIVES:
        raise InvalidValueError("derivatives", f"{shown(derivatives)} is not skip or refuse")
    codes = checked_pair_map(pair_map)
    reader = ByteSource(source)
    try:
        events = json_events(reader)
        first = next(events, None)
        if first is not None and first[0] == "start_map":
            found, events = _top_level(reader.name, events)
            exchange = exchange or found
        elif first is None or first[0] != "start_array":
            raise ImportFormatError(reader.name, 'expected a list of trades or {"trades": [...]}')
        if not exchange:
            exchange = _exchange_after_trades(source) if first[0] == "start_map" else None
        if not exchange:
            raise ImportFormatError(
                reader.name, "the exchange is not in the file: give --exchange NAME"
            )
        exchange = checked_exchange(reader.name, exchange)
    except BaseException:
        reader.close()
        raise
    skipped = SkippedTrades() if derivatives == "skip" else None
    return CcxtFillStream(
        path=reader.name,
        records=_entries(reader.name, events, exchange, codes, skipped),
        source=reader,
        id_column="id",
        by_entry=True,
        skipped=skipped or SkippedTrades(),
    )


def _top_level(name: str, events: Iterator[Event]) -> tuple[str | None, Iterator[Event]]:
    """Walk the top-level object up to its ``trades`` array: the ``exchange`` seen on the
    way, and the events positioned at the first trade."""
    exchange: str | None = None
    for kind, value in events:
        if kind == "end_map":
            break
        if kind != "map_key":
            continue
        start = next(events, ("end_map", None))
        if value == "trades":
            if start[0] != "start_array":
                break
            return exchange, events
        if value == "exchange" and start[0] == "string":
            exchange = start[1]
        else:
            skip_value(events, start)
    raise ImportFormatError(name, 'expected a list of trades or {"trades": [...]}')


def _exchange_after_trades(source: Source) -> str | None:
    """The top-level ``exchange`` of a file whose ``trades`` come first (read again, only
    the top level kept); ``None`` for a stream that cannot be read twice."""
    if not isinstance(source, (str, Path)):
        return None
    reader = ByteSource(source)
    try:
        events = json_events(reader)
        next(events, None)
        for kind, value in events:
            if kind != "map_key":
                break
            start = next(events, ("end_map", None))
            if value == "exchange" and start[0] == "string":
                return str(start[1])
            skip_value(events, start)
        return None
    finally:
        reader.close()


def _entries(
    name: str,
    events: Iterator[Event],
    exchange: str,
    pair_map: Mapping[str, str],
    skipped: SkippedTrades | None,
) -> Iterator[ImportedFill]:
    """The file's fills; derivatives counted in ``skipped`` (None: refused)."""
    for number, event in enumerate(events, start=1):
        if event[0] == "end_array":
            return
        try:
            trade = build_value(name, events, event, number)
            symbol = trade.get("symbol") if isinstance(trade, dict) else None
            if skipped is not None and isinstance(symbol, str) and is_derivative(symbol):
                skipped.by_symbol[symbol] = skipped.by_symbol.get(symbol, 0) + 1
                continue
            record = _record(trade, exchange, pair_map)
        except InvalidValueError as exc:
            raise ImportFormatError(
                name, exc.problem, entry=number, column=FIELD_NAMES.get(exc.field, exc.field)
            ) from None
        yield ImportedFill(
            line=number, fill=record.fill, order_ref=record.order_ref, order_type=record.order_type
        )


def parse_ccxt_trades(
    source: Source,
    exchange: str | None = None,
    pair_map: Mapping[str, str] | None = None,
    derivatives: str = "skip",
) -> ImportBatch:
    """Every fill of a ccxt trades JSON file, validated (see the module docstring)."""
    return collect(read_ccxt_trades(source, exchange, pair_map, derivatives))
