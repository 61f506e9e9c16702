"""PLACEHOLDER (C1: event correlation ids, payload encoding); the owner fills this in or it is removed before landing.

Revision ID: 0012_events_and_payloads
Revises: 0011_read_indexes
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0012_events_and_payloads"
down_revision: str | None = "0011_read_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
