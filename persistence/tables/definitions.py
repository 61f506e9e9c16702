"""Every table of the schema on one ``MetaData``, with named constraints and indexes.

Column names are the attribute names of the domain classes. Money columns use
:class:`~gal_friday.persistence.tables.types.Money`; their numeric CHECKs cast to NUMERIC so that
they also hold on SQLite, where the value is stored as text. Foreign keys never
cascade deletes: history is not deleted through a parent.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)

from gal_friday.domain.enums import (
    LiquidityType,
    OrderStatus,
    OrderType,
    Side,
    SignalStatus,
    TradeGrouping,
    TradeSide,
)
from gal_friday.domain.fill import FillKind
from gal_friday.persistence.tables.client_order_ids import ClientOrderIdText
from gal_friday.persistence.tables.types import (
    BigIntPK,
    CanonicalJSON,
    DecimalMap,
    EnumText,
    ExactDecimal,
    JSONDocument,
    Money,
    UTCDateTime,
    enum_values,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Foreign-key column type matching :data:`~gal_friday.persistence.tables.types.BigIntPK`.
BigIntFK = BigInteger().with_variant(Integer(), "sqlite")

PAIR = 32
EXCHANGE = 64
EXTERNAL_ID = 128
ASSET = 16
NAME = 255


def _in(column: str, enum_class: type, name: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({enum_values(enum_class)})", name=name)


def _positive(column: str) -> CheckConstraint:
    return CheckConstraint(f"CAST({column} AS NUMERIC) > 0", name=f"{column}_positive")


def _not_negative(column: str) -> CheckConstraint:
    return CheckConstraint(f"CAST({column} AS NUMERIC) >= 0", name=f"{column}_not_negative")


signals = Table(
    "signals",
    metadata,
    Column("signal_id", Uuid, primary_key=True),
    Column("trading_pair", String(PAIR), nullable=False),
    Column("exchange", String(EXCHANGE), nullable=False),
    Column("strategy_id", String(EXTERNAL_ID), nullable=False),
    Column("side", EnumText(Side), nullable=False),
    Column("entry_type", EnumText(OrderType), nullable=False),
    Column("proposed_entry_price", Money),
    Column("proposed_sl_price", Money),
    Column("proposed_tp_price", Money),
    Column("prediction_event_id", Uuid),
    Column("prediction_value", JSONDocument),
    Column("status", EnumText(SignalStatus), nullable=False),
    Column("rejection_reason", Text),
    Column("risk_check_details", JSONDocument),
    Column("created_at", UTCDateTime, nullable=False),
    _in("side", Side, "side_valid"),
    CheckConstraint("entry_type IN ('LIMIT', 'MARKET')", name="entry_type_valid"),
    _in("status", SignalStatus, "status_valid"),
    _positive("proposed_entry_price"),
    _positive("proposed_sl_price"),
    _positive("proposed_tp_price"),
    Index("ix_signals_trading_pair_status", "trading_pair", "status"),
    Index("ix_signals_status", "status"),
    Index("ix_signals_strategy_id", "strategy_id"),
)

orders = Table(
    "orders",
    metadata,
    Column("order_pk", BigIntPK, primary_key=True, autoincrement=True),
    # text, as exchanges take it (docs/orders.md, "Client order ids"); was a UUID before 0013
    Column("client_order_id", ClientOrderIdText, nullable=False, unique=True),
    Column("exchange_order_id", String(EXTERNAL_ID)),
    Column("signal_id", Uuid, ForeignKey("signals.signal_id", ondelete="RESTRICT")),
    # Attribution (docs/attribution.md): the strategy that placed the order, and why.
    Column("strategy_id", String(EXTERNAL_ID)),
    Column("reason", String(EXTERNAL_ID)),
    Column("trading_pair", String(PAIR), nullable=False),
    Column("exchange", String(EXCHANGE), nullable=False),
    Column("side", EnumText(Side), nullable=False),
    Column("order_type", EnumText(OrderType), nullable=False),
    Column("quantity_ordered", Money, nullable=False),
    Column("limit_price", Money),
    Column("stop_price", Money),
    Column("status", EnumText(OrderStatus), nullable=False),
    Column("error_message", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("submitted_at", UTCDateTime),
    Column("last_updated_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Column("filled_quantity", Money, nullable=False, server_default=text("'0'")),
    Column("average_fill_price", Money),
    # What the rules need to apply a fill without reading the order's fills (docs/live-fills.md).
    Column("fill_notional", ExactDecimal, nullable=False, server_default=text("'0'")),
    Column("commissions", DecimalMap, nullable=False, server_default=text("'{}'")),
    Column("version", Integer, nullable=False),
    _in("side", Side, "side_valid"),
    _in("order_type", OrderType, "order_type_valid"),
    _in("status", OrderStatus, "status_valid"),
    _positive("quantity_ordered"),
    _positive("limit_price"),
    _positive("stop_price"),
    _positive("average_fill_price"),
    _not_negative("filled_quantity"),
    CheckConstraint(
        "CAST(filled_quantity AS NUMERIC) <= CAST(quantity_ordered AS NUMERIC)",
        name="not_overfilled",
    ),
    CheckConstraint("version >= 1", name="version_positive"),
    UniqueConstraint("exchange_order_id", "exchange"),
    Index("ix_orders_status_trading_pair", "status", "trading_pair"),
    Index("ix_orders_signal_id", "signal_id"),
    Index("ix_orders_trading_pair_created_at_order_pk", "trading_pair", "created_at", "order_pk"),
    Index("ix_orders_created_at_order_pk", "created_at", "order_pk"),
    Index("ix_orders_strategy_id", "strategy_id"),
)

# Every change of an order's status, written with the change (docs/orders.md, "History"):
# from_status NULL for the order's first state; filled_quantity right after the change.
order_status_history = Table(
    "order_status_history",
    metadata,
    Column("history_pk", BigIntPK, primary_key=True, autoincrement=True),
    Column(
        "order_pk", BigIntFK, ForeignKey("orders.order_pk", ondelete="RESTRICT"), nullable=False
    ),
    Column("from_status", EnumText(OrderStatus)),
    Column("to_status", EnumText(OrderStatus), nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("filled_quantity", Money, nullable=False),
    _in("from_status", OrderStatus, "from_status_valid"),
    _in("to_status", OrderStatus, "to_status_valid"),
    _not_negative("filled_quantity"),
    Index("ix_order_status_history_order_pk_history_pk", "order_pk", "history_pk"),
)

#: The condition of fills with commissions in a second asset, per dialect (a partial index's).
HAS_EXTRA_COMMISSIONS = {
    "postgresql": "extra_commissions <> '{}'::jsonb",
    "sqlite": "extra_commissions <> '{}'",
}

fills = Table(
    "fills",
    metadata,
    Column("fill_pk", BigIntPK, primary_key=True, autoincrement=True),
    Column("fill_id", String(EXTERNAL_ID), nullable=False),
    Column(
        "order_pk", BigIntFK, ForeignKey("orders.order_pk", ondelete="RESTRICT"), nullable=False
    ),
    Column("exchange_order_id", String(EXTERNAL_ID)),
    Column("trading_pair", String(PAIR), nullable=False),
    Column("exchange", String(EXCHANGE), nullable=False),
    Column("side", EnumText(Side), nullable=False),
    Column("quantity_filled", Money, nullable=False),
    Column("fill_price", Money, nullable=False),
    Column("commission", Money, nullable=False),
    Column("commission_asset", String(ASSET), nullable=False),
    Column("liquidity_type", EnumText(LiquidityType)),
    Column("filled_at", UTCDateTime, nullable=False),
    # The account book (docs/ledgers.md): commissions in other assets, where the fill comes
    # from (TRADE, CONVERSION, MARGIN), the trades.csv figures the ledger replaced.
    Column("extra_commissions", DecimalMap, nullable=False, server_default=text("'{}'")),
    Column("kind", EnumText(FillKind), nullable=False, server_default="TRADE"),
    Column("reported", DecimalMap, nullable=False, server_default=text("'{}'")),
    _in("side", Side, "side_valid"),
    _in("liquidity_type", LiquidityType, "liquidity_type_valid"),
    _in("kind", FillKind, "kind_valid"),
    _positive("quantity_filled"),
    _positive("fill_price"),
    UniqueConstraint("exchange", "fill_id"),
    Index("ix_fills_order_pk", "order_pk"),
    Index("ix_fills_exchange_trading_pair_filled_at", "exchange", "trading_pair", "filled_at"),
    # paged history (docs/reads.md): one index range per page, ordered by (time, key)
    Index("ix_fills_trading_pair_filled_at_fill_pk", "trading_pair", "filled_at", "fill_pk"),
    Index("ix_fills_filled_at_fill_pk", "filled_at", "fill_pk"),
    # balances (docs/reads.md): the few fills that pay a commission in a second asset
    Index(
        "ix_fills_extra_commissions",
        "fill_pk",
        postgresql_where=text(HAS_EXTRA_COMMISSIONS["postgresql"]),
        sqlite_where=text(HAS_EXTRA_COMMISSIONS["sqlite"]),
    ),
)

trades = Table(
    "trades",
    metadata,
    Column("trade_pk", BigIntPK, primary_key=True, autoincrement=True),
    Column("trade_id", Uuid, nullable=False, unique=True),
    Column("signal_id", Uuid, ForeignKey("signals.signal_id", ondelete="RESTRICT")),
    Column("trading_pair", String(PAIR), nullable=False),
    Column("exchange", String(EXCHANGE), nullable=False),
    Column("strategy_id", String(EXTERNAL_ID)),
    Column("side", EnumText(TradeSide), nullable=False),
    Column("grouping", EnumText(TradeGrouping), nullable=False, server_default="FLAT_TO_FLAT"),
    Column("entry_order_pk", BigIntFK, ForeignKey("orders.order_pk", ondelete="RESTRICT")),
    Column("exit_order_pk", BigIntFK, ForeignKey("orders.order_pk", ondelete="RESTRICT")),
    Column("entry_timestamp", UTCDateTime, nullable=False),
    Column("exit_timestamp", UTCDateTime),
    Column("quantity", Money, nullable=False),
    Column("entry_cash", Money, nullable=False),
    Column("open_quantity", Money, nullable=False, server_default=text("'0'")),
    Column("average_entry_price", Money, nullable=False),
    Column("average_exit_price", Money),
    Column("total_commission", Money, nullable=False),
    Column("realized_pnl", Money, nullable=False),
    Column("realized_pnl_pct", Money),
    Column("exit_reason", String(EXTERNAL_ID)),
    _in("side", TradeSide, "side_valid"),
    _in("grouping", TradeGrouping, "grouping_valid"),
    _positive("quantity"),
    _positive("average_entry_price"),
    _positive("average_exit_price"),
    _not_negative("open_quantity"),
    Index("ix_trades_trading_pair_entry_timestamp", "trading_pair", "entry_timestamp"),
    Index("ix_trades_exchange_trading_pair", "exchange", "trading_pair"),
    Index("ix_trades_strategy_id", "strategy_id"),
    Index("ix_trades_signal_id", "signal_id"),
    # paged history and risk figures (docs/reads.md)
    Index(
        "ix_trades_trading_pair_entry_timestamp_trade_pk",
        "trading_pair",
        "entry_timestamp",
        "trade_pk",
    ),
    Index("ix_trades_entry_timestamp_trade_pk", "entry_timestamp", "trade_pk"),
    Index("ix_trades_exit_timestamp_trade_pk", "exit_timestamp", "trade_pk"),
)

portfolio_snapshots = Table(
    "portfolio_snapshots",
    metadata,
    Column("snapshot_pk", BigIntPK, primary_key=True, autoincrement=True),
    Column("snapshot_timestamp", UTCDateTime, nullable=False),
    Column("total_equity", Money, nullable=False),
    Column("available_balance", JSONDocument, nullable=False),
    Column("total_exposure_pct", Money, nullable=False),
    Column("daily_drawdown_pct", Money, nullable=False),
    Column("weekly_drawdown_pct", Money, nullable=False),
    Column("max_drawdown_pct", Money, nullable=False),
    Column("positions", JSONDocument, nullable=False),
    _positive("total_equity"),
    _not_negative("total_exposure_pct"),
    _not_negative("daily_drawdown_pct"),
    _not_negative("weekly_drawdown_pct"),
    _not_negative("max_drawdown_pct"),
    Index("ix_portfolio_snapshots_snapshot_timestamp", "snapshot_timestamp"),
)

configurations = Table(
    "configurations",
    metadata,
    Column("config_pk", BigIntPK, primary_key=True, autoincrement=True),
    Column("config_hash", String(64), nullable=False, unique=True),
    Column("config_content", CanonicalJSON, nullable=False),
    Column("loaded_at", UTCDateTime, nullable=False),
    Column("is_active", Boolean, nullable=False, server_default=false()),
    CheckConstraint("length(config_hash) = 64", name="config_hash_sha256"),
    Index(
        "uq_configurations_single_active",
        "is_active",
        unique=True,
        postgresql_where=text("is_active"),
        sqlite_where=text("is_active"),
    ),
)

logs = Table(
    "logs",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("record_id", Uuid, nullable=False, unique=True),
    Column("timestamp", UTCDateTime, nullable=False),
    Column("logger_name", String(NAME), nullable=False),
    Column("level_name", String(16), nullable=False),
    Column("level_no", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("pathname", Text),
    Column("filename", String(NAME)),
    Column("lineno", Integer),
    Column("func_name", String(NAME)),
    Column("context_json", JSONDocument),
    Column("exception_text", Text),
    Index("ix_logs_timestamp", "timestamp"),
    Index("ix_logs_logger_name_timestamp", "logger_name", "timestamp"),
    Index("ix_logs_level_no_timestamp", "level_no", "timestamp"),
)

# system_logs.signal_id and order_pk are context, not foreign keys: a subsystem must be able to log
# about a signal or order that failed to be stored.
system_logs = Table(
    "system_logs",
    metadata,
    Column("log_pk", BigIntPK, primary_key=True, autoincrement=True),
    Column("log_timestamp", UTCDateTime, nullable=False),
    Column("source_module", String(NAME), nullable=False),
    Column("log_level", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("trading_pair", String(PAIR)),
    Column("signal_id", Uuid),
    Column("order_pk", BigIntFK),
    Column("exception_type", String(NAME)),
    Column("stack_trace", Text),
    Column("context", JSONDocument),
    Index("ix_system_logs_log_timestamp", "log_timestamp"),
    Index("ix_system_logs_source_module_log_timestamp", "source_module", "log_timestamp"),
    Index("ix_system_logs_log_level_log_timestamp", "log_level", "log_timestamp"),
)

event_logs = Table(
    "event_logs",
    metadata,
    Column("event_pk", BigIntPK, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", String(EXTERNAL_ID), nullable=False),
    Column("payload", JSONDocument, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("source", String(NAME), nullable=False),
    # any id the caller ties events with (a signal id, an order id): docs/events.md
    Column("correlation_id", String(EXTERNAL_ID)),
    Index("ix_event_logs_event_type_occurred_at", "event_type", "occurred_at"),
    Index("ix_event_logs_correlation_id_occurred_at", "correlation_id", "occurred_at"),
)

# An exchange's ledger as exported (docs/ledgers.md): one row per movement of one asset. A row
# without a txid is pending (not in any balance); NULL txids never collide in the unique key.
ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("entry_pk", BigIntPK, primary_key=True, autoincrement=True),
    Column("exchange", String(EXCHANGE), nullable=False),
    Column("txid", String(EXTERNAL_ID)),
    Column("refid", String(EXTERNAL_ID), nullable=False),
    Column("time", UTCDateTime, nullable=False),
    Column("type", String(32), nullable=False),
    Column("subtype", String(32)),
    Column("aclass", String(32)),
    Column("subclass", String(32)),
    Column("asset", String(ASSET), nullable=False),
    Column("wallet", String(64)),
    Column("amount", Money, nullable=False),
    Column("fee", Money, nullable=False),
    Column("balance", Money),
    Column("amountusd", Money),
    Column("source_line", Integer),
    Column("feeusd", Money),
    Column("balanceusd", Money),
    Column("feecurrency", String(ASSET)),
    _not_negative("fee"),
    UniqueConstraint("exchange", "txid"),
    Index("ix_ledger_entries_exchange_refid", "exchange", "refid"),
    Index("ix_ledger_entries_exchange_asset_time", "exchange", "asset", "time"),
)

# Price history (docs/analytics.md, "Prices"): one row per candle; re-imports are no-ops.
candles = Table(
    "candles",
    metadata,
    Column("candle_pk", BigIntPK, primary_key=True, autoincrement=True),
    Column("exchange", String(EXCHANGE), nullable=False),
    Column("trading_pair", String(PAIR), nullable=False),
    Column("interval_s", Integer, nullable=False),
    Column("open_time", UTCDateTime, nullable=False),
    Column("open", Money, nullable=False),
    Column("high", Money, nullable=False),
    Column("low", Money, nullable=False),
    Column("close", Money, nullable=False),
    Column("volume", Money, nullable=False),
    Column("trade_count", BigInteger),
    CheckConstraint("interval_s > 0", name="interval_s_positive"),
    _positive("open"),
    _positive("high"),
    _positive("low"),
    _positive("close"),
    _not_negative("volume"),
    CheckConstraint("trade_count >= 0", name="trade_count_not_negative"),
    UniqueConstraint("exchange", "trading_pair", "interval_s", "open_time"),
)

# The live path's running trade figures (docs/live-fills.md,
# "Incremental update (the usual case)"): per pair, the last fill its trades include, and
# the exact figures of its running trades (the open
# flat-to-flat cycle, seq 0, or each open FIFO/LIFO lot, seq 1, 2, ... in opening order).
# Derived data: a pair without a cursor is refreshed from its flat point.
trade_cursors = Table(
    "trade_cursors",
    metadata,
    Column("exchange", String(EXCHANGE), primary_key=True),
    Column("trading_pair", String(PAIR), primary_key=True),
    Column("grouping", EnumText(TradeGrouping), nullable=False),
    Column("last_filled_at", UTCDateTime, nullable=False),
    Column("last_fill_id", String(EXTERNAL_ID), nullable=False),
    Column("last_fill_pk", BigInteger, nullable=False),
    Column("next_seq", BigInteger, nullable=False),
    _in("grouping", TradeGrouping, "grouping_valid"),
)

trade_running_figures = Table(
    "trade_running_figures",
    metadata,
    Column("exchange", String(EXCHANGE), primary_key=True),
    Column("trading_pair", String(PAIR), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("trade_id", Uuid, nullable=False),
    Column("figures", Text, nullable=False),
    Column("row_check", Text, nullable=False),
)
