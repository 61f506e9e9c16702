"""One spill file, several processes (a parent and its forked children during an outage):
appends from 4 processes while another claims and reads the file over and over lose no
record and leave no broken line (``flock`` on append and on claim; a claim never replaces
another process's claimed file)."""

from __future__ import annotations

import logging
import multiprocessing
import uuid
from datetime import UTC, datetime
from pathlib import Path

from gal_friday.persistence.logwriter.spill import SpillFile

WRITERS = 4
CHUNKS = 150
ROWS = 10


def _rows(writer: int, chunk: int) -> list[dict]:
    return [
        {
            "record_id": uuid.uuid4(),
            "timestamp": datetime(2026, 12, 7, tzinfo=UTC),
            "logger_name": "gf",
            "level_name": "INFO",
            "level_no": logging.INFO,
            "message": f"{writer}-{chunk}-{n}"
            + "x" * 300,  # lines longer than a pipe's atomic write
            "pathname": None,
            "filename": None,
            "lineno": None,
            "func_name": None,
            "context_json": {"w": writer, "c": chunk, "n": n},
            "exception_text": None,
        }
        for n in range(ROWS)
    ]


def _append(path: str, writer: int) -> None:
    spill = SpillFile(path, "k")
    for chunk in range(CHUNKS):
        spill.append(_rows(writer, chunk))


def test_appends_from_four_processes_while_another_replays_lose_nothing(tmp_path: Path):
    path = tmp_path / "spill.jsonl"
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_append, args=(str(path), w)) for w in range(WRITERS)]
    for process in writers:
        process.start()
    reader = SpillFile(path, "k")
    seen: list[tuple[int, int, int]] = []
    broken: list[int] = []

    def replay_once() -> None:
        claimed = reader.claim()
        if claimed is None:
            return
        for batch in SpillFile.read(claimed, 500, lambda number, line: broken.append(number)):
            seen.extend(
                (r["context_json"]["w"], r["context_json"]["c"], r["context_json"]["n"])
                for r in batch
            )
        SpillFile.done(claimed)

    while any(process.is_alive() for process in writers):
        replay_once()
    for process in writers:
        process.join()
    assert [process.exitcode for process in writers] == [0] * WRITERS
    replay_once()
    replay_once()
    assert broken == []
    assert len(seen) == len(set(seen)) == WRITERS * CHUNKS * ROWS
