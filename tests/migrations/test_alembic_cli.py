"""``alembic upgrade head``, ``alembic check`` and ``alembic downgrade base`` from the repo root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support import databases

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC = str(Path(sys.executable).parent / "alembic")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_alembic_command_line(backend, tmp_path):
    if backend == "postgresql":
        url = databases.create_postgres_database()
    else:
        url = sa.make_url(f"sqlite:///{tmp_path / 'cli.db'}")
    rendered = url.render_as_string(hide_password=False)
    env = {**os.environ, "GALFRIDAY_DATABASE_URL": rendered}
    try:
        for args in (["upgrade", "head"], ["check"], ["downgrade", "base"]):
            result = subprocess.run(
                [ALEMBIC, *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert result.returncode == 0, (args, result.stderr[-1500:])
        result = subprocess.run(
            [ALEMBIC, "-x", f"url={rendered}", "current"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0
        assert "0001" not in result.stdout  # at base after the downgrade
    finally:
        if backend == "postgresql":
            databases.drop_postgres_database(url)
