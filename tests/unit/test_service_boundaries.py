"""Services reach storage through the unit of work's repositories only (docs/database.md).

No service takes the session or the connection of a unit of work, builds a repository
itself, or types a unit of work as ``Any``: bulk writes sit behind repository methods,
so the in-memory fakes can stand in for the database.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

#: The use cases; the ports they are typed against and the composition root that wires the
#: real storage to them are not services.
NOT_SERVICES = {"__init__.py", "ports.py", "bootstrap.py"}
SERVICES = sorted(
    path
    for path in (Path(__file__).resolve().parents[2] / "services").glob("*.py")
    if path.name not in NOT_SERVICES
)

FORBIDDEN = {
    "a unit of work's session or connection": re.compile(r"\.(session|connection)\b(?!\w)"),
    "a repository built by hand": re.compile(r"\b\w+Repository\("),
    "a repository module": re.compile(r"persistence\.repositories\b"),
    "a unit of work typed as Any": re.compile(r"\buow\w*: (typing\.)?Any\b"),
}


def _offences(text: str) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for what, pattern in FORBIDDEN.items():
            if pattern.search(line):
                found.append(f"{number}: {what}: {line.strip()}")
    return found


def test_services_exist() -> None:
    assert len(SERVICES) > 5


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_a_service_uses_only_the_repositories_of_its_unit_of_work(path: Path) -> None:
    assert _offences(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "line",
    [
        "repository = LedgerRepository(uow.session)",
        "bulk.insert_fills(uow.connection, fills)",
        "def _write(uow: Any, exchange: str) -> int:",
        "from gal_friday.persistence.repositories.ledger import LedgerRepository",
    ],
)
def test_the_check_catches_what_services_used_to_do(line: str) -> None:
    assert _offences(line)
