"""Exchange trade-history importers: parse and validate a whole file into domain fills."""

from collections.abc import Callable

from gal_friday.importers.ccxt import parse_ccxt_trades
from gal_friday.importers.common import Progress, Source
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.kraken import parse_kraken_trades
from gal_friday.importers.kraken_ledgers import LedgerBatch, parse_kraken_ledgers
from gal_friday.importers.pairs import normalize_pair
from gal_friday.importers.records import ImportBatch, ImportedFill, OrderGroup, group_orders

Parser = Callable[..., ImportBatch]

#: ``--format`` name -> parser ``(source, exchange=..., progress=...) -> ImportBatch``.
FORMATS: dict[str, Parser] = {
    "kraken-trades": parse_kraken_trades,
    "ccxt-trades": parse_ccxt_trades,
}

#: ``--format`` name -> ledger parser ``(source, exchange=..., progress=...) -> LedgerBatch``
#: (stored by ``services.ledger_import``, not as fills).
LEDGER_FORMATS: dict[str, Callable[..., LedgerBatch]] = {
    "kraken-ledgers": parse_kraken_ledgers,
}

__all__ = [
    "FORMATS",
    "LEDGER_FORMATS",
    "ImportBatch",
    "ImportFormatError",
    "ImportedFill",
    "LedgerBatch",
    "OrderGroup",
    "Progress",
    "Source",
    "group_orders",
    "normalize_pair",
    "parse_ccxt_trades",
    "parse_kraken_ledgers",
    "parse_kraken_trades",
]
