"""A local JSON-lines file that keeps log records while the database cannot take them.

Each line is one record with its ``record_id``, so replaying the file into the
``logs`` table after an outage (skipping ids already stored) adds nothing twice.
A replay works on a renamed copy of the file, so records spilled meanwhile go
to a new file and none are lost if the replay itself fails.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from gal_friday.domain import Log

_FIELDS = [f.name for f in attrs.fields(Log) if f.name != "id"]


def _to_json(log: Log) -> str:
    row: dict[str, Any] = {name: getattr(log, name) for name in _FIELDS}
    row["timestamp"] = log.timestamp.isoformat()
    row["record_id"] = str(log.record_id)
    return json.dumps(row, ensure_ascii=False, default=str)


def _from_json(line: str) -> Log:
    row = json.loads(line)
    row["timestamp"] = datetime.fromisoformat(row["timestamp"])
    row["record_id"] = uuid.UUID(row["record_id"])
    return Log(**row)


class SpillFile:
    """Append log records to a JSON-lines file and read them back for replay."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.replaying = self.path.with_name(self.path.name + ".replaying")
        self._lock = threading.Lock()

    def append(self, logs: Sequence[Log]) -> None:
        """Write ``logs`` durably (flushed and fsynced) at the end of the file."""
        if not logs:
            return
        text = "".join(_to_json(log) + "\n" for log in logs)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())

    def has_records(self) -> bool:
        """True when something waits to be replayed."""
        return self.replaying.exists() or (self.path.exists() and self.path.stat().st_size > 0)

    def claim(self) -> Path | None:
        """The file to replay now (a left-over claimed one first), out of the writers' way."""
        with self._lock:
            if self.replaying.exists():
                return self.replaying
            if self.path.exists() and self.path.stat().st_size > 0:
                self.path.replace(self.replaying)
                return self.replaying
        return None

    @staticmethod
    def read(path: Path, batch_size: int) -> Iterator[list[Log]]:
        """The records of a claimed file in batches (a torn last line is skipped)."""
        batch: list[Log] = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.endswith("\n"):
                    break  # a write cut short by a crash: the rest of the line never made it
                batch.append(_from_json(line))
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    @staticmethod
    def done(path: Path) -> None:
        """Forget a claimed file once every record in it is stored."""
        path.unlink(missing_ok=True)
