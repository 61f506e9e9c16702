"""The log handler in a bot's real process shapes (issue 26, items 1 and 2): a child forked
after the handler was made, ``multiprocessing`` pools (fork, spawn, forkserver) left through
``with Pool()``, and SIGTERM with 5,000 records queued. Records lost: 0 in each shape, none
stored twice (``tests/reliability/log_process_shapes.py`` runs each shape in a fresh process).
"""

from __future__ import annotations

import collections
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.logwriter import handler as handler_module
from gal_friday.persistence.logwriter.handler import DatabaseLogHandler
from gal_friday.persistence.tables import definitions as t
from tests.reliability import log_process_shapes as shapes
from tests.support import databases

ROOT = Path(__file__).resolve().parents[2]


def counted(url: URL) -> collections.Counter[tuple[str, int]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(t.logs.c.context_json))
            return collections.Counter((row[0]["who"], row[0]["n"]) for row in rows)
    finally:
        engine.dispose()


def run_shape(shape: str, url: URL, spill: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT.parent)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.log_process_shapes", shape,
         url.render_as_string(hide_password=False), str(spill)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def expected(*groups: tuple[str, int]) -> collections.Counter[tuple[str, int]]:
    return collections.Counter((who, n) for who, count in groups for n in range(count))


def test_a_child_forked_after_the_handler_was_made_loses_no_record(database_url, tmp_path):
    process = run_shape("fork", database_url, tmp_path / "spill.jsonl")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "child exit 0" in out
    stored = counted(database_url)
    assert stored == expected(
        ("parent-before", shapes.PARENT_RECORDS),
        ("child", shapes.CHILD_RECORDS),
        ("parent-after", shapes.PARENT_RECORDS),
    )  # every record once: the child did not write the parent's queue again
    assert "dropped" not in err


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_pool_workers_left_through_with_pool_lose_no_record(postgres_url, tmp_path, method):
    process = run_shape(f"pool-{method}", postgres_url, tmp_path / "spill.jsonl")
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    tasks = [(f"task{task}", shapes.CHILD_RECORDS) for task in range(shapes.POOL_TASKS)]
    if method == "fork":
        tasks.append(("parent-before", shapes.PARENT_RECORDS))
    assert counted(postgres_url) == expected(*tasks)
    assert "dropped" not in err


def test_sigterm_with_5000_records_queued_loses_none(database_url, tmp_path):
    process = run_shape("sigterm", database_url, tmp_path / "spill.jsonl")
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "installed True"
    assert process.stdout.readline().strip() == "ready"
    assert counted(database_url) == collections.Counter()  # all 5,000 are still queued
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert counted(database_url) == expected(("queued", shapes.SIGTERM_RECORDS))


def test_sigterm_during_close_neither_cuts_it_short_nor_is_lost(tmp_path):
    url = databases.migrated_sqlite_file(tmp_path / "a.db")
    process = run_shape("sigterm-during-close", url, tmp_path / "spill.jsonl")
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "closing"
    process.send_signal(signal.SIGTERM)  # while close() waits for the writer
    out, err = process.communicate(timeout=120)
    assert f"closed {shapes.SIGTERM_RECORDS}" in out  # close() finished its work
    assert process.returncode == 128 + signal.SIGTERM, err  # and the signal still ended it
    assert counted(url) == expected(("closing", shapes.SIGTERM_RECORDS))


@pytest.fixture
def sigterm_restored():
    previous = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, previous)


def test_the_sigterm_flush_leaves_the_applications_own_handler_alone(tmp_path, sigterm_restored):
    handler = DatabaseLogHandler(f"sqlite:///{tmp_path / 'a.db'}", spill_path=tmp_path / "s")
    try:

        def own(signum: int, frame: object) -> None:
            """The application's own shutdown."""

        signal.signal(signal.SIGTERM, own)
        assert handler.install_sigterm_flush() is False
        assert signal.getsignal(signal.SIGTERM) is own
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        assert handler.install_sigterm_flush() is False  # ignoring SIGTERM is a choice too
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        assert handler.install_sigterm_flush() is True
        assert handler.install_sigterm_flush() is True  # once is enough; a second handler too
        assert signal.getsignal(signal.SIGTERM) is handler_module._on_sigterm
    finally:
        handler.close()


@pytest.fixture(autouse=True)
def _no_leftover_handlers():
    yield
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("gf."):
            logging.getLogger(name).handlers = []
