"""Initial schema: every table, named constraint and index of Gal-Friday's data layer.

Runs on PostgreSQL and SQLite (batch mode). Money is NUMERIC(38, 18) on
PostgreSQL and a decimal string on SQLite; numeric CHECKs cast to NUMERIC so
they hold on both. At most one active configuration is enforced by the partial
unique index uq_configurations_single_active on both backends.

Revision ID: 0001
Revises:
Create Date: 2026-11-24 16:41:26.392835
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "configurations",
        sa.Column(
            "config_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("config_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "config_content",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint(
            "length(config_hash) = 64", name=op.f("ck_configurations_config_hash_sha256")
        ),
        sa.PrimaryKeyConstraint("config_pk", name=op.f("pk_configurations")),
        sa.UniqueConstraint("config_hash", name=op.f("uq_configurations_config_hash")),
    )
    with op.batch_alter_table("configurations", schema=None) as batch_op:
        batch_op.create_index(
            "uq_configurations_single_active",
            ["is_active"],
            unique=True,
            postgresql_where=sa.text("is_active"),
            sqlite_where=sa.text("is_active"),
        )

    op.create_table(
        "event_logs",
        sa.Column(
            "event_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column(
            "payload",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("event_pk", name=op.f("pk_event_logs")),
        sa.UniqueConstraint("event_id", name=op.f("uq_event_logs_event_id")),
    )
    with op.batch_alter_table("event_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_logs_event_type_occurred_at", ["event_type", "occurred_at"], unique=False
        )

    op.create_table(
        "logs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logger_name", sa.String(length=255), nullable=False),
        sa.Column("level_name", sa.String(length=16), nullable=False),
        sa.Column("level_no", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("pathname", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("lineno", sa.Integer(), nullable=True),
        sa.Column("func_name", sa.String(length=255), nullable=True),
        sa.Column(
            "context_json",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True), "postgresql"
            ),
            nullable=True,
        ),
        sa.Column("exception_text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logs")),
        sa.UniqueConstraint("record_id", name=op.f("uq_logs_record_id")),
    )
    with op.batch_alter_table("logs", schema=None) as batch_op:
        batch_op.create_index("ix_logs_level_no_timestamp", ["level_no", "timestamp"], unique=False)
        batch_op.create_index(
            "ix_logs_logger_name_timestamp", ["logger_name", "timestamp"], unique=False
        )
        batch_op.create_index("ix_logs_timestamp", ["timestamp"], unique=False)

    op.create_table(
        "portfolio_snapshots",
        sa.Column(
            "snapshot_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("snapshot_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "total_equity",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "available_balance",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column(
            "total_exposure_pct",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "daily_drawdown_pct",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "weekly_drawdown_pct",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "max_drawdown_pct",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "positions",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True), "postgresql"
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "CAST(daily_drawdown_pct AS NUMERIC) >= 0",
            name=op.f("ck_portfolio_snapshots_daily_drawdown_pct_not_negative"),
        ),
        sa.CheckConstraint(
            "CAST(max_drawdown_pct AS NUMERIC) >= 0",
            name=op.f("ck_portfolio_snapshots_max_drawdown_pct_not_negative"),
        ),
        sa.CheckConstraint(
            "CAST(total_equity AS NUMERIC) > 0",
            name=op.f("ck_portfolio_snapshots_total_equity_positive"),
        ),
        sa.CheckConstraint(
            "CAST(total_exposure_pct AS NUMERIC) >= 0",
            name=op.f("ck_portfolio_snapshots_total_exposure_pct_not_negative"),
        ),
        sa.CheckConstraint(
            "CAST(weekly_drawdown_pct AS NUMERIC) >= 0",
            name=op.f("ck_portfolio_snapshots_weekly_drawdown_pct_not_negative"),
        ),
        sa.PrimaryKeyConstraint("snapshot_pk", name=op.f("pk_portfolio_snapshots")),
    )
    with op.batch_alter_table("portfolio_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portfolio_snapshots_snapshot_timestamp", ["snapshot_timestamp"], unique=False
        )

    op.create_table(
        "signals",
        sa.Column("signal_id", sa.Uuid(), nullable=False),
        sa.Column("trading_pair", sa.String(length=32), nullable=False),
        sa.Column("exchange", sa.String(length=64), nullable=False),
        sa.Column("strategy_id", sa.String(length=128), nullable=False),
        sa.Column("side", sa.String(length=32), nullable=False),
        sa.Column("entry_type", sa.String(length=32), nullable=False),
        sa.Column(
            "proposed_entry_price",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "proposed_sl_price",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "proposed_tp_price",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=True,
        ),
        sa.Column("prediction_event_id", sa.Uuid(), nullable=True),
        sa.Column(
            "prediction_value",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True), "postgresql"
            ),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column(
            "risk_check_details",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True), "postgresql"
            ),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "entry_type IN ('LIMIT', 'MARKET')", name=op.f("ck_signals_entry_type_valid")
        ),
        sa.CheckConstraint("side IN ('BUY', 'SELL')", name=op.f("ck_signals_side_valid")),
        sa.CheckConstraint(
            "status IN ('PROPOSED', 'APPROVED', 'REJECTED_RISK', 'REJECTED_ERROR')",
            name=op.f("ck_signals_status_valid"),
        ),
        sa.CheckConstraint(
            "CAST(proposed_entry_price AS NUMERIC) > 0",
            name=op.f("ck_signals_proposed_entry_price_positive"),
        ),
        sa.CheckConstraint(
            "CAST(proposed_sl_price AS NUMERIC) > 0",
            name=op.f("ck_signals_proposed_sl_price_positive"),
        ),
        sa.CheckConstraint(
            "CAST(proposed_tp_price AS NUMERIC) > 0",
            name=op.f("ck_signals_proposed_tp_price_positive"),
        ),
        sa.PrimaryKeyConstraint("signal_id", name=op.f("pk_signals")),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index("ix_signals_status", ["status"], unique=False)
        batch_op.create_index("ix_signals_strategy_id", ["strategy_id"], unique=False)
        batch_op.create_index(
            "ix_signals_trading_pair_status", ["trading_pair", "status"], unique=False
        )

    op.create_table(
        "system_logs",
        sa.Column(
            "log_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("log_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_module", sa.String(length=255), nullable=False),
        sa.Column("log_level", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("trading_pair", sa.String(length=32), nullable=True),
        sa.Column("signal_id", sa.Uuid(), nullable=True),
        sa.Column("order_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("exception_type", sa.String(length=255), nullable=True),
        sa.Column("stack_trace", sa.Text(), nullable=True),
        sa.Column(
            "context",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True), "postgresql"
            ),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("log_pk", name=op.f("pk_system_logs")),
    )
    with op.batch_alter_table("system_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_system_logs_log_level_log_timestamp", ["log_level", "log_timestamp"], unique=False
        )
        batch_op.create_index("ix_system_logs_log_timestamp", ["log_timestamp"], unique=False)
        batch_op.create_index(
            "ix_system_logs_source_module_log_timestamp",
            ["source_module", "log_timestamp"],
            unique=False,
        )

    op.create_table(
        "orders",
        sa.Column(
            "order_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("client_order_id", sa.Uuid(), nullable=False),
        sa.Column("exchange_order_id", sa.String(length=128), nullable=True),
        sa.Column("signal_id", sa.Uuid(), nullable=True),
        sa.Column("trading_pair", sa.String(length=32), nullable=False),
        sa.Column("exchange", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=32), nullable=False),
        sa.Column("order_type", sa.String(length=32), nullable=False),
        sa.Column(
            "quantity_ordered",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "limit_price",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "stop_price",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "filled_quantity",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            server_default=sa.text("'0'"),
            nullable=False,
        ),
        sa.Column(
            "average_fill_price",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "order_type IN ('LIMIT', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT')",
            name=op.f("ck_orders_order_type_valid"),
        ),
        sa.CheckConstraint("side IN ('BUY', 'SELL')", name=op.f("ck_orders_side_valid")),
        sa.CheckConstraint(
            "status IN ('PENDING_SUBMIT', 'OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED')",
            name=op.f("ck_orders_status_valid"),
        ),
        sa.CheckConstraint(
            "CAST(average_fill_price AS NUMERIC) > 0",
            name=op.f("ck_orders_average_fill_price_positive"),
        ),
        sa.CheckConstraint(
            "CAST(filled_quantity AS NUMERIC) <= CAST(quantity_ordered AS NUMERIC)",
            name=op.f("ck_orders_not_overfilled"),
        ),
        sa.CheckConstraint(
            "CAST(filled_quantity AS NUMERIC) >= 0",
            name=op.f("ck_orders_filled_quantity_not_negative"),
        ),
        sa.CheckConstraint(
            "CAST(limit_price AS NUMERIC) > 0", name=op.f("ck_orders_limit_price_positive")
        ),
        sa.CheckConstraint(
            "CAST(quantity_ordered AS NUMERIC) > 0",
            name=op.f("ck_orders_quantity_ordered_positive"),
        ),
        sa.CheckConstraint(
            "CAST(stop_price AS NUMERIC) > 0", name=op.f("ck_orders_stop_price_positive")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_orders_version_positive")),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signals.signal_id"],
            name=op.f("fk_orders_signal_id_signals"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("order_pk", name=op.f("pk_orders")),
        sa.UniqueConstraint("client_order_id", name=op.f("uq_orders_client_order_id")),
        sa.UniqueConstraint(
            "exchange_order_id", "exchange", name=op.f("uq_orders_exchange_order_id_exchange")
        ),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_signal_id", ["signal_id"], unique=False)
        batch_op.create_index(
            "ix_orders_status_trading_pair", ["status", "trading_pair"], unique=False
        )

    op.create_table(
        "fills",
        sa.Column(
            "fill_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("fill_id", sa.String(length=128), nullable=False),
        sa.Column("order_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("exchange_order_id", sa.String(length=128), nullable=True),
        sa.Column("trading_pair", sa.String(length=32), nullable=False),
        sa.Column("exchange", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=32), nullable=False),
        sa.Column(
            "quantity_filled",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "fill_price",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "commission",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column("commission_asset", sa.String(length=16), nullable=False),
        sa.Column("liquidity_type", sa.String(length=32), nullable=True),
        sa.Column("filled_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "liquidity_type IN ('MAKER', 'TAKER')", name=op.f("ck_fills_liquidity_type_valid")
        ),
        sa.CheckConstraint("side IN ('BUY', 'SELL')", name=op.f("ck_fills_side_valid")),
        sa.CheckConstraint(
            "CAST(commission AS NUMERIC) >= 0", name=op.f("ck_fills_commission_not_negative")
        ),
        sa.CheckConstraint(
            "CAST(fill_price AS NUMERIC) > 0", name=op.f("ck_fills_fill_price_positive")
        ),
        sa.CheckConstraint(
            "CAST(quantity_filled AS NUMERIC) > 0", name=op.f("ck_fills_quantity_filled_positive")
        ),
        sa.ForeignKeyConstraint(
            ["order_pk"],
            ["orders.order_pk"],
            name=op.f("fk_fills_order_pk_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("fill_pk", name=op.f("pk_fills")),
        sa.UniqueConstraint("exchange", "fill_id", name=op.f("uq_fills_exchange_fill_id")),
    )
    with op.batch_alter_table("fills", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fills_exchange_trading_pair_filled_at",
            ["exchange", "trading_pair", "filled_at"],
            unique=False,
        )
        batch_op.create_index("ix_fills_order_pk", ["order_pk"], unique=False)

    op.create_table(
        "trades",
        sa.Column(
            "trade_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("trade_id", sa.Uuid(), nullable=False),
        sa.Column("signal_id", sa.Uuid(), nullable=True),
        sa.Column("trading_pair", sa.String(length=32), nullable=False),
        sa.Column("exchange", sa.String(length=64), nullable=False),
        sa.Column("strategy_id", sa.String(length=128), nullable=True),
        sa.Column("side", sa.String(length=32), nullable=False),
        sa.Column("grouping", sa.String(length=32), server_default="FLAT_TO_FLAT", nullable=False),
        sa.Column(
            "entry_order_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "exit_order_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("entry_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exit_timestamp", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "quantity",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "entry_cash",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "open_quantity",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            server_default=sa.text("'0'"),
            nullable=False,
        ),
        sa.Column(
            "average_entry_price",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "average_exit_price",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "total_commission",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "realized_pnl",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "realized_pnl_pct",
            sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
            nullable=True,
        ),
        sa.Column("exit_reason", sa.String(length=128), nullable=True),
        sa.CheckConstraint(
            "grouping IN ('FLAT_TO_FLAT', 'FIFO', 'LIFO')", name=op.f("ck_trades_grouping_valid")
        ),
        sa.CheckConstraint("side IN ('LONG', 'SHORT')", name=op.f("ck_trades_side_valid")),
        sa.CheckConstraint(
            "CAST(average_entry_price AS NUMERIC) > 0",
            name=op.f("ck_trades_average_entry_price_positive"),
        ),
        sa.CheckConstraint(
            "CAST(average_exit_price AS NUMERIC) > 0",
            name=op.f("ck_trades_average_exit_price_positive"),
        ),
        sa.CheckConstraint(
            "CAST(open_quantity AS NUMERIC) >= 0", name=op.f("ck_trades_open_quantity_not_negative")
        ),
        sa.CheckConstraint(
            "CAST(quantity AS NUMERIC) > 0", name=op.f("ck_trades_quantity_positive")
        ),
        sa.CheckConstraint(
            "CAST(total_commission AS NUMERIC) >= 0",
            name=op.f("ck_trades_total_commission_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_order_pk"],
            ["orders.order_pk"],
            name=op.f("fk_trades_entry_order_pk_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["exit_order_pk"],
            ["orders.order_pk"],
            name=op.f("fk_trades_exit_order_pk_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signals.signal_id"],
            name=op.f("fk_trades_signal_id_signals"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("trade_pk", name=op.f("pk_trades")),
        sa.UniqueConstraint("trade_id", name=op.f("uq_trades_trade_id")),
    )
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trades_exchange_trading_pair", ["exchange", "trading_pair"], unique=False
        )
        batch_op.create_index("ix_trades_exit_timestamp", ["exit_timestamp"], unique=False)
        batch_op.create_index("ix_trades_strategy_id", ["strategy_id"], unique=False)
        batch_op.create_index(
            "ix_trades_trading_pair_entry_timestamp",
            ["trading_pair", "entry_timestamp"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.drop_index("ix_trades_trading_pair_entry_timestamp")
        batch_op.drop_index("ix_trades_strategy_id")
        batch_op.drop_index("ix_trades_exit_timestamp")
        batch_op.drop_index("ix_trades_exchange_trading_pair")

    op.drop_table("trades")
    with op.batch_alter_table("fills", schema=None) as batch_op:
        batch_op.drop_index("ix_fills_order_pk")
        batch_op.drop_index("ix_fills_exchange_trading_pair_filled_at")

    op.drop_table("fills")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status_trading_pair")
        batch_op.drop_index("ix_orders_signal_id")

    op.drop_table("orders")
    with op.batch_alter_table("system_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_system_logs_source_module_log_timestamp")
        batch_op.drop_index("ix_system_logs_log_timestamp")
        batch_op.drop_index("ix_system_logs_log_level_log_timestamp")

    op.drop_table("system_logs")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index("ix_signals_trading_pair_status")
        batch_op.drop_index("ix_signals_strategy_id")
        batch_op.drop_index("ix_signals_status")

    op.drop_table("signals")
    with op.batch_alter_table("portfolio_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_snapshots_snapshot_timestamp")

    op.drop_table("portfolio_snapshots")
    with op.batch_alter_table("logs", schema=None) as batch_op:
        batch_op.drop_index("ix_logs_timestamp")
        batch_op.drop_index("ix_logs_logger_name_timestamp")
        batch_op.drop_index("ix_logs_level_no_timestamp")

    op.drop_table("logs")
    with op.batch_alter_table("event_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_event_logs_event_type_occurred_at")

    op.drop_table("event_logs")
    with op.batch_alter_table("configurations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_configurations_single_active",
            postgresql_where=sa.text("is_active"),
            sqlite_where=sa.text("is_active"),
        )

    op.drop_table("configurations")
