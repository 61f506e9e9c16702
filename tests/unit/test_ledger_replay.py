"""The ledger replayed per asset and wallet, and the per-asset totals over wallets."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import attrs

from gal_friday.domain.ledger import LedgerEntry, replay_balances
from gal_friday.domain.ledger_replay import asset_totals
from gal_friday.importers.kraken_ledgers import parse_kraken_ledgers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
WALLETS_2024 = FIXTURES / "ledgers_wallets_2024" / "ledgers.csv"
LEDGER_2026 = FIXTURES / "ledgers_2026" / "ledgers.csv"
D = Decimal
SPOT, BONDED = "spot / main", "earn / bonded"


def entry(txid: str, minute: int, amount: str, balance: str, wallet: str | None) -> LedgerEntry:
    return LedgerEntry(
        exchange="kraken",
        txid=txid,
        refid=f"R{txid}",
        time=datetime(2024, 2, 1, 10, minute, tzinfo=UTC),
        type="earn",
        subtype="allocation",
        asset="DOT",
        amount=D(amount),
        fee=D(0),
        balance=D(balance),
        wallet=wallet,
    )


#: 100 DOT in spot, 60 allocated to earn / bonded, a 0.5 reward there.
ALLOCATED = [
    entry("L1", 0, "100", "100", SPOT),
    entry("L2", 1, "-60", "40", SPOT),
    entry("L3", 1, "60", "60", BONDED),
    entry("L4", 2, "0.5", "60.5", BONDED),
]


def test_an_allocation_between_wallets_balances_each_wallet():
    replays = replay_balances(ALLOCATED)
    assert [(r.asset, r.wallet, r.opening, r.closing, r.entries, r.balanced) for r in replays] == [
        ("DOT", BONDED, D(0), D("60.5"), 2, True),
        ("DOT", SPOT, D(0), D(40), 2, True),
    ]
    (dot,) = asset_totals(replays)
    assert (dot.asset, dot.wallets, dot.closing, dot.entries, dot.balanced) == (
        "DOT",
        (BONDED, SPOT),
        D("100.5"),
        4,
        True,
    )


def test_the_same_rows_replayed_as_one_wallet_diverge_as_the_issue_says():
    """Per asset only (the old replay): expected 100, found 60 at the earn row."""
    one_wallet = [attrs.evolve(e, wallet=None) for e in ALLOCATED]
    (dot,) = replay_balances(one_wallet)
    first = dot.first_divergence
    assert first is not None
    assert (first.expected, first.found, first.wallet) == (D(100), D(60), None)


def test_a_missing_row_names_its_wallet_and_counts_once():
    replays = replay_balances([ALLOCATED[0], ALLOCATED[1], ALLOCATED[3]])
    bonded = next(r for r in replays if r.wallet == BONDED)
    spot = next(r for r in replays if r.wallet == SPOT)
    assert spot.balanced and bonded.balanced  # the reward row opens the bonded wallet
    gapped = replay_balances([*ALLOCATED, entry("L5", 3, "0.5", "61.5", BONDED)])
    wrong = next(r for r in gapped if r.wallet == BONDED)
    first = wrong.first_divergence
    assert (wrong.divergences, wrong.closing) == (1, D("61.5"))
    assert first is not None
    assert (first.asset, first.wallet, first.txid, first.expected, first.found) == (
        "DOT",
        BONDED,
        "L5",
        D(61),
        D("61.5"),
    )
    (total,) = asset_totals(gapped)
    assert (total.divergences, total.balanced) == (1, False)


def test_the_2024_multi_wallet_fixture_balances_every_wallet_and_sums_the_earn_wallets():
    replays = replay_balances(parse_kraken_ledgers(WALLETS_2024).entries)
    assert all(r.balanced for r in replays)
    assert {(r.asset, r.wallet): r.closing for r in replays} == {
        ("DOT", BONDED): D("40.98"),
        ("DOT", SPOT): D(50),
        ("ETH", "earn / flexible"): D("0.5012"),
        ("ETH", SPOT): D("0.5"),
        ("EUR", SPOT): D("173.67"),
    }
    totals = {t.asset: t.closing for t in asset_totals(replays)}
    assert totals == {"DOT": D("90.98"), "ETH": D("1.0012"), "EUR": D("173.67")}


def test_the_2026_fixture_balances_with_staked_variants_kept_apart():
    replays = replay_balances(parse_kraken_ledgers(LEDGER_2026).entries)
    assert all(r.balanced for r in replays)
    closing = {(r.asset, r.wallet): r.closing for r in replays}
    assert closing[("BTC.M", "earn / flexible")] == D("0.00502")
    assert closing[("DOT.S", SPOT)] == D(0)
    assert closing[("ETH2.S", SPOT)] == D("2.001495")
    assert closing[("DOT", BONDED)] == D("60.55")
    totals = {t.asset: t.closing for t in asset_totals(replays)}
    assert totals["DOT"] == D("80.55") and totals["EUR"] == D("991.98")


def test_pending_rows_and_rows_without_a_wallet_column():
    pending = LedgerEntry(
        exchange="kraken",
        txid=None,
        refid="Q",
        time=datetime(2024, 2, 1, 9, tzinfo=UTC),
        type="deposit",
        asset="DOT",
        amount=D(5),
        fee=D(0),
        balance=None,
    )
    rows = [pending, entry("L1", 0, "100", "100", None), entry("L2", 1, "-60", "40", None)]
    (dot,) = replay_balances(rows)
    assert (dot.wallet, dot.entries, dot.closing, dot.balanced) == (None, 2, D(40), True)
