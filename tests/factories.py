"""Small builders of valid domain objects for tests (override any field by keyword)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from gal_friday.domain import Fill, Order

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def at(minutes: float = 0) -> datetime:
    """``T0`` plus some minutes."""
    return T0 + timedelta(minutes=minutes)


def make_order(**overrides: Any) -> Order:
    """A LIMIT BUY of 1 BTC/USD on kraken at 100."""
    fields: dict[str, Any] = {
        "trading_pair": "BTC/USD",
        "exchange": "kraken",
        "side": "BUY",
        "order_type": "LIMIT",
        "quantity_ordered": Decimal("1"),
        "limit_price": Decimal("100"),
        "created_at": T0,
    }
    fields.update(overrides)
    return Order(**fields)


def make_fill(fill_id: str = "F1", **overrides: Any) -> Fill:
    """A BUY fill of 0.4 BTC/USD at 100 with a 0.1 USD fee."""
    fields: dict[str, Any] = {
        "fill_id": fill_id,
        "trading_pair": "BTC/USD",
        "exchange": "kraken",
        "side": "BUY",
        "quantity_filled": Decimal("0.4"),
        "fill_price": Decimal("100"),
        "commission": Decimal("0.1"),
        "commission_asset": "USD",
        "filled_at": at(1),
    }
    fields.update(overrides)
    return Fill(**fields)
