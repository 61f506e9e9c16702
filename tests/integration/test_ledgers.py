"""Ledger import, reconciliation with trades.csv and the audit, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from gal_friday.domain import Side
from gal_friday.importers import ImportFormatError
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.repositories.ledger import LedgerRepository
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services import ledger_import
from gal_friday.services.audit import audit
from gal_friday.services.importing import import_history
from gal_friday.services.ledger_import import import_ledger
from gal_friday.services.reconcile import LedgerMismatchError, pairs_with_unreconciled_fees

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
TRADES = FIXTURES / "kraken-ledgers-account-trades.csv"
LEDGER_2021 = FIXTURES / "kraken-ledgers-2021.csv"
LEDGER_2024 = FIXTURES / "kraken-ledgers-2024.csv"
D = Decimal

#: (pair, realized PnL, total commission) of every closed cycle, in entry order.
CLOSED_CYCLES = [
    ("BTC/USD", D("483.2"), D("16.8")),
    ("DOGE/BTC", D("0.0006200012"), D("0.000079092") + D("15.559") * D("0.0000052")),
    ("DOGE/BTC", D("0.000345973"), D("0.00002652") + D("5.19") * D("0.0000053")),
    ("ETH/USD", D("137.13"), D("4.32") + D("0.0045") * D("1900")),
    ("XRP/USD", D("94.64"), D("5.36")),
]


def import_trades(engine, path=TRADES):
    return import_history(unit_of_work_factory(engine), path, "kraken-trades")


def cycles(engine):
    with UnitOfWork(engine) as uow:
        trades = uow.trades.all()
    return [
        (tr.trading_pair, tr.realized_pnl, tr.total_commission)
        for tr in sorted(trades, key=lambda tr: (tr.trading_pair, tr.entry_timestamp))
    ]


def assert_cycles_match_the_ledger(engine):
    """Every trade is closed, its base asset nets to zero over the cycle, and its realized
    PnL is the ledger's net quote amount over the cycle (KFEE at 0.01 USD)."""
    with UnitOfWork(engine) as uow:
        trades = uow.trades.all()
        fills = {pair: list(uow.fills.stream(ex, pair)) for ex, pair in uow.fills.pairs()}
        entries = list(LedgerRepository(uow.session).stream())
    by_refid = defaultdict(list)
    for entry in entries:
        by_refid[entry.refid].append(entry)
    assert trades
    for trade in trades:
        assert trade.exit_timestamp is not None and trade.open_quantity == 0
        base, quote = trade.trading_pair.split("/")
        refids = [
            f.fill_id
            for f in fills[trade.trading_pair]
            if trade.entry_timestamp <= f.filled_at <= trade.exit_timestamp
        ]
        rows = [e for refid in refids for e in by_refid[refid]]
        assert sum(e.amount - e.fee for e in rows if e.asset == base) == 0
        net_quote = sum(e.amount - e.fee for e in rows if e.asset == quote)
        if quote == "USD":
            net_quote -= sum(e.fee for e in rows if e.asset == "KFEE") * D("0.01")
        assert trade.realized_pnl == net_quote, trade.trading_pair


def count(engine, table, *where):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_trades_csv_alone_leaves_a_phantom_doge_position(engine):
    import_trades(engine)
    with UnitOfWork(engine) as uow:
        (doge,) = uow.trades.all("DOGE/BTC")
        flagged = pairs_with_unreconciled_fees(uow)
    assert doge.exit_timestamp is None and doge.open_quantity == D("20.749")
    assert flagged == [("kraken", "BTC/USD"), ("kraken", "DOGE/BTC"), ("kraken", "XRP/USD")]


@pytest.mark.parametrize("ledger", [LEDGER_2021, LEDGER_2024], ids=["2021", "2024"])
def test_trades_then_ledger_closes_every_cycle_at_the_ledger_figures(engine, ledger):
    import_trades(engine)
    summary = import_ledger(unit_of_work_factory(engine), ledger)
    (done,) = summary.reconciled.values()
    assert (summary.entries_added, summary.pending_added) == (30, 1)
    assert (done.fills_updated, done.fills_built, done.one_leg_refids) == (4, 3, [])
    assert cycles(engine) == CLOSED_CYCLES
    assert_cycles_match_the_ledger(engine)
    with UnitOfWork(engine) as uow:
        sell = uow.fills.get("kraken", "TAAAA3-BBBBB-CCCC3")
        kfee = uow.fills.get("kraken", "TAAAA6-BBBBB-CCCC6")
        assert pairs_with_unreconciled_fees(uow) == []
    assert sell is not None and kfee is not None
    assert (sell.commission, sell.commission_asset) == (D("15.559"), "DOGE")
    assert (kfee.commission, kfee.commission_asset) == (D("2.5"), "USD")


def test_ledger_then_trades_gives_the_same_cycles_and_keeps_ledger_fees(engine):
    import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    assert cycles(engine) == CLOSED_CYCLES  # the ledger alone is enough
    assert count(engine, t.fills) == 10
    summary = import_trades(engine)
    assert (summary.fills_added, summary.fills_already_stored) == (0, 7)
    assert cycles(engine) == CLOSED_CYCLES
    assert_cycles_match_the_ledger(engine)


def test_trades_after_the_ledger_are_reconciled_before_they_commit(engine, tmp_path):
    half = tmp_path / "ledger-without-doge-trades.csv"
    lines = LEDGER_2021.read_text().splitlines(keepends=True)
    half.write_text("".join(line for line in lines if "XXDG" not in line or "TAAAA3" in line))
    import_ledger(
        unit_of_work_factory(engine), half
    )  # T2, T4, T5 are one-leg (BTC only): no DOGE fills built
    import_trades(engine)
    with UnitOfWork(engine) as uow:
        sell = uow.fills.get("kraken", "TAAAA3-BBBBB-CCCC3")
        buy = uow.fills.get("kraken", "TAAAA2-BBBBB-CCCC2")
        flagged = pairs_with_unreconciled_fees(uow)
    assert sell is not None and buy is not None
    assert (sell.commission, sell.commission_asset) == (D("15.559"), "DOGE")
    assert (buy.commission, buy.commission_asset) == (D("0.00007909"), "BTC")  # trades.csv's
    assert flagged == [("kraken", "DOGE/BTC")]


def test_reimports_in_either_header_add_nothing_and_pending_rows_are_stored_apart(engine):
    import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    before = cycles(engine)
    again = import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    newer = import_ledger(unit_of_work_factory(engine), LEDGER_2024)
    for summary in (again, newer):
        assert (summary.entries_added, summary.entries_already_stored) == (0, 30)
        assert not summary.changed_anything
    assert count(engine, t.ledger_entries) == 30
    assert count(engine, t.ledger_entries, t.ledger_entries.c.txid.is_(None)) == 1
    assert cycles(engine) == before


def test_a_bad_row_stores_nothing_and_names_file_and_line(engine, tmp_path):
    lines = LEDGER_2021.read_text().splitlines(keepends=True)
    lines[12] = lines[12].replace("-5984.44100000", "-5984.4x")
    bad = tmp_path / "ledgers.csv"
    bad.write_text("".join(lines))
    with pytest.raises(ImportFormatError, match=r"ledgers.csv:13: column 'amount' \(8\)"):
        import_ledger(unit_of_work_factory(engine), bad)
    assert count(engine, t.ledger_entries) == 0


def test_a_txid_stored_with_other_data_is_refused(engine, tmp_path):
    import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    changed = tmp_path / "ledgers.csv"
    changed.write_text(
        LEDGER_2021.read_text().replace('"10000.0000","0.0000"', '"10001.0000","0.0000"')
    )
    with pytest.raises(
        ImportFormatError,
        match=r"ledgers.csv:2: column 'txid': txid 'L001-GFLED-USD01' is already stored",
    ):
        import_ledger(unit_of_work_factory(engine), changed)


def test_a_fill_the_ledger_contradicts_rolls_the_ledger_back(engine, tmp_path):
    wrong = tmp_path / "trades.csv"
    wrong.write_text(TRADES.read_text().replace('"5984.44100000"', '"5984.44000000"'))
    import_trades(engine, wrong)
    with pytest.raises(
        LedgerMismatchError,
        match=r"TAAAA3-BBBBB-CCCC3.*quantity: fill 5984.44 DOGE, ledger 5984.441 DOGE",
    ):
        import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    assert count(engine, t.ledger_entries) == 0
    assert count(engine, t.fills) == 7


def test_an_export_of_some_assets_keeps_one_leg_trades_listed_and_balances(engine, tmp_path):
    doge_only = tmp_path / "ledgers-doge.csv"
    lines = LEDGER_2021.read_text().splitlines(keepends=True)
    doge_only.write_text(lines[0] + "".join(line for line in lines[1:] if '"XXDG"' in line))
    summary = import_ledger(unit_of_work_factory(engine), doge_only)
    (done,) = summary.reconciled.values()
    assert done.one_leg_refids == [f"TAAAA{n}-BBBBB-CCCC{n}" for n in (2, 3, 4, 5)]
    assert (done.fills_built, count(engine, t.fills)) == (0, 0)
    result = audit(unit_of_work_factory(engine))
    assert result.balanced
    assert result.one_leg_refids == {"kraken": done.one_leg_refids}


def test_the_audit_balances_the_clean_account_and_infers_the_kfee_opening(engine):
    import_trades(engine)
    import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    result = audit(unit_of_work_factory(engine))
    assert result.balanced and result.fills_checked == 10 and result.pending_entries == 1
    kfee = next(a for a in result.assets if a.asset == "KFEE")
    assert (kfee.opening, kfee.closing) == (D(1000), D(750))
    assert {a.asset: a.opening for a in result.assets if a.asset != "KFEE"} == dict.fromkeys(
        ["BTC", "DOGE", "DOT", "DOT.S", "ETH", "USD", "XRP"], D(0)
    )


def test_a_deleted_ledger_row_names_its_asset_and_time(engine):
    import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    with engine.begin() as conn:
        conn.execute(
            delete(t.ledger_entries).where(t.ledger_entries.c.refid == "RSTK3-AAAAA-DOT01")
        )
    result = audit(unit_of_work_factory(engine))
    assert not result.balanced
    (wrong,) = result.divergent_assets
    first = wrong.first_divergence
    assert first is not None
    assert (wrong.asset, first.refid, str(first.time)) == (
        "DOT.S",
        "RSTK4-AAAAA-DOT02",
        "2021-03-07 00:00:00+00:00",
    )
    assert (first.expected, first.found) == (D("10.0119"), D("10.0242"))


def test_the_audit_names_a_fill_changed_behind_the_ledger(engine):
    import_trades(engine)
    import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    with engine.begin() as conn:
        conn.execute(
            update(t.fills)
            .where(t.fills.c.fill_id == "TAAAA5-BBBBB-CCCC5")
            .values(commission=D("0.00001057"), commission_asset="BTC")
        )
    result = audit(unit_of_work_factory(engine))
    (mismatch,) = result.fill_mismatches
    assert (mismatch.refid, mismatch.problems) == (
        "TAAAA5-BBBBB-CCCC5",
        ["fee: fill 0.00001057 BTC, ledger 5.19 DOGE"],
    )
    assert not result.balanced and not result.divergent_assets


def test_built_fills_have_the_ledger_side_and_an_order_each(engine):
    import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    with UnitOfWork(engine) as uow:
        eth_sell = uow.fills.get("kraken", "TAAA10-BBBBB-CCC10")
        assert eth_sell is not None
        order = uow.orders.get_by_exchange_id("kraken", "TAAA10-BBBBB-CCC10")
    assert (eth_sell.side, eth_sell.quantity_filled, eth_sell.fill_price) == (
        Side.SELL,
        D("1.4955"),
        D(1900),
    )
    assert (eth_sell.commission, eth_sell.commission_asset) == (D("0.0045"), "ETH")
    assert order is not None and order.filled_quantity == D("1.4955")


def test_a_re_export_may_differ_from_the_ledger_only_where_the_ledger_decides(engine, tmp_path):
    import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    import_trades(engine)  # the ledger's fees and orders stand; trades.csv's differ there
    changed = tmp_path / "changed-volume.csv"
    text = TRADES.read_text()
    changed.write_text(text.replace('"0.10000000"', '"0.20000000"', 1))  # TAAAA1's volume
    with pytest.raises(ImportFormatError, match="quantity_filled 0.20000000 here, 0.1 stored"):
        import_trades(engine, changed)
    assert count(engine, t.fills) == 10


def test_a_ledger_stored_in_small_chunks_gives_the_same_result(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_import, "CHUNK_ENTRIES", 4)
    lines = LEDGER_2021.read_text().splitlines(keepends=True)
    repeated = tmp_path / "ledgers.csv"
    repeated.write_text("".join([*lines, lines[1], lines[13]]))  # repeats 28 rows later
    import_trades(engine)
    summary = import_ledger(unit_of_work_factory(engine), repeated)
    assert (summary.entries_in_file, summary.entries_added, summary.pending_added) == (32, 30, 1)
    assert cycles(engine) == CLOSED_CYCLES
    assert_cycles_match_the_ledger(engine)


def test_a_txid_repeated_chunks_later_with_other_data_stores_nothing(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_import, "CHUNK_ENTRIES", 4)
    lines = LEDGER_2021.read_text().splitlines(keepends=True)
    changed = lines[1].replace('"10000.0000","0.0000"', '"10001.0000","0.0000"')
    assert changed != lines[1]
    bad = tmp_path / "ledgers.csv"
    bad.write_text("".join([*lines, changed]))
    with pytest.raises(
        ImportFormatError, match=r"ledgers.csv:32: column 'txid': .* \(from line 2\)"
    ):
        import_ledger(unit_of_work_factory(engine), bad)
    assert count(engine, t.ledger_entries) == 0
