"""PLACEHOLDER (A2: ledger row kinds, wallets, income); the owner fills this in or it is removed before landing.

Revision ID: 0008_ledger_kinds
Revises: 0007_account_book
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0008_ledger_kinds"
down_revision: str | None = "0007_account_book"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
