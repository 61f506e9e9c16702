"""The column type of ``orders.client_order_id``: text, a ``uuid.UUID`` bound as its canonical text.

The domain holds client order ids as text (:mod:`gal_friday.domain.client_order_ids`); this
type also takes a ``uuid.UUID`` from code that binds one directly (a Core statement, a
benchmark's rows) and stores the same text the domain would. Values read back are ``str``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from gal_friday.domain.client_order_ids import CLIENT_ORDER_ID_LENGTH


class ClientOrderIdText(TypeDecorator[str]):
    """``VARCHAR(36)``; a bound ``uuid.UUID`` becomes its canonical text."""

    impl = String(CLIENT_ORDER_ID_LENGTH)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return str(value) if isinstance(value, uuid.UUID) else value
