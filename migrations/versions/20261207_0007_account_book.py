"""PLACEHOLDER (A1: ledger as book of record (fills: multi-asset commissions, trades.csv reference figures, margin)); the owner fills this in or it is removed before landing.

Revision ID: 0007_account_book
Revises: 0006_order_aggregates_repair
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0007_account_book"
down_revision: str | None = "0006_order_aggregates_repair"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
