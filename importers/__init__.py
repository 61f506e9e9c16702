"""Exchange trade-history importers: files read as streams of validated domain fills."""

from collections.abc import Callable, Iterator

from gal_friday.importers.ccxt import parse_ccxt_trades, read_ccxt_trades
from gal_friday.importers.common import (
    COMMITTING,
    PHASES,
    READING,
    REBUILDING,
    ByteSource,
    Progress,
    Source,
)
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.hints import with_format_hint
from gal_friday.importers.kraken import parse_kraken_trades, read_kraken_trades
from gal_friday.importers.kraken_ledgers import LedgerBatch, parse_kraken_ledgers
from gal_friday.importers.ohlcv import Located, parse_ccxt_ohlcv, parse_kraken_ohlcvt
from gal_friday.importers.pairs import normalize_pair, parse_pair_map
from gal_friday.importers.records import ImportBatch, ImportedFill, OrderGroup, group_orders
from gal_friday.importers.streaming import FillStream, collect

Reader = Callable[..., FillStream]

#: ``--format`` name -> reader ``(source, exchange=..., pair_map=...) -> FillStream``
#: (header checked, rows read as the stream is consumed; an error on a file of the other
#: kind hints at its format); :func:`collect` makes an :class:`ImportBatch`.
FORMATS: dict[str, Reader] = {
    "kraken-trades": with_format_hint(read_kraken_trades, "csv"),
    "ccxt-trades": with_format_hint(read_ccxt_trades, "json"),
}

#: ``--format`` name -> ledger parser ``(source, exchange=..., progress=...) -> LedgerBatch``
#: (stored by ``services.ledger_import``, not as fills).
LEDGER_FORMATS: dict[str, Callable[..., LedgerBatch]] = {
    "kraken-ledgers": parse_kraken_ledgers,
}

#: Candle (price) formats: ``--format`` name -> parser ``(source, trading_pair=...,
#: interval_s=..., exchange=...) -> Iterator[Located]`` (docs/analytics.md).
PRICE_FORMATS: dict[str, Callable[..., Iterator[Located]]] = {
    "kraken-ohlcvt": parse_kraken_ohlcvt,
    "ccxt-ohlcv": parse_ccxt_ohlcv,
}

__all__ = [
    "COMMITTING",
    "FORMATS",
    "LEDGER_FORMATS",
    "PHASES",
    "PRICE_FORMATS",
    "READING",
    "REBUILDING",
    "ByteSource",
    "FillStream",
    "ImportBatch",
    "ImportFormatError",
    "ImportedFill",
    "LedgerBatch",
    "OrderGroup",
    "Progress",
    "Source",
    "collect",
    "group_orders",
    "normalize_pair",
    "parse_ccxt_ohlcv",
    "parse_ccxt_trades",
    "parse_kraken_ledgers",
    "parse_kraken_ohlcvt",
    "parse_kraken_trades",
    "parse_pair_map",
    "read_ccxt_trades",
    "read_kraken_trades",
]
