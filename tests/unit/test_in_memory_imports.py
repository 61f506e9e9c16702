"""The in-memory fakes (a public testing aid) load without SQLAlchemy or a driver."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
import gal_friday.persistence.in_memory
print(",".join(sorted({m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "psycopg"})))
"""


def test_importing_the_fakes_imports_no_sqlalchemy():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""  # neither sqlalchemy nor psycopg was loaded
