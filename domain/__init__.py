"""Gal-Friday's domain: attrs entities and the trading rules, free of any ORM.

Nothing in this package imports sqlalchemy, alembic or psycopg.
"""

from gal_friday.domain.configuration import Configuration, canonical_json, config_hash
from gal_friday.domain.enums import (
    LiquidityType,
    OrderStatus,
    OrderType,
    Side,
    SignalStatus,
    TradeGrouping,
    TradeSide,
)
from gal_friday.domain.errors import (
    DomainError,
    DuplicateFillError,
    FillConflictError,
    FillMismatchError,
    InputError,
    InvalidTransitionError,
    InvalidValueError,
    MissingConversionRateError,
    NonPositiveEquityError,
    NotFoundError,
    OverfillError,
)
from gal_friday.domain.fill import Fill, FillRecord, FillView
from gal_friday.domain.logs import EventLog, Log, SystemLog, json_safe
from gal_friday.domain.order import ALLOWED_TRANSITIONS, Order
from gal_friday.domain.portfolio import (
    Drawdowns,
    PortfolioSnapshot,
    compute_drawdowns,
    exposure_pct,
)
from gal_friday.domain.signal import Signal
from gal_friday.domain.trade import Trade
from gal_friday.domain.trade_builder import build_trades, iter_trades

__all__ = [
    "ALLOWED_TRANSITIONS",
    "Configuration",
    "DomainError",
    "Drawdowns",
    "DuplicateFillError",
    "EventLog",
    "Fill",
    "FillConflictError",
    "FillMismatchError",
    "FillRecord",
    "FillView",
    "InputError",
    "InvalidTransitionError",
    "InvalidValueError",
    "LiquidityType",
    "Log",
    "MissingConversionRateError",
    "NonPositiveEquityError",
    "NotFoundError",
    "Order",
    "OrderStatus",
    "OrderType",
    "OverfillError",
    "PortfolioSnapshot",
    "Side",
    "Signal",
    "SignalStatus",
    "SystemLog",
    "Trade",
    "TradeGrouping",
    "TradeSide",
    "build_trades",
    "canonical_json",
    "compute_drawdowns",
    "config_hash",
    "exposure_pct",
    "iter_trades",
    "json_safe",
]
