"""How autogenerate writes our column types into migration files (plain SQLAlchemy types).

Migrations must not import application types: a revision has to keep working
after the application's types change. Each type is rendered as the DDL it
produces on both backends.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.types import JSON

from gal_friday.persistence.tables.client_order_ids import ClientOrderIdText
from gal_friday.persistence.tables.types import (
    SQLITE_MONEY_LENGTH,
    DecimalMap,
    EnumText,
    ExactDecimal,
    JSONValue,
    Money,
    UTCDateTime,
)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Alembic's ``render_item`` hook."""
    if type_ != "type":
        return False
    if isinstance(obj, Money):
        return (
            "sa.Numeric(precision=38, scale=18)"
            f'.with_variant(sa.String(length={SQLITE_MONEY_LENGTH}), "sqlite")'
        )
    if isinstance(obj, ExactDecimal):
        return 'sa.Numeric().with_variant(sa.String(), "sqlite")'
    if isinstance(obj, DecimalMap):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, (EnumText, ClientOrderIdText)):
        return f"sa.String(length={obj.impl.length})"
    if isinstance(obj, (JSON, JSONValue)):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return (
            "sa.JSON(none_as_null=True)"
            '.with_variant(postgresql.JSONB(none_as_null=True), "postgresql")'
        )
    return False
