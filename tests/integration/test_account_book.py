"""The ledger as the book of record, on SQLite and PostgreSQL (docs/ledgers.md).

Three synthetic Kraken accounts (tests/fixtures/importers/accounts/: the 2021 header with
the rounded-cost ETH/XBT buy, a base-asset fee and KFEE; the 2024 header with a USDT/GBP
buy charged on both legs; the 2026 16-column header with an ADA round trip closed by
``sale`` rows, an instant buy, a margin short with rollovers, earn rows) imported
trades.csv then ledgers.csv, ledgers.csv then trades.csv, and ledgers.csv alone.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from gal_friday.domain.fill import FillKind
from gal_friday.domain.ledger_kinds import LedgerKind
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.importing import import_history
from gal_friday.services.ledger_import import import_ledger
from gal_friday.services.reconcile import LedgerMismatchError, pairs_with_unreconciled_fees
from tests.support import databases
from tests.support.order_aggregates import orders_disagreeing

ACCOUNTS = Path(__file__).resolve().parents[1] / "fixtures" / "importers" / "accounts"
D = Decimal
PATHS = ("trades+ledger", "ledger+trades", "ledger")


class Outcome:
    """What one import path stored and said."""

    def __init__(self) -> None:
        self.fills: dict[str, tuple[Any, ...]] = {}
        self.reported: dict[str, dict[str, Decimal]] = {}
        self.pnl: dict[str, Decimal] = defaultdict(Decimal)
        self.trades: list[Any] = []
        self.summaries: list[Any] = []
        self.disagreeing: list[str] = []
        self.commission_sums: list[tuple[dict[str, Decimal], dict[str, Decimal]]] = []

    @property
    def differences(self) -> list[tuple[str, str, str, str]]:
        found = []
        for summary in self.summaries:
            listed = getattr(summary, "differences", None)
            if listed is None:
                listed = [d for r in summary.reconciled.values() for d in r.differences]
            found += [(d.fill_id, d.field, d.trades_csv, d.ledger) for d in listed]
        return sorted(found)


def collect(uow: Any, outcome: Outcome) -> None:
    """The stored fills, their trades.csv figures and the realized PnL per quote currency."""
    for exchange, pair in uow.fills.pairs():
        for record in uow.fills.stream(exchange, pair):
            fill = uow.fills.get(exchange, record.fill_id)
            assert fill is not None
            outcome.fills[fill.fill_id] = (
                fill.trading_pair,
                fill.side,
                fill.quantity_filled,
                fill.fill_price,
                fill.commissions,
                fill.kind,
            )
            outcome.reported[fill.fill_id] = dict(fill.reported)
    for trade in uow.trades.all():
        outcome.trades.append(trade)
        outcome.pnl[trade.trading_pair.split("/")[1]] += trade.realized_pnl or 0


def run_path(url: Any, account: str, path: str) -> Outcome:
    engine = create_engine(url)
    factory = unit_of_work_factory(engine)
    outcome = Outcome()
    try:
        for step in path.split("+"):
            if step == "trades":
                done = import_history(factory, ACCOUNTS / account / "trades.csv", "kraken-trades")
            else:
                done = import_ledger(factory, ACCOUNTS / account / "ledgers.csv")
            outcome.summaries.append(done)
        with UnitOfWork(engine) as uow:
            collect(uow, outcome)
            order_keys = uow.session.scalars(select(t.orders.c.order_pk)).all()
            for key in order_keys:
                order = uow.orders.get(key)
                assert order is not None
                summed: dict[str, Decimal] = defaultdict(Decimal)
                for fill in order.fills:
                    for asset, paid in fill.commissions.items():
                        summed[asset] += paid
                outcome.commission_sums.append((dict(order.commissions), dict(summed)))
        outcome.disagreeing = orders_disagreeing(engine)
    finally:
        engine.dispose()
    return outcome


@pytest.fixture
def fresh(request: pytest.FixtureRequest, database_url: URL, tmp_path: Path):
    """A factory of fresh migrated databases on ``database_url``'s backend (it first)."""
    backend = database_url.get_backend_name()
    template = request.getfixturevalue(f"{backend}_template")
    given = iter([database_url])
    with ExitStack() as stack:

        def make() -> URL:
            url = next(given, None)
            if url is not None:
                return url
            return stack.enter_context(databases.fresh_database(backend, template, tmp_path))

        yield make


def all_paths(fresh: Any, account: str) -> dict[str, Outcome]:
    return {path: run_path(fresh(), account, path) for path in PATHS}


def assert_orders_agree(outcomes: dict[str, Outcome]) -> None:
    for path, outcome in outcomes.items():
        assert outcome.disagreeing == [], path
        for stored, summed in outcome.commission_sums:
            assert stored == summed, path


@pytest.mark.parametrize("account", ["btc_2021", "gbp_2024"])
def test_either_order_or_the_ledger_alone_stores_the_same_fills_and_pnl(fresh, account):
    outcomes = all_paths(fresh, account)
    first, second, alone = (outcomes[path] for path in PATHS)
    assert first.fills == second.fills == alone.fills
    assert first.reported == second.reported  # trades.csv's figures kept either way
    assert first.differences == second.differences != []
    assert first.pnl == second.pnl == alone.pnl
    assert_orders_agree(outcomes)


def test_the_rounded_cost_buy_takes_the_ledgers_price_and_keeps_trades_csv(fresh):
    outcomes = all_paths(fresh, "btc_2021")
    first = outcomes["trades+ledger"]
    pair, _side, quantity, price, commissions, kind = first.fills["TB01-ETHBU-Y00001"]
    assert (pair, quantity, price, commissions, kind) == (
        "ETH/BTC",
        D("0.02"),
        D("0.0332"),  # 0.000664 / 0.02: the ledger's cost, not 0.033180 x 0.02
        {"BTC": D("0.0000017")},
        FillKind.TRADE,
    )
    assert first.reported["TB01-ETHBU-Y00001"] == {
        "fill_price": D("0.03318"),
        "commission": D("0.0000017"),
    }
    assert ("TB01-ETHBU-Y00001", "cost", "0.0006636 BTC", "0.000664 BTC") in first.differences
    # the base-asset fee and the KFEE fee: the ledger's, listed
    assert first.fills["TB02-ETHBU-Y00002"][4] == {"ETH": D("0.000016")}
    assert ("TB03-ETHSE-LL0001", "fee", "0.00000163 BTC", "0") in first.differences
    (trade,) = first.trades
    assert trade.open_quantity == 0  # the ETH fee closed the cycle where the ledger's ETH is 0
    assert first.pnl == {"BTC": D("0.001019456") - D("0.000664") - D("0.0000017") - D("0.000335")}


def test_a_buy_charged_on_both_legs_pays_both_and_closes_flat(fresh):
    outcomes = all_paths(fresh, "gbp_2024")
    for path, outcome in outcomes.items():
        assert outcome.fills["TG01-USDTB-UY0001"][4] == {"GBP": D("1.447"), "USDT": D(2)}, path
        (trade,) = outcome.trades
        assert trade.open_quantity == 0, path  # trades.csv alone left 2 USDT open
        assert outcome.pnl == {"GBP": D("7.5998")}, path
    assert outcomes["trades+ledger"].differences == [
        ("TG01-USDTB-UY0001", "fee", "3.0231516 GBP", "1.447 GBP + 2 USDT")
    ]


def test_the_2026_account_converges_and_keeps_margin_apart(fresh):
    outcomes = all_paths(fresh, "eur_2026")
    first, second, alone = (outcomes[path] for path in PATHS)
    assert first.fills == second.fills
    assert first.pnl == second.pnl
    assert_orders_agree(outcomes)
    by_pair = {trade.trading_pair: trade for trade in first.trades}
    # the ADA bought on the book and sold partly through `sale` rows is closed
    ada = by_pair["ADA/EUR"]
    assert (ada.open_quantity, ada.realized_pnl) == (0, D("346.712"))
    # the margin short is its own position: opening fee, rollovers and closing fee in its PnL
    margin = by_pair["ADA.MARGIN/EUR"]
    assert (margin.side.value, margin.open_quantity) == ("SHORT", 0)
    assert margin.realized_pnl == D(120) - D("0.96") - D("1.2") - D("1.52") - D("0.77")
    assert first.fills["TE02-MARGI-NOPEN1"][4:] == ({"EUR": D("3.68")}, FillKind.MARGIN)
    # the instant buy exists as a conversion fill
    instant = first.fills["QB01-BUYCR-YPTO01"]
    assert instant[:3] == ("BTC/EUR", instant[1], D("0.012")) and instant[5] is FillKind.CONVERSION
    assert abs(instant[2] * instant[3] - D("507.46")) < D("1e-15")
    assert first.fills["QS01-SALEA-DA0001"][5] is FillKind.CONVERSION
    # the ledger alone has the same spot fills; its margin rows wait for trades.csv
    spot = {fid: f for fid, f in first.fills.items() if f[5] is not FillKind.MARGIN}
    assert alone.fills == spot
    (ledger,) = alone.summaries
    assert ledger.reconciled["kraken"].margin_refids_without_fill == [
        "TE02-MARGI-NOPEN1",
        "TE03-MARGI-NCLOS1",
    ]
    assert alone.pnl["EUR"] == first.pnl["EUR"] - margin.realized_pnl


def test_the_ledger_import_says_what_each_row_type_became(fresh):
    outcome = run_path(fresh(), "eur_2026", "trades+ledger")
    ledger = outcome.summaries[1]
    assert [(c.type, c.kind, c.rows) for c in ledger.by_type] == [
        ("trade", LedgerKind.TRADE, 4),
        ("receive", LedgerKind.CONVERSION, 1),
        ("sale", LedgerKind.CONVERSION, 2),
        ("spend", LedgerKind.CONVERSION, 1),
        ("earn", LedgerKind.INCOME, 1),
        ("earn", LedgerKind.INTERNAL, 4),
        ("deposit", LedgerKind.EXTERNAL, 1),
        ("withdrawal", LedgerKind.EXTERNAL, 1),
        ("margin", LedgerKind.MARGIN, 2),
        ("rollover", LedgerKind.MARGIN, 2),
    ]
    done = ledger.reconciled["kraken"]
    assert (done.fills_built, done.conversions_built, done.margin_fills_updated) == (2, 2, 1)
    assert done.margin_refids_without_fill == []
    assert outcome.differences == [("TE02-MARGI-NOPEN1", "fee", "0.96 EUR", "3.68 EUR")]


def test_importing_either_file_again_adds_nothing_and_lists_nothing(fresh):
    url = fresh()
    run_path(url, "gbp_2024", "trades+ledger")
    engine = create_engine(url)
    try:
        factory = unit_of_work_factory(engine)
        again = import_history(factory, ACCOUNTS / "gbp_2024" / "trades.csv", "kraken-trades")
        assert (again.fills_added, again.fills_already_stored, again.differences) == (0, 2, [])
        assert not again.changed_anything
        ledger = import_ledger(factory, ACCOUNTS / "gbp_2024" / "ledgers.csv")
        assert ledger.entries_added == 0 and not ledger.changed_anything
    finally:
        engine.dispose()


def test_a_fill_that_is_not_the_ledgers_execution_is_refused_naming_the_ledger_line(
    fresh, tmp_path: Path
):
    url = fresh()
    text = (ACCOUNTS / "gbp_2024" / "trades.csv").read_text()
    wrong = tmp_path / "trades.csv"
    wrong.write_text(text.replace(",1000.00000000,", ",999.00000000,"))  # another quantity
    engine = create_engine(url)
    try:
        factory = unit_of_work_factory(engine)
        import_history(factory, wrong, "kraken-trades")
        with pytest.raises(LedgerMismatchError, match=r"ledgers.csv line 3: fill 'TG01"):
            import_ledger(factory, ACCOUNTS / "gbp_2024" / "ledgers.csv")
        with engine.connect() as conn:  # nothing of the ledger was stored
            assert conn.scalar(select(func.count()).select_from(t.ledger_entries)) == 0
    finally:
        engine.dispose()


def test_the_in_memory_fakes_keep_the_same_book(fresh):
    on_database = run_path(fresh(), "eur_2026", "ledger+trades")
    fake = InMemoryUnitOfWork()
    import_ledger(fake, ACCOUNTS / "eur_2026" / "ledgers.csv")
    import_history(fake, ACCOUNTS / "eur_2026" / "trades.csv", "kraken-trades")
    on_fakes = Outcome()
    with fake as uow:
        collect(uow, on_fakes)
    assert on_fakes.fills == on_database.fills
    assert on_fakes.reported == on_database.reported
    assert on_fakes.pnl == on_database.pnl


def test_no_pair_is_marked_as_fees_from_trades_csv_once_the_ledger_is_in(fresh):
    url = fresh()
    run_path(url, "eur_2026", "trades+ledger")
    engine = create_engine(url)
    try:
        with UnitOfWork(engine) as uow:
            assert pairs_with_unreconciled_fees(uow) == []  # conversions and margin fills too
    finally:
        engine.dispose()
