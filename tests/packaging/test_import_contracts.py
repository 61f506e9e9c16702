"""The layers in ``[tool.importlinter]`` hold on the real tree, and ``lint-imports`` fails when a
copy of the tree gains an import one of the contracts forbids."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
PACKAGES = ("domain", "persistence", "importers", "services", "cli")


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_real_tree_keeps_every_contract():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
    assert "0 broken" in result.stdout
    assert "8 kept" in result.stdout


@pytest.mark.parametrize(
    ("package", "line", "contract"),
    [
        ("domain", "import sqlalchemy", "the domain imports no database library"),
        ("domain", "from alembic import op", "the domain imports no database library"),
        ("domain", "import psycopg", "the domain imports no database library"),
        (
            "domain",
            "from gal_friday.persistence import tables",
            "cli > services > persistence > domain",
        ),
        (
            "persistence",
            "from gal_friday.services import reporting",
            "cli > services > persistence > domain",
        ),
        ("services", "from gal_friday.cli import main", "cli > services > persistence > domain"),
        ("importers", "from gal_friday.persistence import tables", "importers use the domain only"),
        ("importers", "from gal_friday.services import importing", "importers use the domain only"),
        ("importers", "import sqlalchemy", "importers use the domain only"),
        (
            "services",
            "from sqlalchemy import Engine",
            "services reach the database through persistence only",
        ),
        (
            "services",
            "from gal_friday.persistence.unit_of_work import UnitOfWork",
            "services reach persistence only through the ports and the composition root",
        ),
        (
            "persistence",
            "import sqlalchemy.orm",
            "the in-memory fakes import no SQLAlchemy, not even through another module",
        ),
        (
            "domain",
            "from gal_friday.importers import FORMATS",
            "the domain imports no other package of the project",
        ),
        (
            "persistence",
            "from gal_friday.persistence.repositories import OrderRepository",
            "persistence by concern: the tables know no repository, fast path or log writer",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, package, line, contract):
    """A copy of the packages as ``gal_friday.<folder>`` (first on the path), plus one module."""
    copy = tmp_path / "gal_friday"
    for name in PACKAGES:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / package / "forbidden_import.py"
    if contract.startswith("the in-memory fakes"):  # the fakes' module itself gains the import
        target = copy / package / "in_memory.py"
    elif contract.startswith("persistence by concern"):
        target = copy / package / "tables" / "forbidden_import.py"
    target.write_text(
        target.read_text() + f"\n{line}  # noqa: F401\n"
        if target.exists()
        else f"{line}  # noqa: F401\n"
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")

    result = _lint_imports(tmp_path, pythonpath=tmp_path)

    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout[-3000:]
    assert f"gal_friday.{package}." in result.stdout
