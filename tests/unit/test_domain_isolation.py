"""The domain imports nothing from the ORM, the migrations tool or the driver.

Checked in a fresh interpreter, so that modules other tests imported do not hide anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("sqlalchemy", "alembic", "psycopg", "psycopg_binary", "psycopg2", "asyncpg")

CHECK = """
import importlib, json, pkgutil, sys
{preload}
import gal_friday.domain as domain
imported = ["gal_friday.domain"]
for module in pkgutil.walk_packages(domain.__path__, "gal_friday.domain."):
    importlib.import_module(module.name)
    imported.append(module.name)
forbidden = set(sys.argv[1].split(","))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
print(json.dumps({{"imported": imported, "loaded": loaded}}))
"""


def run_check(preload: str = "") -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(preload=preload), ",".join(FORBIDDEN)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, list[str]] = json.loads(result.stdout)
    return report


def test_importing_domain_and_every_submodule_loads_no_orm_or_driver():
    report = run_check()
    modules = {
        f"gal_friday.domain.{p.stem}"
        for p in (ROOT / "domain").glob("*.py")
        if p.stem != "__init__"
    }
    assert modules <= set(report["imported"]), "some domain modules were not imported"
    assert report["loaded"] == []


def test_the_check_does_see_a_forbidden_import():
    report = run_check(preload="import sqlalchemy")
    assert "sqlalchemy" in report["loaded"]
