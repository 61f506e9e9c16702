"""PLACEHOLDER (B2: incremental live trades); the owner fills this in or it is removed before landing.

Revision ID: 0010_live_trade_figures
Revises: 0009_trade_attribution
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0010_live_trade_figures"
down_revision: str | None = "0009_trade_attribution"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
