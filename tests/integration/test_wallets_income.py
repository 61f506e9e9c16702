"""Audit per asset and wallet, and income valued at the day's close, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete

from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.audit import audit
from gal_friday.services.income import income
from gal_friday.services.ledger_import import import_ledger
from gal_friday.services.prices import import_prices
from tests.unit.test_ledger_replay import FIXTURES, LEDGER_2026, WALLETS_2024

D = Decimal
SPOT, BONDED = "spot / main", "earn / bonded"


def test_a_correct_multi_wallet_export_balances_and_totals_include_earn_wallets(engine):
    import_ledger(unit_of_work_factory(engine), WALLETS_2024)
    result = audit(unit_of_work_factory(engine))
    assert result.balanced, [a for a in result.assets if not a.balanced]
    assert {(a.asset, a.wallet): a.closing for a in result.assets} == {
        ("DOT", BONDED): D("40.98"),
        ("DOT", SPOT): D(50),
        ("ETH", "earn / flexible"): D("0.5012"),
        ("ETH", SPOT): D("0.5"),
        ("EUR", SPOT): D("173.67"),
    }
    assert {a.asset: (a.closing, len(a.wallets)) for a in result.totals} == {
        "DOT": (D("90.98"), 2),
        "ETH": (D("1.0012"), 2),
        "EUR": (D("173.67"), 1),
    }


def test_a_deleted_row_names_asset_wallet_and_time(engine):
    import_ledger(unit_of_work_factory(engine), WALLETS_2024)
    with engine.begin() as conn:
        conn.execute(
            delete(t.ledger_entries).where(t.ledger_entries.c.refid == "EW0004-AAAAA-RWD02")
        )
    result = audit(unit_of_work_factory(engine))
    assert not result.balanced
    (wrong,) = result.divergent_assets
    first = wrong.first_divergence
    assert first is not None
    assert (wrong.asset, wrong.wallet, first.wallet, first.refid, str(first.time)) == (
        "DOT",
        BONDED,
        BONDED,
        "EW0006-AAAAA-DEALL",
        "2024-02-20 12:00:00+00:00",
    )
    assert (first.expected, first.found) == (D("40.5"), D("40.98"))
    dot = next(total for total in result.totals if total.asset == "DOT")
    assert (dot.divergences, dot.balanced) == (1, False)


def test_the_2026_export_is_stored_whole_and_balances(engine):
    import_ledger(unit_of_work_factory(engine), LEDGER_2026)
    with UnitOfWork(engine) as uow:
        stored = list(uow.ledger.stream())
    assert len(stored) == 36
    fee_row = next(e for e in stored if e.txid == "LX02-BBBBB-EUR002")
    assert (fee_row.feeusd, fee_row.balanceusd, fee_row.feecurrency) == (
        D("3.456"),
        D("3236.544"),
        "EUR",
    )
    assert {e.asset for e in stored} >= {"BTC.M", "DOT.S", "ETH2.S"}
    result = audit(unit_of_work_factory(engine))
    assert all(a.balanced for a in result.assets)
    assert {a.asset: a.closing for a in result.totals}["DOT"] == D("80.55")


def test_income_is_valued_at_each_day_close_by_base_asset(engine):
    uow_factory = unit_of_work_factory(engine)
    import_ledger(uow_factory, LEDGER_2026)
    amounts_only = income(uow_factory)
    assert [(line.asset, line.net, line.value) for line in amounts_only.lines] == [
        ("BTC.M", D("0.00002"), None),
        ("DOT", D("0.43"), None),
        ("DOT.S", D("0.12"), None),
        ("ETH2.S", D("0.0015"), None),
    ]
    for code in ("DOTEUR", "XBTEUR"):
        import_prices(uow_factory, FIXTURES / "ledgers_2026" / f"{code}_1440.csv", "kraken-ohlcvt")
    partial = income(uow_factory, currency="eur")
    assert partial.total_value is None
    assert [(m.asset, m.priced_as, str(m.day)) for m in partial.missing_prices] == [
        ("ETH2.S", "ETH", "2026-01-17")
    ]
    import_prices(uow_factory, FIXTURES / "ledgers_2026" / "ETHEUR_1440.csv", "kraken-ohlcvt")
    valued = income(uow_factory, currency="EUR")
    assert [(line.asset, line.value) for line in valued.lines] == [
        ("BTC.M", D("1.76")),
        ("DOT", D("2.623")),
        ("DOT.S", D("0.696")),
        ("ETH2.S", D("4.35075")),
    ]
    assert (valued.currency, valued.total_value, valued.missing_prices) == ("EUR", D("9.42975"), ())
