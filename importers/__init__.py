"""Exchange trade-history importers: parse and validate a whole file into domain fills."""

from collections.abc import Callable, Iterator

from gal_friday.importers.ccxt import parse_ccxt_trades
from gal_friday.importers.common import Progress, Source
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.hints import with_format_hint
from gal_friday.importers.kraken import parse_kraken_trades
from gal_friday.importers.kraken_ledgers import LedgerBatch, parse_kraken_ledgers
from gal_friday.importers.ohlcv import Located, parse_ccxt_ohlcv, parse_kraken_ohlcvt
from gal_friday.importers.pairs import normalize_pair, parse_pair_map
from gal_friday.importers.records import ImportBatch, ImportedFill, OrderGroup, group_orders

Parser = Callable[..., ImportBatch]

#: ``--format`` name -> parser ``(source, exchange=..., progress=..., pair_map=...)
#: -> ImportBatch``; an error on a file of the other kind hints at its format.
FORMATS: dict[str, Parser] = {
    "kraken-trades": with_format_hint(parse_kraken_trades, "csv"),
    "ccxt-trades": with_format_hint(parse_ccxt_trades, "json"),
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
    "FORMATS",
    "LEDGER_FORMATS",
    "PRICE_FORMATS",
    "ImportBatch",
    "ImportFormatError",
    "ImportedFill",
    "LedgerBatch",
    "OrderGroup",
    "Progress",
    "Source",
    "group_orders",
    "normalize_pair",
    "parse_ccxt_ohlcv",
    "parse_ccxt_trades",
    "parse_kraken_ledgers",
    "parse_kraken_ohlcvt",
    "parse_kraken_trades",
    "parse_pair_map",
]
