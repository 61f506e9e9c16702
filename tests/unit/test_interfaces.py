"""The real unit of work and the in-memory fakes satisfy the protocols services are typed on.

mypy proves it (the ``TYPE_CHECKING`` block of ``services/ports.py``); this test
runs that check and repeats it at run time for the method names.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

from gal_friday.persistence import in_memory
from gal_friday.persistence import repositories as r
from gal_friday.persistence.repositories.candles import CandleRepository
from gal_friday.persistence.repositories.ledger import LedgerRepository
from gal_friday.persistence.unit_of_work import Repositories
from gal_friday.services import ports as interfaces

ROOT = Path(__file__).resolve().parents[2]


PAIRS = [
    (interfaces.OrderRepositoryProtocol, r.OrderRepository, in_memory.FakeOrders),
    (interfaces.FillRepositoryProtocol, r.FillRepository, in_memory.FakeFills),
    (interfaces.SignalRepositoryProtocol, r.SignalRepository, in_memory.FakeSignals),
    (interfaces.TradeRepositoryProtocol, r.TradeRepository, in_memory.FakeTrades),
    (interfaces.SnapshotRepositoryProtocol, r.SnapshotRepository, in_memory.FakeSnapshots),
    (
        interfaces.ConfigurationRepositoryProtocol,
        r.ConfigurationRepository,
        in_memory.FakeConfigurations,
    ),
    (interfaces.LogRepositoryProtocol, r.LogRepository, in_memory.FakeLogs),
    (interfaces.SystemLogRepositoryProtocol, r.SystemLogRepository, in_memory.FakeSystemLogs),
    (interfaces.EventRepositoryProtocol, r.EventRepository, in_memory.FakeEvents),
    (interfaces.LedgerRepositoryProtocol, LedgerRepository, in_memory.FakeLedger),
    (interfaces.CandleRepositoryProtocol, CandleRepository, in_memory.FakeCandles),
]


def test_every_protocol_method_exists_on_the_real_and_the_fake_repository() -> None:
    for protocol, real, fake in PAIRS:
        methods = {name for name, _ in inspect.getmembers(protocol) if not name.startswith("_")}
        for cls in (real, fake):
            missing = sorted(name for name in methods if not hasattr(cls, name))
            assert missing == [], (cls.__name__, missing)


def test_mypy_accepts_the_fakes_and_the_real_classes_as_the_protocols() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "-p", "gal_friday.persistence"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_repository_of_the_protocol_is_on_the_real_and_the_fake_unit_of_work() -> None:
    names = {
        name
        for name, _ in inspect.getmembers(interfaces.RepositoriesProtocol)
        if not name.startswith("_")
    }
    assert {"ledger", "candles"} <= names
    real = set(inspect.signature(Repositories.__init__).parameters) | set(
        Repositories.__init__.__code__.co_names
    )
    fake = in_memory.InMemoryUnitOfWork()
    with fake as uow:
        assert sorted(name for name in names if not hasattr(uow, name)) == []
    assert sorted(names - real) == []
