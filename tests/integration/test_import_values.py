"""Values from real traders' files through the CLI into both databases: exchange ids, rebates,
pair codes mapped by hand (issue 13.3, 13.14, 13.1)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import URL

from gal_friday.cli.main import run
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.reporting import build_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
HEADER = "txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers\n"


def cli(url: URL, *args: str) -> int:
    try:
        return run(args=["--database-url", url.render_as_string(hide_password=False), *args])
    except SystemExit as exit_:  # errors exit through sys.exit with their code
        return int(exit_.code or 0)


def count(url: URL, table: object) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = select(table.c.exchange, func.count()).group_by(table.c.exchange)  # type: ignore[attr-defined]
            return [tuple(row) for row in conn.execute(query)]
    finally:
        engine.dispose()


def test_the_same_file_under_two_spellings_of_the_exchange_is_stored_once(database_url):
    path = str(FIXTURES / "kraken-classic.csv")
    assert (
        cli(database_url, "import", path, "--format", "kraken-trades", "--exchange", "Kraken") == 0
    )
    assert (
        cli(database_url, "import", path, "--format", "kraken-trades", "--exchange", "kraken") == 0
    )
    assert cli(database_url, "import", path, "--format", "kraken-trades") == 0
    assert count(database_url, t.fills) == [("kraken", 3)]
    assert count(database_url, t.orders) == [("kraken", 2)]


def test_a_ccxt_maker_rebate_is_income_in_the_reported_pnl(database_url, tmp_path):
    trades = [
        {
            "id": "m1",
            "order": "o1",
            "timestamp": 1704067200000,
            "symbol": "BTC/USD",
            "side": "buy",
            "type": "limit",
            "takerOrMaker": "maker",
            "price": "40000",
            "amount": "0.5",
            "fee": {"cost": "-2.5", "currency": "USD"},
        },
        {
            "id": "m2",
            "order": "o2",
            "timestamp": 1704153600000,
            "symbol": "BTC/USD",
            "side": "sell",
            "type": "limit",
            "takerOrMaker": "maker",
            "price": "41000",
            "amount": "0.5",
            "fee": {"cost": "-1.25", "currency": "USD"},
        },
    ]
    path = tmp_path / "rebates.json"
    path.write_text(json.dumps({"exchange": "Kraken", "trades": trades}))
    assert cli(database_url, "import", str(path), "--format", "ccxt-trades") == 0
    engine = create_engine(database_url)
    try:
        with UnitOfWork(engine) as uow:
            (trade,) = uow.trades.all("BTC/USD")
            fills = [uow.fills.get("kraken", fill_id) for fill_id in ("m1", "m2")]
        report = build_report(unit_of_work_factory(engine))
    finally:
        engine.dispose()
    assert [f.commission for f in fills if f is not None] == [Decimal("-2.5"), Decimal("-1.25")]
    # 0.5 * (41000 - 40000) = 500, plus 3.75 of rebates
    assert (trade.realized_pnl, trade.total_commission) == (Decimal("503.75"), Decimal("-3.75"))
    assert {t.currency: t.realized_pnl for t in report.totals} == {"USD": Decimal("503.75")}


def test_a_pair_code_mapped_by_hand_is_stored_under_that_pair(database_url, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(HEADER + "T1,O1,NEWCOINZUSD,2024-03-01 10:00:00,buy,market,2,20,0.1,10,0,,\n")
    args = ["import", str(path), "--format", "kraken-trades"]
    assert cli(database_url, *args) == 2  # refused: cannot be split
    assert count(database_url, t.fills) == []
    assert cli(database_url, *args, "--pair-map", "NEWCOINZUSD=NEWCOIN/USD") == 0
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(t.fills.c.trading_pair)) == "NEWCOIN/USD"
    finally:
        engine.dispose()
