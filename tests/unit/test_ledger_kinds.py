"""Row kinds of every documented ledger type and subtype, base assets and the kind counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.ledger_kinds import LedgerKind, base_asset, count_kinds, kind_of
from gal_friday.importers.kraken_ledgers import parse_kraken_ledgers
from tests.unit.test_ledger_replay import FIXTURES

K = LedgerKind
PLUS, MINUS = Decimal(1), Decimal(-1)

#: (type, subtype, amount sign, kind): the table of docs/ledgers.md, "Row kinds".
DOCUMENTED = [
    ("trade", None, MINUS, K.TRADE),
    ("trade", "tradespot", PLUS, K.TRADE),
    ("spend", None, MINUS, K.CONVERSION),
    ("receive", None, PLUS, K.CONVERSION),
    ("sale", None, MINUS, K.CONVERSION),
    ("conversion", None, PLUS, K.CONVERSION),
    ("staking", None, PLUS, K.INCOME),
    ("reward", None, PLUS, K.INCOME),
    ("dividend", None, PLUS, K.INCOME),
    ("airdrop", None, PLUS, K.INCOME),
    ("bonus", None, PLUS, K.INCOME),
    ("invite bonus", None, PLUS, K.INCOME),
    ("invitebonus", None, PLUS, K.INCOME),
    ("referralbonus", None, PLUS, K.INCOME),
    ("credit", None, PLUS, K.INCOME),
    ("earn", "reward", PLUS, K.INCOME),
    ("earn", "bonus", PLUS, K.INCOME),
    ("earn", "airdrop", PLUS, K.INCOME),
    ("earn", "allocation", MINUS, K.INTERNAL),
    ("earn", "allocation", PLUS, K.INTERNAL),
    ("earn", "deallocation", PLUS, K.INTERNAL),
    ("earn", "autoallocation", PLUS, K.INTERNAL),
    ("earn", "migration", MINUS, K.INTERNAL),
    ("earn", None, PLUS, K.INTERNAL),
    ("hybridearnwithdrawal", None, MINUS, K.INTERNAL),
    ("transfer", "spottostaking", MINUS, K.INTERNAL),
    ("transfer", "stakingfromspot", PLUS, K.INTERNAL),
    ("transfer", "stakingtospot", MINUS, K.INTERNAL),
    ("transfer", "spotfromstaking", PLUS, K.INTERNAL),
    ("transfer", "spottofutures", MINUS, K.EXTERNAL),
    ("transfer", "spotfromfutures", PLUS, K.EXTERNAL),
    ("transfer", None, PLUS, K.INCOME),
    ("transfer", None, MINUS, K.INTERNAL),
    ("deposit", None, PLUS, K.EXTERNAL),
    ("withdrawal", None, MINUS, K.EXTERNAL),
    ("custodytransfer", None, PLUS, K.EXTERNAL),
    ("adjustment", None, MINUS, K.EXTERNAL),
    ("margin", None, PLUS, K.MARGIN),
    ("margin trade", None, PLUS, K.MARGIN),
    ("rollover", None, MINUS, K.MARGIN),
    ("settled", None, PLUS, K.MARGIN),
    ("nfttrade", None, MINUS, K.UNKNOWN),
    ("somethingnew", "whatever", PLUS, K.UNKNOWN),
]


@pytest.mark.parametrize(("type_", "subtype", "amount", "kind"), DOCUMENTED)
def test_every_documented_type_and_subtype_has_its_kind(type_, subtype, amount, kind):
    assert kind_of(type_, subtype, amount) is kind
    assert kind_of(type_.upper(), subtype.upper() if subtype else subtype, amount) is kind


def test_the_documented_table_lists_every_row_of_the_docs():
    """docs/ledgers.md's "Row kinds" table names each type of DOCUMENTED with its kind."""
    docs = (FIXTURES.parents[2] / "docs" / "ledgers.md").read_text()
    section = docs.split("## Row kinds", 1)[1].split("\n## ", 1)[0]
    for type_, _subtype, _amount, kind in DOCUMENTED:
        if type_ in ("somethingnew", "nfttrade", "invite bonus", "margin trade"):
            continue
        rows = [line for line in section.splitlines() if line.startswith(f"| `{type_}`")]
        assert rows, type_
        assert any(kind.value in row for row in rows), (type_, kind)


@pytest.mark.parametrize(
    ("asset", "base"),
    [
        ("DOT.S", "DOT"),
        ("ETH2.S", "ETH"),
        ("ETH2", "ETH"),
        ("BTC.M", "BTC"),
        ("XBT.M", "XBT"),
        ("SOL.F", "SOL"),
        ("DOT.P", "DOT"),
        ("ADA.B", "ADA"),
        ("DOT28.S", "DOT"),
        ("KSM07.S", "KSM"),
        ("USD.HOLD", "USD.HOLD"),
        ("BTC", "BTC"),
        ("1INCH", "1INCH"),
        ("KFEE", "KFEE"),
    ],
)
def test_base_asset_values_staked_variants_as_their_asset(asset, base):
    assert base_asset(asset) == base


def test_count_kinds_counts_the_2026_fixture_by_kind_and_type():
    entries = parse_kraken_ledgers(FIXTURES / "ledgers_2026" / "ledgers.csv").entries
    counts = count_kinds(entries)
    assert sum(counts.values()) == len(entries) == 36
    assert counts == {
        (K.TRADE, "trade"): 4,
        (K.CONVERSION, "receive"): 1,
        (K.CONVERSION, "sale"): 2,
        (K.CONVERSION, "spend"): 1,
        (K.INCOME, "earn"): 2,
        (K.INCOME, "staking"): 2,
        (K.INTERNAL, "earn"): 8,
        (K.INTERNAL, "hybridearnwithdrawal"): 2,
        (K.INTERNAL, "transfer"): 2,
        (K.EXTERNAL, "adjustment"): 1,
        (K.EXTERNAL, "deposit"): 2,
        (K.EXTERNAL, "transfer"): 2,
        (K.EXTERNAL, "withdrawal"): 1,
        (K.MARGIN, "margin"): 2,
        (K.MARGIN, "rollover"): 1,
        (K.MARGIN, "settled"): 2,
        (K.UNKNOWN, "nfttrade"): 1,
    }
    assert list(counts) == sorted(counts, key=lambda key: (list(K).index(key[0]), key[1]))


def test_count_kinds_counts_pending_rows_and_reads_the_sign():
    def row(type_: str, amount: str, txid: str | None) -> LedgerEntry:
        from datetime import UTC, datetime

        return LedgerEntry(
            exchange="kraken",
            txid=txid,
            refid="R",
            time=datetime(2026, 1, 1, tzinfo=UTC),
            type=type_,
            asset="DOT",
            amount=Decimal(amount),
            fee=Decimal(0),
            balance=None,
        )

    counts = count_kinds([row("transfer", "1", "L1"), row("transfer", "-1", None)])
    assert counts == {(K.INCOME, "transfer"): 1, (K.INTERNAL, "transfer"): 1}
