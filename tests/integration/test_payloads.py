"""One JSON encoding for every JSON field, on both backends (docs/payloads.md, issue 24)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.orm.attributes import flag_modified

from gal_friday.domain import EventLog, Log, PortfolioSnapshot, Signal
from gal_friday.domain.json_values import JSONValueError, decimal_from_json
from gal_friday.persistence.database import create_async_engine
from gal_friday.persistence.unit_of_work import AsyncUnitOfWork, UnitOfWork
from gal_friday.services.configurations import activate_configuration
from tests.factories import T0


def _signal() -> Signal:
    return Signal(
        trading_pair="XRP/USD",
        exchange="kraken",
        strategy_id="mean-revert",
        side="BUY",
        entry_type="MARKET",
        prediction_value={"p_up": np.float32(61.2), "edge": Decimal("0.0150")},
    )


def test_decimals_and_numpy_in_a_signal_are_stored_exactly(database_url: URL):
    signal = _signal()
    signal.approve({"limits": [{"max": Decimal("0.02")}], "at": datetime(2024, 1, 1, tzinfo=UTC)})
    with UnitOfWork(database_url) as uow:
        uow.signals.add(signal)
        uow.commit()
    with UnitOfWork(database_url) as uow:
        loaded = uow.signals.get(signal.signal_id)
        assert loaded is not None
        assert loaded.prediction_value == {"p_up": 61.2, "edge": "0.0150"}
        assert loaded.risk_check_details == {
            "limits": [{"max": "0.02"}],
            "at": "2024-01-01T00:00:00+00:00",
        }
        max_risk = decimal_from_json(loaded.risk_check_details["limits"][0]["max"], "max")
        assert max_risk == Decimal("0.02")
        # changed in place (bypassing the domain's check): encoded when it binds
        loaded.prediction_value["edge"] = Decimal("0.0175")
        flag_modified(loaded, "prediction_value")  # tracked by MutableDict, unless remapped
        uow.commit()
    with UnitOfWork(database_url) as uow:
        assert uow.signals.get(signal.signal_id).prediction_value["edge"] == "0.0175"


def test_a_value_without_an_encoding_changed_in_place_is_refused_naming_the_path(database_url):
    signal = _signal()
    with UnitOfWork(database_url) as uow:
        uow.signals.add(signal)
        uow.commit()
    with UnitOfWork(database_url) as uow:
        loaded = uow.signals.get(signal.signal_id)
        loaded.prediction_value["bad"] = {"limits": [1, {2}]}
        flag_modified(loaded, "prediction_value")
        with pytest.raises(JSONValueError, match=r"JSON value\.bad\.limits\[1\]: a set is not"):
            uow.commit()
    with UnitOfWork(database_url) as uow:  # nothing half-written
        assert "bad" not in uow.signals.get(signal.signal_id).prediction_value


def test_numpy_scalars_in_event_payloads_are_numbers_on_both_write_paths(database_url: URL):
    bulk = EventLog(event_type="PREDICTION", payload={"p": np.float32(61.2)}, source="model")
    mapped = EventLog(event_type="PREDICTION", payload={"n": np.int64(3)}, source="model")
    with UnitOfWork(database_url) as uow:
        assert uow.events.append_new([bulk]) == 1
        uow.events.append([mapped])
        uow.commit()
    with UnitOfWork(database_url) as uow:
        assert uow.events.get(bulk.event_id).payload == {"p": 61.2}
        assert uow.events.get(mapped.event_id).payload == {"n": 3}
        raw = uow.session.execute(
            text("SELECT payload FROM event_logs WHERE event_id = :id"),
            {
                "id": bulk.event_id
                if database_url.drivername.startswith("postgres")
                else bulk.event_id.hex
            },
        ).scalar_one()
        assert "np.float32" not in str(raw)


def test_an_event_payload_without_an_encoding_is_refused_naming_the_path():
    with pytest.raises(JSONValueError, match=r"^payload\.order\.fills\[0\]: a builtins\.object"):
        EventLog(event_type="X", payload={"order": {"fills": [object()]}}, source="t")


def test_log_context_and_snapshot_positions_use_the_encoding(database_url: URL):
    log = Log.from_record(logging.LogRecord("bot", 20, "f.py", 1, "tick", None, None))
    log.context_json = {"price": Decimal("61.20"), "p": np.float64(0.25)}
    snapshot = PortfolioSnapshot.take(
        at=T0,
        total_equity=Decimal("1000"),
        available_balance={"USD": Decimal("10.50")},
        positions={"XRP/USD": {"market_value": Decimal("989.50"), "size": np.float32(1.5)}},
        equity_history=[],
    )
    with UnitOfWork(database_url) as uow:
        uow.logs.add(log)
        uow.snapshots.add(snapshot)
        uow.commit()
    with UnitOfWork(database_url) as uow:
        (stored_log,) = uow.logs.between()
        assert stored_log.context_json == {"price": "61.20", "p": 0.25}
        (stored,) = uow.snapshots.between()
        assert stored.balances() == {"USD": Decimal("10.50")}
        assert stored.positions["XRP/USD"]["size"] == 1.5


def test_configuration_content_reads_back_as_given_with_secrets_redacted(database_url: URL):
    content = {
        "risk": {"max_drawdown": 0.15, "fee": Decimal("0.0026"), "pairs": ["XRP/USD"]},
        "start": date(2024, 1, 2),
        "database": {"url": "postgresql://bot:hunter2@db/gal", "password": "hunter2"},
        "huge": 1e20,
    }
    stored = activate_configuration(lambda: UnitOfWork(database_url), content)
    with UnitOfWork(database_url) as uow:
        active = uow.configurations.active()
        assert active is not None and active.config_hash == stored.config_hash
        assert active.config_content == {
            "risk": {"max_drawdown": 0.15, "fee": "0.0026", "pairs": ["XRP/USD"]},
            "start": "2024-01-02",
            "database": {"url": "postgresql://bot:***@db/gal", "password": "***"},
            "huge": 1e20,
        }
        assert isinstance(active.config_content["risk"]["max_drawdown"], float)
        assert isinstance(active.config_content["huge"], float)
        assert active.matches_content()
        raw = uow.session.execute(text("SELECT config_content FROM configurations")).scalar_one()
        assert "hunter2" not in str(raw)


def test_signals_add_through_the_async_unit_of_work_as_documented(database_url: URL):
    signal = _signal()

    async def scenario() -> Signal | None:
        engine = create_async_engine(database_url)
        try:
            async with AsyncUnitOfWork(engine) as uow:
                await uow.signals.add(signal)
                await uow.commit()
            async with AsyncUnitOfWork(engine, read_only=True) as uow:
                return await uow.signals.get(signal.signal_id)
        finally:
            await engine.dispose()

    loaded = asyncio.run(scenario())
    assert loaded is not None and loaded.prediction_value == {"p_up": 61.2, "edge": "0.0150"}
