"""The domain imports nothing from the ORM, the migrations tool or the driver."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import domain
for module in pkgutil.walk_packages(domain.__path__, "domain."):
    importlib.import_module(module.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"sqlalchemy", "alembic", "psycopg"})
print(",".join(loaded))
"""


def test_importing_domain_loads_no_orm_or_driver():
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
