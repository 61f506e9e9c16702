"""Kraken ledgers export: every header Kraken has used, quoting, BOM/CRLF, pending and bad rows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from gal_friday.importers import LEDGER_FORMATS, ImportFormatError, parse_kraken_ledgers

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"
LEDGER_2021 = FIXTURES / "kraken-ledgers-2021.csv"
LEDGER_2024 = FIXTURES / "kraken-ledgers-2024.csv"

H2021 = "txid,refid,time,type,subtype,aclass,asset,amount,fee,balance\n"
H2024 = "txid,refid,time,type,subtype,aclass,subclass,asset,wallet,amount,fee,balance\n"
SELL_DOGE = "L1,T1,2021-03-05 14:00:00,trade,,currency,XXDG,-5984.441,15.559,0.00000000\n"


def write(tmp_path: Path, text: str, name: str = "ledgers.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def movement(entry):
    return (entry.txid, entry.refid, entry.time, entry.type, entry.asset, entry.amount, entry.fee)


def test_the_format_is_registered_for_the_cli():
    assert LEDGER_FORMATS["kraken-ledgers"] is parse_kraken_ledgers


def test_2021_header_quoted_with_every_asset_code_normalised():
    batch = parse_kraken_ledgers(LEDGER_2021)
    assert len(batch.entries) == 30
    assert {e.asset for e in batch.entries} == {
        "USD",
        "BTC",
        "DOGE",
        "XRP",
        "ETH",
        "KFEE",
        "DOT",
        "DOT.S",
    }
    sell = [e for e in batch.entries if e.refid == "TAAAA3-BBBBB-CCCC3" and e.asset == "DOGE"]
    assert [(e.amount, e.fee, e.balance) for e in sell] == [
        (Decimal("-5984.441"), Decimal("15.559"), Decimal(0))
    ]
    first = batch.entries[0]
    assert first.time == datetime(2021, 3, 1, 9, tzinfo=UTC)
    assert (first.subtype, first.aclass, first.subclass, first.wallet) == (
        None,
        "currency",
        None,
        None,
    )
    assert first.source_line == 2
    kfee = next(e for e in batch.entries if e.asset == "KFEE")
    assert (kfee.amount, kfee.fee, kfee.balance) == (Decimal(0), Decimal(250), Decimal(750))
    assert next(e for e in batch.entries if e.refid.startswith("TAAAA1")).time == datetime(
        2021, 3, 2, 10, 0, 0, 123400, tzinfo=UTC
    )


def test_2024_header_with_bom_crlf_unquoted_reads_the_same_movements():
    old, new = parse_kraken_ledgers(LEDGER_2021), parse_kraken_ledgers(LEDGER_2024)
    assert [movement(e) for e in new.entries] == [movement(e) for e in old.entries]
    assert [e.balance for e in new.entries] == [e.balance for e in old.entries]
    usd = new.entries[0]
    assert (usd.subclass, usd.wallet) == ("fiat", "spot / main")
    staking = [e for e in new.entries if e.type == "transfer"]
    assert [e.subtype for e in staking] == ["spottostaking", "stakingfromspot"]


def test_a_row_without_txid_is_kept_apart_as_pending_without_balance():
    batch = parse_kraken_ledgers(LEDGER_2021)
    (pending,) = batch.pending
    assert (pending.txid, pending.refid, pending.asset, pending.amount, pending.balance) == (
        None,
        "QDEP2-AAAAA-BTC01",
        "BTC",
        Decimal("0.05"),
        None,
    )
    assert pending.pending and pending.source_line == 3


def test_header_without_subtype(tmp_path):
    path = write(
        tmp_path,
        "txid,refid,time,type,aclass,asset,amount,fee,balance\n"
        "L1,Q1,2019-06-01 10:00:00,deposit,currency,XXBT,1.5,0,1.5\n",
    )
    (entry,) = parse_kraken_ledgers(path).entries
    assert (entry.subtype, entry.asset, entry.balance) == (None, "BTC", Decimal("1.5"))


def test_header_with_amountusd_and_columns_in_another_order(tmp_path):
    path = write(
        tmp_path,
        '"refid","txid","time","type","subtype","aclass","subclass","asset","wallet",'
        '"amount","fee","balance","amountusd"\n'
        '"T9","L9","2024-05-01 10:00:00","trade","tradespot","currency","crypto","XDG",'
        '"spot / main","-100.00000000","0.26000000","899.74000000","-15.6100"\n',
    )
    (entry,) = parse_kraken_ledgers(path).entries
    assert (entry.txid, entry.refid, entry.asset, entry.subtype) == (
        "L9",
        "T9",
        "DOGE",
        "tradespot",
    )
    assert (entry.amount, entry.fee, entry.balance, entry.amountusd) == (
        Decimal("-100"),
        Decimal("0.26"),
        Decimal("899.74"),
        Decimal("-15.61"),
    )


def test_identical_repeated_row_is_kept_once_and_counted(tmp_path):
    path = write(tmp_path, H2021 + SELL_DOGE + SELL_DOGE)
    batch = parse_kraken_ledgers(path)
    assert (len(batch.entries), batch.duplicates_in_file) == (1, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "txid,refid,time,type,asset,amount,fee\n",
            "ledgers.csv:1: not a Kraken ledgers export: the header lacks balance",
        ),
        ("", "ledgers.csv:1: the file is empty"),
        (
            H2021 + SELL_DOGE.replace("-5984.441", "abc"),
            "ledgers.csv:2: column 'amount' (8): 'abc' is not a decimal number",
        ),
        (
            H2021 + SELL_DOGE.replace("15.559", "-1"),
            "ledgers.csv:2: column 'fee' (9): -1 is negative",
        ),
        (H2021 + SELL_DOGE.replace(",T1,", ",,"), "ledgers.csv:2: column 'refid' (2): is empty"),
        (H2021 + SELL_DOGE.replace("XXDG", ""), "ledgers.csv:2: column 'asset' (7): is empty"),
        (
            H2021 + SELL_DOGE.replace("0.00000000", ""),
            "ledgers.csv:2: column 'balance' (10): '' is not a decimal number",
        ),
        (
            H2021 + SELL_DOGE.replace("2021-03-05 14:00:00", "05/03/2021"),
            "ledgers.csv:2: column 'time' (3): '05/03/2021' is not YYYY-MM-DD HH:MM:SS[.ffff]",
        ),
        (
            H2021 + SELL_DOGE.replace("-5984.441", "1e5"),
            "ledgers.csv:2: column 'amount' (8): '1e5' is not a decimal number",
        ),
        (
            H2021 + SELL_DOGE.replace("15.559", "0.0000000000000000001"),
            "ledgers.csv:2: column 'fee' (9): 1E-19 has more than 18 decimal places",
        ),
        (
            H2021 + SELL_DOGE.replace(",T1,", ",T\x011,"),
            "ledgers.csv:2: column 'refid' (2): 'T\\x011' holds a control character",
        ),
        (
            H2021 + SELL_DOGE.replace(",T1,", ",T\x001,"),
            "ledgers.csv:2: binary content (a NUL byte): not a ledgers export",
        ),
        (
            H2021 + SELL_DOGE.replace(",currency", ""),
            "ledgers.csv:2: expected 10 fields as in the header, found 9",
        ),
        (
            H2021 + SELL_DOGE + SELL_DOGE.replace("15.559", "15.56"),
            "ledgers.csv:3: column 'txid' (1): txid 'L1' appears on line 2 with other data",
        ),
    ],
)
def test_bad_rows_are_refused_with_file_line_and_column(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ImportFormatError) as caught:
        parse_kraken_ledgers(path)
    assert str(caught.value) == str(path.parent / message)


def test_a_pending_row_may_leave_balance_empty_and_repeats_once(tmp_path):
    row = ",Q7,2021-03-01 09:30:00,deposit,,currency,XXBT,0.05,0,\n"
    batch = parse_kraken_ledgers(
        write(tmp_path, H2024.replace("subclass,", "").replace("wallet,", "") + row + row)
    )
    assert (len(batch.entries), batch.duplicates_in_file) == (1, 1)
    assert batch.entries[0].balance is None
