"""``import --format kraken-ledgers`` refuses what is not a ledgers export at once, with one
line and exit 2, before anything is stored (docs/ledgers.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.tables import definitions as t
from tests.e2e.test_import_flow_cli import _refused

HEADER = b"txid,refid,time,type,subtype,aclass,asset,amount,fee,balance\n"
ROW = b"L1,T1,2021-03-05 14:00:00,deposit,,currency,ZUSD,100,0,100\n"
FORMAT = "kraken-ledgers"


def ledger_rows(url) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(t.ledger_entries)) or 0)
    finally:
        engine.dispose()


def test_an_endless_file_is_refused_at_once(database_url, tmp_path: Path):
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    _refused(database_url, link, FORMAT, ":1: binary content (a NUL byte): not a ledgers export")
    assert ledger_rows(database_url) == 0


@pytest.mark.parametrize("prefix", [b"", HEADER, HEADER + ROW], ids=["bare", "header", "row"])
def test_a_huge_sparse_file_is_refused_at_once(database_url, tmp_path: Path, prefix: bytes):
    path = tmp_path / "sparse.csv"
    with path.open("wb") as handle:
        handle.write(prefix)
        handle.truncate(2 * 1024**3)  # 2 GiB of NUL bytes, no disk used
    line = prefix.count(b"\n") + 1
    _refused(database_url, path, FORMAT, f":{line}: binary content (a NUL byte)")
    assert ledger_rows(database_url) == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(100), ":3: binary content"),
        (b"txid,ordertxid,pair\n", ":1: not a Kraken ledgers export: the header lacks refid"),
        (HEADER + b"L1," + b"x" * 70_000 + b"\n", ":2: a line longer than 65,536 bytes"),
        (b"x" * 300_000, ":1: a line longer than 65,536 bytes: not a ledgers export"),
        (HEADER + ROW + b"L2,T2,\xff\n", ":3: byte 0xff is not valid UTF-8"),
    ],
)
def test_what_is_not_a_ledgers_export_is_refused_with_one_line(
    database_url, tmp_path: Path, content: bytes, expected: str
):
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    _refused(database_url, path, FORMAT, expected)
    assert ledger_rows(database_url) == 0
