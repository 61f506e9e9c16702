"""What an import may do to what is already stored (docs/import-flow.md, docs/ledgers.md).

* :func:`reexport_differences`: a fill id already stored may come again only with the
  same data; every field of :data:`COMPARED` that differs is named
  ("a re-export may not change a stored fill", :func:`changed_fill_problem`).
* :func:`ledger_may_decide`: once the exchange's ledger is imported it decides a fill's
  price and fees (:data:`LEDGER_FEE_FIELDS`: the ledger is the book of record), and for a
  fill built from it also its order (:data:`LEDGER_BUILT_FIELDS`); a ``trades.csv`` row may
  differ from such a fill there.
* :func:`check_same_order_type`: an order stored earlier grows only by fills of its own
  order type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gal_friday.domain.enums import OrderType
from gal_friday.domain.errors import DomainError
from gal_friday.domain.fill import Fill, StoredFill

#: What the exchange's ledger decides once it is imported (docs/ledgers.md): a fill reconciled
#: with the ledger carries the ledger's fees and its price (quote moved / base moved), and one
#: built from it also the ledger's refid as its order. A trades.csv row may differ from such a
#: fill there (the difference is listed and the trades.csv figures kept on the fill).
LEDGER_FEE_FIELDS = frozenset({"commission", "commission_asset", "fill_price"})
LEDGER_BUILT_FIELDS = LEDGER_FEE_FIELDS | {"exchange_order_id"}

#: The fields a re-export may not change, in the order a conflict names them.
COMPARED = (
    "trading_pair",
    "side",
    "quantity_filled",
    "fill_price",
    "commission",
    "commission_asset",
    "filled_at",
    "exchange_order_id",
)


def reexport_differences(fill: Fill, order_ref: str, stored: StoredFill) -> dict[str, str]:
    """``{field: "field X here, Y stored"}`` for every :data:`COMPARED` field in which ``fill``
    (of the file's order ``order_ref``) differs from the ``stored`` fill of the same id;
    empty when it is the same fill.

    docs/import-flow.md, "A re-export that changes a stored fill".
    """
    here: dict[str, Any] = {name: getattr(fill, name) for name in COMPARED}
    here["exchange_order_id"] = order_ref
    return {
        name: f"{name} {_shown(here[name])} here, {_shown(getattr(stored, name))} stored"
        for name in COMPARED
        if here[name] != getattr(stored, name)
    }


def changed_fill_problem(id_column: str, fill_id: str, differences: Mapping[str, str]) -> str:
    """Why a re-export that changes a stored fill is refused: the differences named."""
    return (
        f"{id_column} {fill_id!r} is already stored with other data "
        f"({'; '.join(differences.values())}); a re-export may not change a stored "
        "fill, nothing was imported"
    )


def ledger_may_decide(stored: StoredFill, differing: Iterable[str]) -> bool:
    """True when the exchange's ledger decides every one of the ``differing`` fields of
    ``stored``, provided the ledger holds its trade (docs/ledgers.md): a fill built from the
    ledger (its order is the ledger's refid, its own id) any of
    :data:`LEDGER_BUILT_FIELDS`, any other fill :data:`LEDGER_FEE_FIELDS`."""
    built = stored.exchange_order_id == stored.fill_id
    return set(differing) <= (LEDGER_BUILT_FIELDS if built else LEDGER_FEE_FIELDS)


def check_same_order_type(stored: OrderType, found: OrderType) -> None:
    """Refuse fills of a ``found`` order type for an order stored as ``stored``
    (docs/import-flow.md: an order split across exports grows by its own fills only)."""
    if found is not stored:
        raise DomainError(f"it is stored as a {stored} order, the file has {found} fills")


def _shown(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(getattr(value, "value", value))
