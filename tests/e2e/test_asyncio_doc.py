"""The complete asyncio service of docs/asyncio.md runs as written, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL

from gal_friday.persistence.database import create_engine

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncio.md"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_documented_service_runs_as_written(database_url: URL, tmp_path: Path):
    (service,) = [block for block in _blocks("python") if "asyncio.run(main())" in block]
    (printed,) = [block for block in _blocks("text") if block.startswith("order ")]
    script = tmp_path / "service.py"
    script.write_text(service, encoding="utf-8")
    env = {
        **os.environ,
        "GALFRIDAY_DATABASE_URL": database_url.render_as_string(hide_password=False),
    }
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == printed
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            counts = {
                table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("signals", "orders", "fills", "portfolio_snapshots", "event_logs")
            }
            messages = conn.execute(text("SELECT message FROM logs ORDER BY id")).scalars().all()
            correlated = conn.execute(
                text("SELECT count(*) FROM event_logs WHERE correlation_id IS NOT NULL")
            ).scalar_one()
    finally:
        engine.dispose()
    assert counts == {
        "signals": 1,
        "orders": 1,
        "fills": 2,
        "portfolio_snapshots": 1,
        "event_logs": 2,
    }
    assert messages == ["order sent", "order filled"]
    assert correlated == 2


def test_the_documented_service_type_checks_strictly(tmp_path: Path):
    """``take_snapshot`` typed for a sync unit of work made ``mypy --strict`` reject the
    working asyncio call; the documented service uses the asyncio use cases, typed so."""
    (service,) = [block for block in _blocks("python") if "asyncio.run(main())" in block]
    script = tmp_path / "service.py"
    script.write_text(service, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout
