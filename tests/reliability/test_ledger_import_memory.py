"""Ledger import memory is bounded: the same peak for a 10 MB and a 50 MB ledgers.csv
(docs/ledgers.md, docs/import-flow.md).

Each import runs in a fresh process on SQLite; its peak resident memory above what the
process held just before the import is compared. Rows are deposits and withdrawals
(nothing to reconcile) carrying 500 bytes in a column the importer does not read, so that
50 MB is about 90,000 rows (nine chunks) and the test takes seconds, not minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.import_memory import MIB, measure_import

HEADER = "txid,refid,time,type,subtype,aclass,asset,amount,fee,balance,note\n"
T0 = datetime(2021, 1, 1, tzinfo=UTC)


def ledger_history(path: Path, target_bytes: int, padding: int = 0) -> int:
    """Write deposits and withdrawals of USD until the file holds ``target_bytes``; returns
    the row count. ``padding`` bytes of an unread ``note`` column make big files from fewer
    rows."""
    pad = "N" * padding
    rows = 0
    balance = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        written = len(HEADER)
        while written < target_bytes:
            amount = 100 if rows % 3 else -50
            balance += amount
            when = (T0 + timedelta(seconds=rows)).strftime("%Y-%m-%d %H:%M:%S")
            kind = "deposit" if amount > 0 else "withdrawal"
            line = (
                f"L{rows:09d},R{rows:09d},{when},{kind},,currency,ZUSD,{amount}.0000,0.0000,"
                f"{balance}.0000,{pad}\n"
            )
            handle.write(line)
            written += len(line)
            rows += 1
    return rows


def measure(path: Path, tmp_path: Path) -> dict[str, int]:
    return measure_import(
        path,
        tmp_path,
        import_line=(
            "from gal_friday.persistence.bootstrap import unit_of_work_factory\n"
            "from gal_friday.services.ledger_import import import_ledger"
        ),
        call="import_ledger(unit_of_work_factory(engine), sys.argv[1])",
        count="entries_added",
    )


def test_ledger_import_peak_memory_does_not_grow_with_the_file(tmp_path):
    small, large = tmp_path / "ten.csv", tmp_path / "fifty.csv"
    small_rows = ledger_history(small, 10 * 1000 * 1000, padding=500)
    large_rows = ledger_history(large, 50 * 1000 * 1000, padding=500)
    ten = measure(small, tmp_path)
    fifty = measure(large, tmp_path)
    assert (ten["count"], fifty["count"]) == (small_rows, large_rows)
    print(f"extra peak: 10 MB {ten['extra'] / MIB:.0f} MiB, 50 MB {fifty['extra'] / MIB:.0f} MiB")
    assert fifty["extra"] / ten["extra"] < 1.5, (ten, fifty)
    assert fifty["extra"] < 300 * MIB
