"""Import memory is bounded: the same peak for a 10 MB and a 100 MB file (docs/import-flow.md).

Each import runs in a fresh process on SQLite; its peak resident memory above what the
process held just before the import is compared. Rows carry 1 KiB of ``ledgers`` text
so that 100 MB is 100,000 rows (ten chunks) and the test takes seconds, not minutes.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.histories import kraken_history
from tests.support.import_memory import MIB, measure_import


def measure(path: Path, tmp_path: Path) -> dict[str, int]:
    return measure_import(
        path,
        tmp_path,
        import_line=(
            "from gal_friday.persistence.bootstrap import unit_of_work_factory\n"
            "from gal_friday.services.importing import import_history"
        ),
        call='import_history(unit_of_work_factory(engine), sys.argv[1], "kraken-trades")',
        count="fills_added",
    )


def test_import_peak_memory_does_not_grow_with_the_file(tmp_path):
    small, large = tmp_path / "ten.csv", tmp_path / "hundred.csv"
    small_rows = kraken_history(small, 10 * 1000 * 1000, padding=1000)
    large_rows = kraken_history(large, 100 * 1000 * 1000, padding=1000)
    ten = measure(small, tmp_path)
    hundred = measure(large, tmp_path)
    assert (ten["count"], hundred["count"]) == (small_rows, large_rows)
    ratio = hundred["extra"] / ten["extra"]
    print(
        f"extra peak: 10 MB {ten['extra'] / MIB:.0f} MiB, 100 MB {hundred['extra'] / MIB:.0f} MiB"
    )
    assert ratio < 1.5, (ten, hundred)
    assert hundred["extra"] < 300 * MIB
