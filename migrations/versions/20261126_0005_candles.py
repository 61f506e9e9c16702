"""Candles: price history (OHLCV) per exchange, pair and interval (docs/analytics.md).

One row per candle, unique on (exchange, trading_pair, interval_s, open_time); prices
and volume are Money (NUMERIC(38, 18) on PostgreSQL, a decimal string on SQLite).

Revision ID: 0005_candles
Revises: 0004_ledger_entries
Create Date: 2026-11-26 05:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_candles"
down_revision: str | None = "0004_ledger_entries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _money(name: str) -> sa.Column[object]:
    return sa.Column(
        name,
        sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
        nullable=False,
    )


def _positive(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"CAST({column} AS NUMERIC) > 0", name=op.f(f"ck_candles_{column}_positive")
    )


def upgrade() -> None:
    op.create_table(
        "candles",
        sa.Column(
            "candle_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("exchange", sa.String(length=64), nullable=False),
        sa.Column("trading_pair", sa.String(length=32), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("open_time", sa.DateTime(timezone=True), nullable=False),
        _money("open"),
        _money("high"),
        _money("low"),
        _money("close"),
        _money("volume"),
        sa.Column("trade_count", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("interval_s > 0", name=op.f("ck_candles_interval_s_positive")),
        _positive("open"),
        _positive("high"),
        _positive("low"),
        _positive("close"),
        sa.CheckConstraint(
            "CAST(volume AS NUMERIC) >= 0", name=op.f("ck_candles_volume_not_negative")
        ),
        sa.CheckConstraint("trade_count >= 0", name=op.f("ck_candles_trade_count_not_negative")),
        sa.PrimaryKeyConstraint("candle_pk", name=op.f("pk_candles")),
        sa.UniqueConstraint(
            "exchange",
            "trading_pair",
            "interval_s",
            "open_time",
            name=op.f("uq_candles_exchange_trading_pair_interval_s_open_time"),
        ),
    )


def downgrade() -> None:
    op.drop_table("candles")
