"""The peak memory of one import, measured in a fresh process on SQLite.

The probe migrates a new SQLite file, notes the resident memory, resets the peak
(``/proc/self/clear_refs``: start-up does not count), runs the import and reports the
peak above that starting point, with the count the import's summary gives.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MIB = 1024 * 1024

PROBE = r"""
import json, resource, sys
from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine
{import_line}

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
summary = {call}
peak = peak_rss()
print(json.dumps({{"count": summary.{count}, "extra": peak - before, "peak": peak}}))
"""


def measure_import(
    path: Path, tmp_path: Path, *, import_line: str, call: str, count: str
) -> dict[str, int]:
    """``{"count", "extra", "peak"}`` of ``call`` (an expression of ``engine`` and
    ``sys.argv[1]``, the file) importing ``path`` into a fresh database."""
    url = f"sqlite:///{tmp_path / (path.stem + '.db')}"
    probe = PROBE.format(import_line=import_line, call=call, count=count)
    result = subprocess.run(
        [sys.executable, "-c", probe, str(path), url],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]
