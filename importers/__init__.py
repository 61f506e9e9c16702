"""Exchange trade-history importers: files read as streams of validated domain fills."""

from collections.abc import Callable

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
from gal_friday.importers.kraken import parse_kraken_trades, read_kraken_trades
from gal_friday.importers.pairs import normalize_pair
from gal_friday.importers.records import ImportBatch, ImportedFill, OrderGroup, group_orders
from gal_friday.importers.streaming import FillStream, collect

Reader = Callable[..., FillStream]

#: ``--format`` name -> reader ``(source, exchange=...) -> FillStream`` (header checked,
#: rows read as the stream is consumed); :func:`collect` makes an :class:`ImportBatch`.
FORMATS: dict[str, Reader] = {
    "kraken-trades": read_kraken_trades,
    "ccxt-trades": read_ccxt_trades,
}

__all__ = [
    "COMMITTING",
    "FORMATS",
    "PHASES",
    "READING",
    "REBUILDING",
    "ByteSource",
    "FillStream",
    "ImportBatch",
    "ImportFormatError",
    "ImportedFill",
    "OrderGroup",
    "Progress",
    "Source",
    "collect",
    "group_orders",
    "normalize_pair",
    "parse_ccxt_trades",
    "parse_kraken_trades",
    "read_ccxt_trades",
    "read_kraken_trades",
]
