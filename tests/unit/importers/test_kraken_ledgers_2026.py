"""The 2025-26 ledgers export (16 columns) and staked asset codes."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from gal_friday.importers import ImportFormatError
from gal_friday.importers.kraken_ledgers import parse_kraken_ledgers
from gal_friday.importers.pairs import normalize_asset, normalize_pair
from tests.unit.test_ledger_replay import LEDGER_2026

D = Decimal
HEADER_2026 = (
    "txid,refid,time,type,subtype,aclass,subclass,asset,wallet,amount,fee,balance,"
    "amountusd,feeusd,balanceusd,feecurrency"
)


def parse(text: str):
    return parse_kraken_ledgers(io.BytesIO(text.encode()))


def test_the_16_column_header_is_read_and_every_column_kept():
    batch = parse_kraken_ledgers(LEDGER_2026)
    assert len(batch.entries) == 36
    fee_row = batch.entries[1]
    assert (fee_row.type, fee_row.subtype, fee_row.asset, fee_row.wallet) == (
        "trade",
        "tradespot",
        "EUR",
        "spot / main",
    )
    assert (fee_row.amount, fee_row.fee, fee_row.balance) == (D(-2000), D("3.2"), D("2996.8"))
    assert (fee_row.amountusd, fee_row.feeusd, fee_row.balanceusd, fee_row.feecurrency) == (
        D("-2160.0000"),
        D("3.4560"),
        D("3236.5440"),
        "EUR",
    )
    assets = {entry.asset for entry in batch.entries}
    assert assets == {"EUR", "BTC", "BTC.M", "DOT", "DOT.S", "ETH2.S"}
    assert {e.wallet for e in batch.entries} == {"spot / main", "earn / bonded", "earn / flexible"}


def test_codes_of_the_16_column_rows_are_normalised_and_empty_usd_cells_are_none():
    text = (
        HEADER_2026
        + "\nL1,R1,2026-01-05 10:00:00,earn,reward,currency,crypto,XXBT.M,earn / flexible,"
        "0.0000200000,0.0000010000,0.0000190000,,,,XXBT\n"
    )
    (row,) = parse(text).entries
    assert (row.asset, row.feecurrency) == ("BTC.M", "BTC")
    assert (row.amountusd, row.feeusd, row.balanceusd) == (None, None, None)


def test_a_bad_usd_figure_names_its_line_and_column():
    text = (
        HEADER_2026 + "\nL1,R1,2026-01-05 10:00:00,deposit,,currency,fiat,EUR,spot / main,"
        "1.0000,0.0000,1.0000,1.08,abc,1.08,\n"
    )
    with pytest.raises(ImportFormatError) as raised:
        parse(text)
    assert str(raised.value) == "<stream>:2: column 'feeusd' (14): 'abc' is not a decimal number"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("XBT.M", "BTC.M"),
        ("XXBT.M", "BTC.M"),
        ("xdg.s", "DOGE.S"),
        ("DOT.S", "DOT.S"),
        ("ETH2.S", "ETH2.S"),
        ("ETH.F", "ETH.F"),
        ("ZUSD.HOLD", "USD.HOLD"),
        ("DOT28.S", "DOT28.S"),
        ("XXBT", "BTC"),
        ("KFEE", "KFEE"),
        ("A.", "A."),
        (".S", ".S"),
    ],
)
def test_staked_suffixes_keep_their_identity_with_our_name_before_the_dot(code, name):
    assert normalize_asset(code) == name


def test_pairs_still_split_as_before():
    assert normalize_pair("XXBTZUSD") == "BTC/USD"
    assert normalize_pair("XBT/EUR") == "BTC/EUR"
