"""Revision 0008_ledger_kinds: the 2025-26 columns, and suffixed codes named like their asset."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa

from gal_friday.persistence import schema
from gal_friday.persistence.tables import definitions as t
from tests.migrations.test_migrations import empty_engine  # noqa: F401  (fixture)

BEFORE = "0007_account_book"
ENTRIES = t.ledger_entries  # only the columns 0007 has are written


def _assets(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT txid, asset FROM ledger_entries")).all()
    return {row[0]: row[1] for row in rows}


def _columns(engine: sa.Engine) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns("ledger_entries")}


def test_upgrade_renames_stored_suffixed_codes_and_downgrade_gives_krakens_back(
    empty_engine,  # noqa: F811
):
    schema.upgrade(empty_engine, BEFORE)
    assert "feecurrency" not in _columns(empty_engine)
    stored = {"L1": "XBT.M", "L2": "XXDG.S", "L3": "DOT.S", "L4": "BTC", "L5": "ZUSD.HOLD"}
    with empty_engine.begin() as conn:
        conn.execute(
            ENTRIES.insert(),
            [
                {
                    "exchange": "kraken",
                    "txid": txid,
                    "refid": f"R{txid}",
                    "time": datetime(2026, 1, 1, tzinfo=UTC),
                    "type": "staking",
                    "asset": asset,
                    "amount": Decimal(1),
                    "fee": Decimal(0),
                }
                for txid, asset in stored.items()
            ],
        )
    schema.upgrade(empty_engine, "0008_ledger_kinds")
    assert {"feeusd", "balanceusd", "feecurrency"} <= _columns(empty_engine)
    assert _assets(empty_engine) == {
        "L1": "BTC.M",
        "L2": "DOGE.S",
        "L3": "DOT.S",
        "L4": "BTC",
        "L5": "USD.HOLD",
    }
    schema.downgrade(empty_engine, BEFORE)
    assert not {"feeusd", "balanceusd", "feecurrency"} & _columns(empty_engine)
    assert _assets(empty_engine) == {
        "L1": "XBT.M",
        "L2": "XDG.S",
        "L3": "DOT.S",
        "L4": "BTC",
        "L5": "USD.HOLD",
    }
