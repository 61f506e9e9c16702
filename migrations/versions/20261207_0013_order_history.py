"""PLACEHOLDER (C2: order status history, Kraken order states, string client order ids); the owner fills this in or it is removed before landing.

Revision ID: 0013_order_history
Revises: 0012_events_and_payloads
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0013_order_history"
down_revision: str | None = "0012_events_and_payloads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
