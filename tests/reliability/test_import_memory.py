"""Import memory is bounded: the same peak for a 10 MB and a 100 MB file (docs/import-flow.md).

Each import runs in a fresh process on SQLite; its peak resident memory above what the
process held just before the import is compared. Rows carry 1 KiB of ``ledgers`` text
so that 100 MB is 100,000 rows (ten chunks) and the test takes seconds, not minutes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.histories import kraken_history

MIB = 1024 * 1024

PROBE = r"""
import json, resource, sys
from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine
from gal_friday.services.importing import import_history

def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()

def peak_rss():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024

engine = create_engine(sys.argv[2])
schema.upgrade(engine)
before = rss()
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # reset the peak: only the import's own peak counts, not the start-up's
summary = import_history(engine, sys.argv[1], "kraken-trades")
peak = peak_rss()
print(json.dumps({"fills": summary.fills_added, "extra": peak - before, "peak": peak}))
"""


def measure(path: Path, tmp_path: Path) -> dict[str, int]:
    url = f"sqlite:///{tmp_path / (path.stem + '.db')}"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), url],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_import_peak_memory_does_not_grow_with_the_file(tmp_path):
    small, large = tmp_path / "ten.csv", tmp_path / "hundred.csv"
    small_rows = kraken_history(small, 10 * 1000 * 1000, padding=1000)
    large_rows = kraken_history(large, 100 * 1000 * 1000, padding=1000)
    ten = measure(small, tmp_path)
    hundred = measure(large, tmp_path)
    assert (ten["fills"], hundred["fills"]) == (small_rows, large_rows)
    ratio = hundred["extra"] / ten["extra"]
    print(
        f"extra peak: 10 MB {ten['extra'] / MIB:.0f} MiB, 100 MB {hundred['extra'] / MIB:.0f} MiB"
    )
    assert ratio < 1.5, (ten, hundred)
    assert hundred["extra"] < 300 * MIB
