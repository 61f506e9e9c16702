"""PLACEHOLDER (B1: order reason/strategy, trade attribution, order status history, string client order ids); the owner fills this in or it is removed before landing.

Revision ID: 0009_trade_attribution
Revises: 0008_ledger_kinds
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0009_trade_attribution"
down_revision: str | None = "0008_ledger_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
