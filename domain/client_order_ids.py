"""Gal-Friday's own order ids (``client_order_id``): text, as Kraken takes them as ``cl_ord_id``.

Rules (docs/orders.md, "Client order ids"):

* a ``uuid.UUID`` becomes its canonical text (36 characters, lower case, with hyphens), the
  form every id stored before revision ``0013_order_history`` was converted to;
* a string is kept exactly as written (ids are case-sensitive; a UUID given as text is not
  re-spelled): 1 to :data:`CLIENT_ORDER_ID_LENGTH` printable ASCII characters, no space;
* anything else is refused with :class:`~gal_friday.domain.errors.InvalidValueError` naming
  the field.
"""

from __future__ import annotations

import re
import uuid

from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.values import shown

#: The longest id stored: Kraken's longest ``cl_ord_id`` form, a hyphenated UUID (the column's
#: width too).
CLIENT_ORDER_ID_LENGTH = 36
_PRINTABLE = re.compile(r"[\x21-\x7e]+")


def client_order_id(value: object, field: str = "client_order_id") -> str:
    """``value`` as a stored client order id (module docstring)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise InvalidValueError(field, f"{shown(value)} is not a string or a UUID")
    if not value:
        raise InvalidValueError(field, "must be a non-empty string")
    if len(value) > CLIENT_ORDER_ID_LENGTH:
        raise InvalidValueError(
            field,
            f"{shown(value)} is longer than {CLIENT_ORDER_ID_LENGTH} characters ({len(value)})",
        )
    if not _PRINTABLE.fullmatch(value):
        raise InvalidValueError(
            field, f"{shown(value)} may hold only printable ASCII characters, no spaces"
        )
    return value


def new_client_order_id() -> str:
    """A fresh id: the canonical text of a random UUID."""
    return str(uuid.uuid4())
