"""One bad record never takes its batch (issue 26, item 3): a NUL or a lone surrogate in a
message, a context key or value, is stored altered (NUL -> U+FFFD, a surrogate -> its
backslash escape: docs/logging.md, "Records stored altered"), its neighbours are stored, no
spill file is left that cannot be replayed, and a row the database still refuses is kept
apart alone (``<spill>.rejected``) while the rest of its batch is stored."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.logwriter import handler as handler_module
from gal_friday.persistence.logwriter.handler import DatabaseLogHandler
from gal_friday.persistence.logwriter.rows import storable_text
from gal_friday.persistence.tables import definitions as t

SURROGATE = "\udc80"


def stored(url: URL) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(t.logs).order_by(t.logs.c.id)))
    finally:
        engine.dispose()


def make_logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


@pytest.fixture(autouse=True)
def _no_leftover_handlers() -> Iterator[None]:
    yield
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("gf."):
            logging.getLogger(name).handlers = []


def test_storable_text_replaces_nul_and_escapes_surrogates():
    assert storable_text("a\x00b") == "a\ufffdb"
    assert storable_text(f"é{SURROGATE}") == "é\\udc80"
    assert storable_text("plain") == "plain"
    assert storable_text("😀 ünïcode") == "😀 ünïcode"  # valid text is left alone


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"message": "nul \x00 in the message"}, id="nul-message"),
        pytest.param({"extra": {"note": "nul \x00 in a context value"}}, id="nul-context"),
        pytest.param({"extra": {"key\x00": "nul in a context key"}}, id="nul-key"),
        pytest.param({"message": f"lone {SURROGATE} surrogate"}, id="surrogate-message"),
        pytest.param({"extra": {"note": [f"lone {SURROGATE}"]}}, id="surrogate-context"),
    ],
)
def test_a_bad_record_is_stored_altered_and_its_100_neighbours_are_stored(
    database_url, tmp_path, bad
):
    spill = tmp_path / "spill.jsonl"
    handler = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False),
        batch_size=101,
        flush_interval=5,  # the 101 records go out as one batch
        spill_path=spill,
        spill_after=0.05,
        max_backoff=0.02,
    )
    logger = make_logger("gf.bad-record", handler)
    for n in range(101):
        if n == 50:
            extra = {"n": n, **bad.get("extra", {})}
            logger.info(bad.get("message", "the bad one"), extra=extra)
        else:
            logger.info("neighbour %d", n, extra={"n": n})
    handler.close()
    rows = stored(database_url)
    assert sorted(row.context_json["n"] for row in rows) == list(range(101))
    assert (handler.written, handler.spilled, handler.dropped, handler.rejected) == (101, 0, 0, 0)
    assert not spill.exists()  # nothing waits for a replay that cannot happen
    altered = next(row for row in rows if row.context_json["n"] == 50)
    text = altered.message + json.dumps(altered.context_json, ensure_ascii=False)
    assert "\x00" not in text and SURROGATE not in text
    assert "\ufffd" in text or "\\udc80" in text


def _spilled_line(message: str, n: int) -> str:
    """A line of a spill file as a release without the clean-up could write it."""
    return json.dumps(
        {
            "record_id": str(uuid.uuid4()),
            "timestamp": datetime(2026, 12, 1, tzinfo=UTC).isoformat(),
            "logger_name": "bot",
            "level_name": "INFO",
            "level_no": 20,
            "message": message,
            "pathname": None,
            "filename": None,
            "lineno": None,
            "func_name": None,
            "context_json": {"n": n},
            "exception_text": None,
        }
    )


def test_an_old_spill_file_with_a_nul_is_replayed_and_later_files_do_not_wait(
    database_url, tmp_path
):
    spill = tmp_path / "spill.jsonl"
    key = handler_module.database_key(database_url)
    header = json.dumps({"gal_friday_spill": 1, "database": key})
    lines = [_spilled_line(f"old {n}" + ("\x00" if n == 7 else ""), n) for n in range(20)]
    spill.write_text("\n".join([header, *lines]) + "\n")
    first = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False), spill_path=spill, flush_interval=0.02
    )
    make_logger("gf.after-old", first).info("new", extra={"n": 100})
    first.close()
    numbers = sorted(row.context_json["n"] for row in stored(database_url))
    assert numbers == [*range(20), 100]
    assert first.replayed == 20
    assert not spill.exists() and not spill.with_name("spill.jsonl.replaying").exists()


def test_a_row_the_database_refuses_alone_is_kept_apart_and_its_batch_stored(
    database_url, tmp_path, capsys, monkeypatch
):
    """Whatever the database refuses for its content (here: a refusal forced for one row) is
    kept apart alone; the other 100 rows of its batch are stored, nothing is retried forever."""
    spill = tmp_path / "spill.jsonl"
    handler = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False),
        batch_size=101,
        flush_interval=5,
        spill_path=spill,
    )
    real_write, real_store = handler._write, handler._store

    def refuse_poison(rows: list) -> None:
        if any("poison" in row["message"] for row in rows):
            raise ValueError("the database refuses this value")
        real_store(rows)

    def write_refusing(*, fresh: bool) -> None:
        rows = list(handler._batch())  # the writer now holds its batch, as in a failed COPY
        if any("poison" in row[5] for row in rows):
            raise ValueError("the database refuses this value")
        real_write(fresh=False)

    monkeypatch.setattr(handler, "_store", refuse_poison)
    monkeypatch.setattr(handler, "_write", write_refusing)
    logger = make_logger("gf.refused", handler)
    for n in range(101):
        logger.info("poison %d" if n == 50 else "neighbour %d", n, extra={"n": n})
    handler.close()
    assert sorted(row.context_json["n"] for row in stored(database_url)) == [
        n for n in range(101) if n != 50
    ]
    assert (handler.written, handler.rejected, handler.dropped) == (100, 1, 0)
    kept = spill.with_name("spill.jsonl.rejected").read_text().splitlines()
    assert [json.loads(line)["message"] for line in kept] == ["poison 50"]
    assert not spill.exists()
    assert "1 log records refused by the database alone" in capsys.readouterr().err


def test_rejected_records_are_never_replayed(tmp_path):
    """The kept-apart file is for a person: a handler never replays it."""
    path: Path = tmp_path / "spill.jsonl"
    assert handler_module.SpillFile(path, "k").keep_apart(["x"]) == tmp_path / (
        "spill.jsonl.rejected"
    )
    assert not handler_module.SpillFile(path, "k").has_records()
