"""The one shape of a ``fills`` row: its columns and a fill's values for them.

Every writer of the ``fills`` table (the bulk path, the live path's statements) takes
the columns and values from here: the column names are the ``Fill`` attribute names.
"""

from __future__ import annotations

import operator
from typing import Any

from gal_friday.domain import Fill
from gal_friday.persistence.tables import definitions as t

#: The columns a fill is written to (all but the key the database gives), in table order.
FILL_COLUMNS: tuple[str, ...] = tuple(c.name for c in t.fills.columns if c.name != "fill_pk")
_from_dict = operator.itemgetter(*FILL_COLUMNS)
_from_attributes = operator.attrgetter(*FILL_COLUMNS)


def fill_row(fill: Fill) -> tuple[Any, ...]:
    """``fill``'s values in :data:`FILL_COLUMNS` order, read from its ``__dict__`` when they
    are all there (attribute access on a mapped class is a Python call per read)."""
    try:
        return _from_dict(fill.__dict__)  # type: ignore[no-any-return]
    except KeyError:  # not loaded yet: let the object load it
        return _from_attributes(fill)


def fill_dict(fill: Fill) -> dict[str, Any]:
    """``fill``'s row as a dict keyed by :data:`FILL_COLUMNS` (Core's executemany form)."""
    return dict(zip(FILL_COLUMNS, fill_row(fill), strict=True))
