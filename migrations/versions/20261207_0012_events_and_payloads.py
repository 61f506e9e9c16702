"""Events found by correlation id: ``event_logs.correlation_id`` and its index.

A signal id, an order id or any id the caller gives when appending an event
(``docs/events.md``); NULL for the events stored before. The payload encoding
(``docs/payloads.md``) changes no column: it decides what is written into them.

Revision ID: 0012_events_and_payloads
Revises: 0011_read_indexes
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_events_and_payloads"
down_revision: str | None = "0011_read_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_event_logs_correlation_id_occurred_at"


def upgrade() -> None:
    """Add the nullable column (no rewrite of the table) and its index."""
    with op.batch_alter_table("event_logs") as batch:
        batch.add_column(sa.Column("correlation_id", sa.String(length=128), nullable=True))
    op.create_index(INDEX, "event_logs", ["correlation_id", "occurred_at"])


def downgrade() -> None:
    """Drop the index and the column (the correlation ids are lost)."""
    op.drop_index(INDEX, table_name="event_logs")
    with op.batch_alter_table("event_logs") as batch:
        batch.drop_column("correlation_id")
