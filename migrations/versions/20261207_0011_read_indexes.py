"""PLACEHOLDER (B3: indexes for positions, risk figures and paged history); the owner fills this in or it is removed before landing.

Revision ID: 0011_read_indexes
Revises: 0010_live_trade_figures
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0011_read_indexes"
down_revision: str | None = "0010_live_trade_figures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
