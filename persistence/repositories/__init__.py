"""The repositories, one module per aggregate: the queries Gal-Friday runs.

Each is written once against a synchronous ``Session`` (the asyncio unit of work runs the
same methods through ``AsyncSession.run_sync``); nothing here commits.
"""

from gal_friday.persistence.repositories.candles import CandleRepository
from gal_friday.persistence.repositories.configurations import ConfigurationRepository
from gal_friday.persistence.repositories.events import EventRepository
from gal_friday.persistence.repositories.fills import FillRepository
from gal_friday.persistence.repositories.ledger import LedgerRepository
from gal_friday.persistence.repositories.logs import LogRepository, SystemLogRepository
from gal_friday.persistence.repositories.orders import OrderRepository
from gal_friday.persistence.repositories.signals import SignalRepository
from gal_friday.persistence.repositories.snapshots import SnapshotRepository
from gal_friday.persistence.repositories.trades import TradeRepository

__all__ = [
    "CandleRepository",
    "ConfigurationRepository",
    "EventRepository",
    "FillRepository",
    "LedgerRepository",
    "LogRepository",
    "OrderRepository",
    "SignalRepository",
    "SnapshotRepository",
    "SystemLogRepository",
    "TradeRepository",
]
